"""Form rendering shared by every app: Bootstrap classes and one accessible field template."""

from django import forms
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    field_template_name = "includes/form_field.html"


class StyledFormMixin:
    """Give each widget its Bootstrap class; labels, help and errors come from the field template."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


class Form(StyledFormMixin, forms.Form):
    pass


class ModelForm(StyledFormMixin, forms.ModelForm):
    def changes(self) -> dict:
        """Only what the person changed: what an update service saves and audits."""
        return {name: self.cleaned_data[name] for name in self.changed_data}
