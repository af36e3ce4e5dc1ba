"""Form rendering shared by every app: Bootstrap classes and one accessible field template."""

from django import forms
from django.core.exceptions import ValidationError
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


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A rule a service enforces becomes a form error in French, never a 500."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
