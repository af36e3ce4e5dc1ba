from django import forms

from plombiers.forms import Form

from .enums import ImportKind
from .reading import MAX_BYTES


class UploadForm(Form):
    school = forms.ModelChoiceField(label="École", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="Contenu du fichier", choices=ImportKind.choices)
    file = forms.FileField(
        label="Fichier",
        help_text="CSV (séparateur point-virgule ou virgule, UTF-8 ou Windows-1252) ou XLSX ; 20 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("Fichier trop lourd : 20 Mo au plus.")
        return upload


class MappingForm(Form):
    """One choice per field of the kind: which column of the file holds it (or none)."""

    def __init__(self, *args, columns, titles, mapping: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— aucune colonne —"), *((t, t) for t in dict.fromkeys(titles) if t)]
        for column in columns:
            self.fields[column.key] = forms.ChoiceField(
                label=column.label + (" (obligatoire)" if column.required else ""),
                choices=choices,
                required=column.required,
                initial=titles[mapping[column.key]] if column.key in mapping else "",
            )
