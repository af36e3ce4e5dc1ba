import datetime as dt

from django import forms
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User
from plombiers.forms import Form, ModelForm
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation, School

from .attendance import Signing, normalise_code
from .enums import AttendanceStatus, CohortStatus, DropOutReason, Period, SessionKind, SignatureMode
from .models import Cohort
from .selectors import school_members
from .services import MAX_CAPACITY, MIN_CAPACITY, default_end_date


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class CohortForm(ModelForm):
    """Create or edit a cohort. The school is chosen among those the person manages; trainers and
    the social worker among that school's team."""

    capacity = forms.IntegerField(
        label="Places",
        required=False,
        min_value=MIN_CAPACITY,
        max_value=MAX_CAPACITY,
        help_text="De 1 à 30. Vide : le nombre de places habituel de l'école.",
    )
    trainers = PeopleChoiceField(
        label="Formateur·rices",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    social_worker = PersonChoiceField(
        label="Accompagnateur·rice socio-professionnel·le",
        queryset=User.objects.none(),
        required=False,
        empty_label="Aucun·e pour l'instant",
    )

    class Meta:
        model = Cohort
        fields = [
            "school",
            "name",
            "start_date",
            "end_date",
            "capacity",
            "status",
            "trainers",
            "social_worker",
            "price_per_learner",
            "opco",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"name": "Nom de la promotion", "start_date": "Date de début", "end_date": "Date de fin"}
        help_texts = {
            "name": "Par exemple « Promotion printemps 2026 ».",
            "end_date": "Vide : 15 semaines après le début (une promotion dure 3 à 4 mois).",
        }

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = False
        status_choices = [(v, label) for v, label in CohortStatus.choices if v != CohortStatus.FINISHED]
        if self.instance.pk:
            # The school of an existing cohort does not change; closing goes through « Clôturer ».
            del self.fields["school"]
            self.fields["capacity"].required = True
            self.fields[
                "capacity"
            ].help_text = "De 1 à 30, et pas moins que le nombre de jeunes en formation."
            school_ids = [self.instance.school_id]
            if self.instance.status == CohortStatus.FINISHED:
                del self.fields["status"]
            else:
                self.fields["status"].choices = status_choices
        else:
            self.fields["school"].queryset = schools
            self.fields["school"].empty_label = None
            self.fields["status"].choices = status_choices
            school_ids = schools.values("pk")
        self.fields["trainers"].queryset = school_members(school_ids, Role.TRAINER)
        self.fields["social_worker"].queryset = school_members(school_ids, Role.SOCIAL_WORKER)
        # The training is paid by an OPCO or a funder of the network; the convention names it.
        self.fields["opco"].queryset = Organisation.objects.filter(
            network__schools__in=school_ids, kind__in=[OrganisationKind.OPCO, OrganisationKind.FUNDER]
        ).distinct()
        self.fields["opco"].empty_label = "Aucun (la convention est signée avec le ou la jeune)"
        self.fields["price_per_learner"].help_text = "Figure sur la convention de formation."
        for widget in (self.fields["trainers"].widget,):
            widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        school = data.get("school") or (self.instance.school if self.instance.pk else None)
        start, end = data.get("start_date"), data.get("end_date")
        if start and not end and "end_date" not in self.errors:
            end = data["end_date"] = default_end_date(start)
            if end is None:
                self.add_error("start_date", "Cette date de début est trop lointaine.")
        if start and end and end <= start:
            self.add_error("end_date", "La date de fin doit être postérieure à la date de début.")
        if school is not None:
            for person in data.get("trainers") or ():
                if not person.memberships.filter(role=Role.TRAINER, school=school).exists():
                    self.add_error("trainers", f"{person} n'est pas formateur·rice de l'école {school.name}.")
            person = data.get("social_worker")
            if person and not person.memberships.filter(role=Role.SOCIAL_WORKER, school=school).exists():
                self.add_error(
                    "social_worker", f"{person} n'est pas accompagnateur·rice de l'école {school.name}."
                )
        return data

    def service_fields(self) -> dict:
        """What `cohort_create` takes: the school and the trainers are passed apart."""
        data = dict(self.cleaned_data)
        data.pop("school", None)
        data.pop("trainers", None)
        return data


class CohortFilterForm(Form):
    school = forms.ModelChoiceField(
        label="École", queryset=School.objects.none(), required=False, empty_label="Toutes"
    )
    status = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *CohortStatus.choices], required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def filter(self, cohorts):
        if not self.is_valid():
            return cohorts
        if school := self.cleaned_data["school"]:
            cohorts = cohorts.filter(school=school)
        if status := self.cleaned_data["status"]:
            cohorts = cohorts.filter(status=status)
        return cohorts


class AdmissionForm(Form):
    """Admit a candidate into one of the open cohorts of the school; a justification when the
    candidate does not meet the eligibility rules."""

    cohort = forms.ModelChoiceField(
        label="Promotion",
        queryset=Cohort.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez une promotion.",
            "invalid_choice": "Cette promotion n'est pas ouverte aux admissions dans cette école.",
        },
    )
    justification = forms.CharField(
        label="Justification de l'admission hors critères",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, referral, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["cohort"].queryset = cohorts
        if not referral.is_eligible:
            self.fields["justification"].required = True
            self.fields["justification"].help_text = (
                "Obligatoire : ce ou cette jeune ne remplit pas tous les critères d'éligibilité. "
                "La justification est conservée dans son dossier."
            )
            self.fields["justification"].error_messages["required"] = (
                "Ce ou cette jeune ne remplit pas les critères d'éligibilité : "
                "une justification écrite est obligatoire pour l'admettre."
            )

    def clean_justification(self):
        return self.cleaned_data["justification"].strip()


class DropOutForm(Form):
    reason = forms.ChoiceField(
        label="Motif de l'abandon",
        choices=[("", "Choisir un motif"), *DropOutReason.choices],
        error_messages={"required": "Le motif d'abandon est obligatoire."},
    )
    on = forms.DateField(
        label="Date de l'abandon",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "La date de l'abandon est obligatoire."},
    )
    detail = forms.CharField(
        label="Précisions",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que l'équipe doit savoir ; pas d'information médicale.",
    )

    def __init__(self, *args, enrolment, **kwargs):
        # A young person may withdraw before the cohort starts: the date is then the planned entry.
        self.latest = max(timezone.localdate(), enrolment.entry_date)
        kwargs.setdefault("initial", {"on": self.latest})
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > self.latest:
            raise forms.ValidationError("La date de l'abandon ne peut pas être dans le futur.")
        if on < self.enrolment.entry_date:
            raise forms.ValidationError(
                f"La date de l'abandon ne peut pas précéder l'entrée en formation "
                f"({self.enrolment.entry_date:%d/%m/%Y})."
            )
        return on


# --- schedule and attendance sheets ----------------------------------------------------------------

WEEKDAYS = [(0, "Lundi"), (1, "Mardi"), (2, "Mercredi"), (3, "Jeudi"), (4, "Vendredi"), (5, "Samedi")]
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _trainer_field():
    return PersonChoiceField(
        label="Formateur·rice", queryset=User.objects.none(), required=False, empty_label="Non précisé"
    )


class ScheduleForm(Form):
    """The weekly template a cohort's calendar is generated from."""

    weekdays = forms.TypedMultipleChoiceField(
        label="Jours de formation",
        choices=WEEKDAYS,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un jour de la semaine."},
    )
    morning_start = forms.TimeField(label="Début du matin", required=False, widget=TIME_WIDGET)
    morning_end = forms.TimeField(label="Fin du matin", required=False, widget=TIME_WIDGET)
    afternoon_start = forms.TimeField(label="Début de l'après-midi", required=False, widget=TIME_WIDGET)
    afternoon_end = forms.TimeField(label="Fin de l'après-midi", required=False, widget=TIME_WIDGET)
    internship_weeks = forms.CharField(
        label="Semaines de stage en entreprise",
        required=False,
        max_length=500,
        help_text="Une date de chaque semaine de stage, au format jj/mm/aaaa, séparées par des virgules. "
        "Toute la semaine devient « stage en entreprise ».",
    )
    kind = forms.ChoiceField(label="Nature des autres demi-journées", choices=SessionKind.choices)
    trainer = _trainer_field()

    def __init__(self, *args, cohort, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "morning_start": dt.time(9),
                "morning_end": dt.time(12, 30),
                "afternoon_start": dt.time(13, 30),
                "afternoon_end": dt.time(17),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["weekdays"].widget.attrs["class"] = "form-check-input"
        self.fields["trainer"].queryset = school_members([cohort.school_id], Role.TRAINER)

    def clean_internship_weeks(self):
        days = []
        for part in self.cleaned_data["internship_weeks"].replace(";", ",").replace("\n", ",").split(","):
            part = part.strip()
            if not part:
                continue
            for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
                try:
                    days.append(dt.datetime.strptime(part, pattern).date())
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(f"« {part} » n'est pas une date au format jj/mm/aaaa.")
        return days

    def clean(self):
        data = super().clean()
        hours = {}
        for period, prefix, label in (
            (Period.MORNING, "morning", "matin"),
            (Period.AFTERNOON, "afternoon", "après-midi"),
        ):
            start, end = data.get(f"{prefix}_start"), data.get(f"{prefix}_end")
            if start and end:
                hours[period] = (start, end)
            elif start or end:
                self.add_error(
                    f"{prefix}_end" if start else f"{prefix}_start",
                    f"Indiquez le début et la fin du {label}.",
                )
        if not hours and not self.errors:
            self.add_error(None, "Indiquez les horaires du matin, de l'après-midi, ou des deux.")
        data["hours"] = hours
        return data


class SessionForm(Form):
    """Add or change one half-day of the calendar."""

    date = forms.DateField(label="Date", widget=DATE_WIDGET)
    period = forms.ChoiceField(label="Demi-journée", choices=Period.choices)
    start_time = forms.TimeField(
        label="Début",
        required=False,
        widget=TIME_WIDGET,
        help_text="Vide : 9 h le matin, 13 h 30 l'après-midi.",
    )
    end_time = forms.TimeField(
        label="Fin",
        required=False,
        widget=TIME_WIDGET,
        help_text="Vide : 12 h 30 le matin, 17 h l'après-midi.",
    )
    kind = forms.ChoiceField(label="Nature", choices=SessionKind.choices)
    block = forms.ModelChoiceField(
        label="Bloc de compétences travaillé", queryset=None, required=False, empty_label="Aucun"
    )
    trainer = _trainer_field()

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        from plombiers.frameworks.models import Block

        self.fields["block"].queryset = (
            Block.objects.filter(framework_id=cohort.framework_id).order_by("position", "pk")
            if cohort.framework_id
            else Block.objects.none()
        )
        self.fields["trainer"].queryset = school_members([cohort.school_id], Role.TRAINER)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


STATUS_FIELD_CHOICES = AttendanceStatus.choices


class MarkForm(Form):
    """One learner's line of the sheet, or an amendment of it on a signed sheet."""

    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Présence",
        choices=AttendanceStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la présence."},
    )
    late_minutes = forms.IntegerField(label="Minutes de retard", required=False, min_value=1, max_value=600)
    excuse_reason = forms.CharField(label="Motif de l'absence", required=False, max_length=200)
    proof = forms.FileField(label="Justificatif (facultatif)", required=False)
    reason = forms.CharField(
        label="Motif de la modification",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def mark_fields(self) -> dict:
        data = self.cleaned_data
        status = data["status"]
        return {
            "status": status,
            "late_minutes": (data["late_minutes"] or 0) if status == AttendanceStatus.LATE else 0,
            "excuse_reason": data["excuse_reason"] if status == AttendanceStatus.EXCUSED else "",
            "proof": data["proof"] if status == AttendanceStatus.EXCUSED else None,
        }


class SigningFieldsMixin:
    """The two ways to sign, on every signing form: draw on the pad, or — for whoever cannot draw
    (motor disability, keyboard or switch user) — type one's full name and tick a confirmation.
    A form sent without a choice is a drawing, as before the choice existed."""

    def clean(self):
        data = super().clean()
        mode = data.get("mode") or SignatureMode.DRAWN
        data["mode"] = mode
        if mode == SignatureMode.DRAWN and not data.get("strokes") and "strokes" not in self.errors:
            self.add_error("strokes", EMPTY_SIGNATURE)
        return data

    def signing(self) -> Signing:
        data = self.cleaned_data
        if data["mode"] == SignatureMode.TYPED:
            return Signing(
                mode=SignatureMode.TYPED, typed_name=data["typed_name"], confirmed=data["confirmed"]
            )
        return Signing(strokes=data["strokes"])


EMPTY_SIGNATURE = "La signature est vide : signez dans le cadre, ou choisissez « Signer sans dessiner »."
SIGNING_MODES = [
    (SignatureMode.DRAWN, "Signer en dessinant"),
    (SignatureMode.TYPED, "Signer sans dessiner (saisir mon nom)"),
]


def _mode_field():
    return forms.ChoiceField(
        label="Comment signer",
        choices=SIGNING_MODES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez « Signer en dessinant » ou « Signer sans dessiner »."},
    )


def _strokes_field():
    return forms.JSONField(required=False, widget=forms.HiddenInput)


def _typed_name_field():
    return forms.CharField(
        label="Votre nom complet (prénom et nom)",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        help_text="Tel qu'il est inscrit : majuscules, accents, espaces et traits d'union ne comptent pas.",
        error_messages={"max_length": "Le nom saisi tient en 200 caractères."},
    )


def _confirmed_field():
    return forms.BooleanField(label="Je confirme signer", required=False)


class SignatureForm(SigningFieldsMixin, Form):
    """A signature on the trainer's tablet: drawn on the pad (the strokes as JSON, scaled to the
    400 × 150 box), or the name typed with the confirmation ticked."""

    mode = _mode_field()
    strokes = _strokes_field()
    typed_name = _typed_name_field()
    confirmed = _confirmed_field()
    enrolment = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SigningCodeForm(SigningFieldsMixin, Form):
    code = forms.CharField(
        label="Code affiché par votre formateur·rice",
        # Room for the spaces of « 324 119 » as the tablet shows it; they go in clean_code.
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "code-input"}
        ),
        error_messages={"required": "Indiquez le code à 6 chiffres."},
    )
    mode = _mode_field()
    strokes = _strokes_field()
    typed_name = _typed_name_field()
    confirmed = _confirmed_field()

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError("Indiquez le code à 6 chiffres.")
        return code
