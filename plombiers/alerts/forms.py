from django import forms

from plombiers.cohorts.models import Cohort
from plombiers.forms import Form

from .enums import AlertStatus
from .services import NOTE_MAX_LENGTH


class AlertFilterForm(Form):
    cohort = forms.ModelChoiceField(
        label="Promotion", queryset=Cohort.objects.none(), required=False, empty_label="Toutes"
    )
    status = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *AlertStatus.choices], required=False)

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts

    def filter(self, alerts):
        if not self.is_valid():
            return alerts
        if cohort := self.cleaned_data["cohort"]:
            alerts = alerts.filter(enrolment__cohort=cohort)
        return alerts.with_status(self.cleaned_data["status"])


class AcknowledgeForm(Form):
    note = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui a été fait ou prévu : un appel, un entretien, une orientation…",
        error_messages={
            "required": "Écrivez une note : ce qui a été fait ou prévu avec le ou la jeune (un appel, un entretien…)."
        },
    )
