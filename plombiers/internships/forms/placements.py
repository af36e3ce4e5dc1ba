from itertools import groupby
from types import SimpleNamespace

from django import forms

from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.forms import Form
from plombiers.frameworks.models import Skill
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Contact, Organisation
from plombiers.skills.enums import Level

from ..enums import (
    SOFT_SKILLS,
    ContractType,
    EvaluationOutcome,
    InternshipKind,
    InternshipStatus,
    Rating,
    TutorAttendance,
)
from ..models import CompanySite, Internship
from ..services import EvaluationAnswers

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class InternshipFilterForm(Form):
    status = forms.ChoiceField(
        label="Statut", choices=[("", "Tous"), *InternshipStatus.choices], required=False
    )
    cohort = forms.ModelChoiceField(
        label="Promotion", queryset=Cohort.objects.none(), required=False, empty_label="Toutes"
    )

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts

    def filter(self, internships):
        if not self.is_valid():
            return internships
        if status := self.cleaned_data["status"]:
            internships = internships.filter(status=status)
        if cohort := self.cleaned_data["cohort"]:
            internships = internships.filter(enrolment__cohort=cohort)
        return internships


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, site):
        return f"{site.company.name} — {site.name} ({site.commune.name})"


class TutorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contact):
        job = f", {contact.job_title}" if contact.job_title else ""
        return f"{contact.full_name}{job} ({contact.organisation.name})"


class InternshipForm(Form):
    """Prepare an internship (or change a draft): the partner company's site, its tutor, the dates,
    the hours and the skills aimed at, from the framework of the learner's cohort."""

    kind = forms.ChoiceField(
        label="Type",
        choices=InternshipKind.choices,
        widget=forms.RadioSelect,
        initial=InternshipKind.INTERNSHIP,
    )
    site = SiteChoiceField(
        label="Site de l'entreprise d'accueil",
        queryset=CompanySite.objects.none(),
        error_messages={
            "required": "Choisissez le site qui accueille.",
            "invalid_choice": "Ce site n'est pas celui d'une entreprise partenaire de l'école.",
        },
    )
    tutor = TutorChoiceField(
        label="Tuteur ou tutrice",
        queryset=Contact.objects.none(),
        error_messages={
            "required": "Choisissez le tuteur ou la tutrice.",
            "invalid_choice": "Ce contact ne travaille pas dans une entreprise partenaire.",
        },
    )
    prescriber_organisation = forms.ModelChoiceField(
        label="Structure prescriptrice (PMSMP)",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Obligatoire pour une PMSMP : Mission Locale, France Travail…",
        error_messages={"invalid_choice": "Cette structure n'est pas un prescripteur partenaire de l'école."},
    )
    renewal_of = forms.ModelChoiceField(
        label="Renouvelle la PMSMP",
        queryset=Internship.objects.none(),
        required=False,
        help_text="Une PMSMP se renouvelle une fois.",
    )
    start_date = forms.DateField(
        label="Premier jour",
        widget=DATE,
        error_messages={"required": "Indiquez le premier jour.", "invalid": "Date invalide."},
    )
    end_date = forms.DateField(
        label="Dernier jour",
        widget=DATE,
        error_messages={"required": "Indiquez le dernier jour.", "invalid": "Date invalide."},
    )
    weekly_hours = forms.DecimalField(
        label="Heures par semaine",
        min_value=1,
        max_value=48,
        decimal_places=1,
        max_digits=4,
        initial=35,
        error_messages={"required": "Indiquez les heures par semaine."},
    )
    objectives = forms.ModelMultipleChoiceField(
        label="Compétences visées",
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Cette compétence n'est pas dans le référentiel de la promotion."},
    )
    activities = forms.CharField(
        label="Activités confiées", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, enrolment: Enrolment, internship: Internship | None = None, **kwargs):
        self.enrolment = enrolment
        school = enrolment.cohort.school
        if internship is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": internship.kind,
                    "site": internship.site_id,
                    "tutor": internship.tutor_id,
                    "prescriber_organisation": internship.prescriber_organisation_id,
                    "renewal_of": internship.renewal_of_id,
                    "start_date": internship.start_date,
                    "end_date": internship.end_date,
                    "weekly_hours": internship.weekly_hours,
                    "objectives": [s.pk for s in internship.objectives.all()],
                    "activities": internship.activities,
                },
            )
        super().__init__(*args, **kwargs)
        partners = Organisation.objects.filter(kind=OrganisationKind.COMPANY, partnerships__school=school)
        self.fields["site"].queryset = (
            CompanySite.objects.filter(company__in=partners)
            .select_related("company", "commune")
            .order_by("company__name", "name")
        )
        self.fields["tutor"].queryset = (
            Contact.objects.filter(organisation__in=partners)
            .select_related("organisation")
            .order_by("organisation__name", "full_name")
        )
        self.fields["prescriber_organisation"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.PRESCRIBER, partnerships__school=school
        ).order_by("name")
        self.fields["renewal_of"].queryset = (
            Internship.objects.filter(
                enrolment__learner_id=enrolment.learner_id,
                kind=InternshipKind.PMSMP,
                renewal_of__isnull=True,
                renewal__isnull=True,
            )
            .select_related("site__company")
            .order_by("-start_date")
        )
        self.fields["renewal_of"].label_from_instance = lambda i: (
            f"PMSMP chez {i.site.company.name} du {i.start_date:%d/%m/%Y} au {i.end_date:%d/%m/%Y}"
        )
        self.fields["objectives"].queryset = (
            Skill.objects.filter(framework_id=enrolment.cohort.framework_id)
            .select_related("block")
            .order_by("block__position", "block__pk", "position", "pk")
        )
        self.fields["objectives"].label_from_instance = lambda s: f"{s.code} {s.title}"
        for name in ("kind", "objectives"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if internship is not None:  # a draft keeps its kind; a renewal is decided at creation
            for name in ("kind", "renewal_of"):
                self.fields[name].disabled = True

    def objective_groups(self) -> list[SimpleNamespace]:
        """The skills' checkboxes grouped by block of the framework."""
        skills = {str(s.pk): s for s in self.fields["objectives"].queryset}
        widgets = [(skills[str(w.data["value"])], w) for w in self["objectives"]]
        return [
            SimpleNamespace(block=block, widgets=[w for _, w in items])
            for block, items in groupby(widgets, key=lambda pair: pair[0].block)
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == InternshipKind.PMSMP and not data.get("prescriber_organisation"):
            self.add_error(
                "prescriber_organisation",
                "Une PMSMP a une structure prescriptrice (Mission Locale, France Travail…).",
            )
        if data.get("renewal_of") and data.get("kind") != InternshipKind.PMSMP:
            self.add_error("renewal_of", "Seule une PMSMP se renouvelle.")
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if data["kind"] != InternshipKind.PMSMP:
            data["prescriber_organisation"] = None
        return data

    def changes(self) -> dict:
        """What `internship_update` may change, only what the person changed."""
        editable = {
            "site",
            "tutor",
            "start_date",
            "end_date",
            "weekly_hours",
            "activities",
            "objectives",
            "prescriber_organisation",
        }
        return {name: self.cleaned_data[name] for name in self.changed_data if name in editable}


class TransitionForm(Form):
    to = forms.ChoiceField(
        choices=InternshipStatus.choices, error_messages={"invalid_choice": "Statut inconnu."}
    )
    reason = forms.CharField(label="Motif de l'interruption", required=False, max_length=2000)


# --- the tutor's evaluation, on a phone ------------------------------------------------------------

YES_NO = [("oui", "Oui"), ("non", "Non")]


def _radio(label: str, choices, message: str, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": message, "invalid_choice": message},
    )


class EvaluationForm(forms.Form):
    """The tutor's answers. The choices are words (never colours nor grades), big targets."""

    tutor_name = forms.CharField(
        label="Vos prénom et nom",
        max_length=200,
        error_messages={"required": "Indiquez vos prénom et nom."},
    )
    attendance = _radio("Assiduité", TutorAttendance.choices, "Choisissez une réponse sur l'assiduité.")
    outcome = _radio(
        "Comment le stage s'est-il déroulé ?",
        EvaluationOutcome.choices,
        "Choisissez comment le stage s'est déroulé.",
    )
    wants_to_hire = _radio(
        "Souhaitez-vous recruter ce jeune ?",
        YES_NO,
        "Répondez oui ou non : souhaitez-vous recruter ce jeune ?",
    )
    hired_contract = _radio(
        "Quel contrat proposeriez-vous ?",
        ContractType.choices,
        "Type de contrat inconnu.",
        required=False,
    )
    comment = forms.CharField(
        label="Un commentaire pour l'école (facultatif)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, objectives: list[Skill], others: list[Skill], **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in SOFT_SKILLS.items():
            self.fields[f"soft_{key}"] = _radio(
                label, Rating.choices, f"Choisissez une appréciation pour « {label} »."
            )
        self.objectives, self.others = objectives, others
        for skill in [*objectives, *others]:
            self.fields[f"skill_{skill.pk}"] = forms.ChoiceField(
                label=f"{skill.code} {skill.title}",
                choices=Level.choices,
                widget=forms.RadioSelect,
                initial=Level.NOT_OBSERVED,
                required=False,
                error_messages={"invalid_choice": "Niveau inconnu."},
            )

    def soft_fields(self):
        return [self[f"soft_{key}"] for key in SOFT_SKILLS]

    def objective_fields(self):
        return [self[f"skill_{s.pk}"] for s in self.objectives]

    def other_fields(self):
        return [self[f"skill_{s.pk}"] for s in self.others]

    def clean(self):
        data = super().clean()
        if data.get("hired_contract") and data.get("wants_to_hire") != "oui":
            self.add_error("hired_contract", "Un contrat ne s'indique que si vous souhaitez recruter.")
        return data

    def answers(self) -> EvaluationAnswers:
        data = self.cleaned_data
        skills = {}
        for skill in [*self.objectives, *self.others]:
            level = data.get(f"skill_{skill.pk}") or Level.NOT_OBSERVED
            if level != Level.NOT_OBSERVED:
                skills[skill.pk] = level
        return EvaluationAnswers(
            tutor_name=data["tutor_name"],
            attendance=data["attendance"],
            soft_skills={key: data[f"soft_{key}"] for key in SOFT_SKILLS},
            outcome=data["outcome"],
            wants_to_hire=data["wants_to_hire"] == "oui",
            hired_contract=data.get("hired_contract") or "",
            comment=data.get("comment") or "",
            skills=skills,
        )
