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


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la demande",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que la personne demande, et comment (courrier, e-mail, en personne). Sans détail de santé ou de vie privée.",
    )


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision", choices=[("accept", "Accepter : anonymiser maintenant"), ("refuse", "Refuser")]
    )
    refusal_reason = forms.CharField(
        label="Motif du refus (obligatoire pour refuser)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RetentionSettingsForm(forms.Form):
    """One duration per rule, in months, never below what a legal obligation keeps."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            rule = row.rule
            self.fields[rule.key] = forms.IntegerField(
                label=f"{rule.label} ({rule.action_label} après … mois)",
                min_value=rule.minimum_months,
                max_value=600,
                initial=row.months,
                help_text=f"Par défaut : {rule.months} mois, à partir de {rule.counted_from}."
                + (f" Minimum légal : {rule.minimum_months} mois." if rule.minimum_months > 1 else ""),
            )
