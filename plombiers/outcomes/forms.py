from django import forms
from django.utils import timezone

from plombiers.cohorts.models import Cohort
from plombiers.forms import Form
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation, School

from .enums import CATEGORY_OF, LEARNER_SITUATIONS, ExitCategory, ExitType, FollowUpSource

FIRST_YEAR = 2017


def grouped_situations(*, blank: str | None = "Choisir une situation", no_news: bool = True):
    """The detailed situations grouped under their official category (an <optgroup> each)."""
    groups = [
        (category.label, [(t, t.label) for t in ExitType if CATEGORY_OF[t] == category])
        for category in ExitCategory
    ]
    if not no_news:
        groups = [(label, [c for c in choices if c[0] != ExitType.NO_NEWS]) for label, choices in groups]
    return ([("", blank)] if blank else []) + groups


HIRED_CHOICES = [
    ("", "D'après ses stages (par défaut)"),
    ("oui", "Oui"),
    ("non", "Non"),
]


class ExitForm(Form):
    exit_type = forms.ChoiceField(
        label="Situation à la sortie",
        choices=grouped_situations(),
        error_messages={"required": "Choisissez la situation à la sortie."},
    )
    exit_date = forms.DateField(
        label="Date de sortie",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de sortie.", "invalid": "Date invalide (jj/mm/aaaa)."},
    )
    employer = forms.ModelChoiceField(
        label="Employeur parmi les entreprises partenaires",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Aucune (autre employeur ou organisme)",
        help_text="Pour un emploi ou un contrat en alternance.",
    )
    employer_name = forms.CharField(
        label="Autre employeur ou organisme",
        max_length=200,
        required=False,
        help_text="Son nom, s'il n'est pas dans la liste (une entreprise, un centre de formation…).",
    )
    rome_code = forms.CharField(
        label="Code ROME du métier",
        max_length=5,
        required=False,
        help_text="Une lettre et quatre chiffres, ex. I1307 (installation et maintenance télécom).",
    )
    weekly_hours = forms.DecimalField(
        label="Heures par semaine",
        required=False,
        max_digits=4,
        decimal_places=1,
        error_messages={"invalid": "Indiquez un nombre d'heures (ex. 35)."},
    )
    hired_by_internship_host = forms.ChoiceField(
        label="Embauche par une entreprise de stage", choices=HIRED_CHOICES, required=False
    )
    comment = forms.CharField(
        label="Précisions", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = (
            Organisation.objects.filter(kind=OrganisationKind.COMPANY, partnerships__school=school)
            .distinct()
            .order_by("name", "pk")
        )
        self.fields["weekly_hours"].widget.attrs.update(min="1", max="60", step="0.5", inputmode="decimal")
        self.fields["rome_code"].widget.attrs.update(
            pattern="[A-Na-n][0-9]{4}", autocapitalize="characters", spellcheck="false"
        )

    def clean_rome_code(self):
        return self.cleaned_data["rome_code"].strip().upper()

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        hired = data.pop("hired_by_internship_host")
        data["hired_by_internship_host"] = {"oui": True, "non": False}.get(hired)
        return data


class ExitCorrectionForm(ExitForm):
    reason = forms.CharField(
        label="Motif de la correction",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif de la correction."},
    )

    def __init__(self, *args, exit, **kwargs):
        initial = {
            "exit_type": exit.exit_type,
            "exit_date": exit.exit_date,
            "employer": exit.employer_id,
            "employer_name": "" if exit.employer_id else exit.employer_name,
            "rome_code": exit.rome_code,
            "weekly_hours": exit.weekly_hours,
            "hired_by_internship_host": "oui" if exit.hired_by_internship_host else "non",
            "comment": exit.comment,
        }
        super().__init__(*args, initial=initial, school=exit.enrolment.cohort.school, **kwargs)

    def changes(self) -> dict:
        """Only what the person changed (a new partner employer brings its name along)."""
        data = self.service_fields()
        changes = {name: data[name] for name in self.changed_data if name != "reason"}
        if "employer" in changes:
            changes.setdefault("employer_name", data["employer_name"])
        return changes


class FollowUpForm(Form):
    """What the school or the prescriber reports at one horizon."""

    situation_type = forms.ChoiceField(
        label="Situation",
        choices=grouped_situations(),
        error_messages={"required": "Choisissez la situation."},
    )
    employer_name = forms.CharField(label="Employeur ou organisme", max_length=200, required=False)
    comment = forms.CharField(
        label="Précisions", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, source: str = FollowUpSource.SOCIAL_WORKER, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        if source != FollowUpSource.SOCIAL_WORKER:  # « sans nouvelles » is the school's to say
            self.fields["situation_type"].choices = grouped_situations(no_news=False)


class AnswerForm(forms.Form):
    """The young person's three questions, in plain French (rendered big, one column)."""

    situation_type = forms.ChoiceField(
        label="Que fais-tu aujourd'hui ?",
        choices=LEARNER_SITUATIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisis ce qui te correspond le mieux.",
            "invalid_choice": "Choisis une réponse de la liste.",
        },
    )
    employer_name = forms.CharField(
        label="Chez quel employeur ou dans quel organisme ?",
        help_text="Facultatif. Par exemple : le nom de l'entreprise ou du centre de formation.",
        max_length=200,
        required=False,
        error_messages={"max_length": "200 caractères au plus."},
    )
    comment = forms.CharField(
        label="Un mot pour l'école ?",
        help_text="Facultatif.",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "2 000 caractères au plus."},
    )


class ExitFilterForm(Form):
    school = forms.ModelChoiceField(
        label="École", queryset=School.objects.none(), required=False, empty_label="Toutes"
    )
    cohort = forms.ModelChoiceField(
        label="Promotion", queryset=Cohort.objects.none(), required=False, empty_label="Toutes"
    )
    category = forms.ChoiceField(
        label="Catégorie", choices=[("", "Toutes"), *ExitCategory.choices], required=False
    )
    year = forms.TypedChoiceField(label="Année de sortie", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools.order_by("name")
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "Toutes")] + [
            (y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)
        ]
        school = None
        if self.data.get("school", "").isdigit():
            school = schools.filter(pk=self.data["school"]).first()
        if school is None and len(own := list(schools[:2])) == 1:
            school = own[0]
        if school is not None:
            self.fields["cohort"].queryset = school.cohorts.order_by("-start_date", "pk")
        else:
            del self.fields["cohort"]

    def filter_enrolments(self, enrolments, path: str = ""):
        if not self.is_valid():
            return enrolments
        data = self.cleaned_data
        if data["school"]:
            enrolments = enrolments.filter(**{f"{path}cohort__school": data["school"]})
        if data.get("cohort"):
            enrolments = enrolments.filter(**{f"{path}cohort": data["cohort"]})
        return enrolments

    def filter_exits(self, exits):
        exits = self.filter_enrolments(exits, "enrolment__")
        if not self.is_valid():
            return exits
        if category := self.cleaned_data["category"]:
            exits = exits.filter(category=category)
        if year := self.cleaned_data["year"]:
            exits = exits.filter(exit_date__year=year)
        return exits
