from django import forms

from plombiers.forms import Form

from .selectors import GROUPS, MIN_LENGTH, is_too_short


class SearchForm(Form):
    q = forms.CharField(
        label="Rechercher une personne, une entreprise, une promotion",
        max_length=100,
        required=False,
        error_messages={"max_length": "La recherche compte au plus 100 caractères."},
    )
    groupe = forms.ChoiceField(choices=[("", "Tout"), *((key, key) for key in GROUPS)], required=False)

    def clean_q(self):
        query = self.cleaned_data["q"]
        if is_too_short(query):
            raise forms.ValidationError(f"Saisissez au moins {MIN_LENGTH} caractères (lettres ou chiffres).")
        return query
