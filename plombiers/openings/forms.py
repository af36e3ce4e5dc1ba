from django import forms

from plombiers.forms import Form, ModelForm
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation, School

from .checklist import PARTNER_KINDS
from .models import WEEKDAYS, CalendarTemplate


def _time(label):
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class CalendarTemplateForm(ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label="Jours de formation", choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    morning_start = _time("Début du matin")
    morning_end = _time("Fin du matin")
    afternoon_start = _time("Début de l'après-midi")
    afternoon_end = _time("Fin de l'après-midi")
    internship_weeks = forms.CharField(
        label="Semaines de stage en entreprise",
        required=False,
        help_text="Numéros des semaines, séparés par des virgules (ex. : 6, 7, 12, 13). Les jours fériés sont exclus d'office.",
    )

    class Meta:
        model = CalendarTemplate
        fields = [
            "weekdays",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "weeks",
            "internship_weeks",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekdays"].widget.attrs["class"] = "list-unstyled"
        if self.instance.pk:
            self.initial["internship_weeks"] = ", ".join(map(str, self.instance.internship_weeks))
        else:
            self.initial.setdefault("weekdays", [0, 1, 2, 3, 4])

    def clean_internship_weeks(self):
        weeks = []
        for part in self.cleaned_data["internship_weeks"].replace(";", ",").split(","):
            if part.strip():
                if not part.strip().isdigit():
                    raise forms.ValidationError(f"« {part.strip()} » n'est pas un numéro de semaine.")
                weeks.append(int(part))
        return sorted(set(weeks))


class FirstCohortForm(Form):
    name = forms.CharField(label="Nom de la promotion", max_length=150)
    start_date = forms.DateField(
        label="Premier jour", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start.year < 2000 or start.year > 2100:
            raise forms.ValidationError("Choisissez une date plausible.")
        return start


class InformationSessionForm(Form):
    starts_at = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="Lieu", max_length=250)
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=200, initial=15)


class PartnersForm(Form):
    organisations = forms.ModelMultipleChoiceField(
        label="Partenaires de l'annuaire du réseau",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, school: School, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = (
            organisations.filter(network=school.network_id, kind__in=list(PARTNER_KINDS))
            .exclude(partnerships__school=school)
            .order_by("kind", "name")
        )
        self.fields["organisations"].widget.attrs["class"] = "list-unstyled"
        labels = dict(OrganisationKind.choices)
        self.fields["organisations"].label_from_instance = lambda o: f"{o.name} ({labels[o.kind].lower()})"


class PublishForm(Form):
    opened_on = forms.DateField(
        label="Date d'ouverture", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CopySettingsForm(Form):
    source = forms.ModelChoiceField(
        label="École dont copier les réglages",
        queryset=School.objects.none(),
        help_text="Son calendrier type, ses partenaires et la description de son plateau technique.",
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = schools
