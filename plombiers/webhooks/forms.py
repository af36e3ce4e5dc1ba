from django import forms

from plombiers.forms import Form
from plombiers.network.models import Organisation

from .enums import WebhookEvent


class SubscriptionForm(Form):
    organisation = forms.ModelChoiceField(label="Organisation abonnée", queryset=Organisation.objects.none())
    url = forms.CharField(
        label="Adresse de réception",
        max_length=500,
        help_text="Commence par https:// ; elle reçoit un POST signé à chaque événement.",
        widget=forms.URLInput(attrs={"placeholder": "https://exemple.fr/plombiers/webhooks"}),
    )
    events = forms.MultipleChoiceField(
        label="Événements",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Une structure prescriptrice reçoit les événements des parcours qu'elle suit ; un "
        "financeur, les indicateurs agrégés de son périmètre seulement (« Indicateurs mis à jour »).",
    )
    description = forms.CharField(label="Description (facultatif)", max_length=200, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        choices = list(organisations[:2])
        if len(choices) == 1:
            self.fields["organisation"].initial = choices[0].pk
