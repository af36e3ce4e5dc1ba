from django import forms


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
