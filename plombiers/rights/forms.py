from django import forms

from .enums import RectificationField


class RectificationRequestForm(forms.Form):
    field = forms.ChoiceField(label="Donnée à corriger", choices=RectificationField.choices)
    requested_value = forms.CharField(label="La valeur juste", max_length=300)
    message = forms.CharField(
        label="Message (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RectificationDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="Décision",
        choices=[("1", "Corriger"), ("0", "Refuser")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    value = forms.CharField(
        label="Valeur enregistrée (vide : celle demandée)", required=False, max_length=300
    )
    reason = forms.CharField(label="Motif", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
