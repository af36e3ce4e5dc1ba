import re
import uuid

from django import forms
from django.utils import timezone

from plombiers.forms import Form, ModelForm
from plombiers.lib.text import fold
from plombiers.network.forms import CommuneField
from plombiers.network.models import Organisation, School

from .enums import DecisionReason, ReferralStatus
from .models import InformationSession, Learner, referrable_schools, session_schools
from .permissions import refers_for_own_structure
from .selectors import prescriber_organisations
from .services import LEARNER_FIELDS, check_birth_date

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9-]{1,64}")


class ReferralForm(ModelForm):
    """A new referral: the school, the young person (the Learner fields) and the motivation."""

    school = forms.ModelChoiceField(label="École", queryset=School.objects.none(), empty_label="Choisir…")
    prescriber_organisation = forms.ModelChoiceField(
        label="Structure prescriptrice",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Aucune (orientation directe)",
    )
    commune = CommuneField(label="Commune de résidence", required=False)
    motivation = forms.CharField(
        label="Motivation et situation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui motive le ou la jeune, sa situation, ce que l'école doit savoir.",
    )
    max_travel_km = forms.IntegerField(
        label="Distance de déplacement possible (km)", min_value=0, max_value=500, required=False
    )
    confirm_existing = forms.BooleanField(
        label="Je confirme : rattacher la prescription à la fiche existante", required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    class Meta:
        model = Learner
        fields = LEARNER_FIELDS
        widgets = {"birth_date": DATE, "neet_since": DATE}
        help_texts = {
            "lives_in_qpv": "Déclaratif : quartier prioritaire de la politique de la ville.",
            "france_travail_id": "Facultatif. Ne saisissez jamais le numéro de sécurité sociale.",
        }

    # The fields shown in each part of the form, in order.
    fieldsets = [
        ("Identité", ["first_name", "last_name", "birth_date", "gender"]),
        ("Coordonnées", ["phone", "email", "commune", "address", "lives_in_qpv"]),
        (
            "Parcours et situation",
            ["highest_diploma", "last_class", "is_neet", "neet_since", "has_rqth", "france_travail_id"],
        ),
        ("Mobilité", ["driving_licence", "transport", "max_travel_km"]),
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["school"].queryset = referrable_schools(user).order_by("name")
        if refers_for_own_structure(user):
            # A prescriber refers on behalf of their own structure: the service fills it in.
            del self.fields["prescriber_organisation"]
        else:
            self.fields["prescriber_organisation"].queryset = prescriber_organisations(user)
        self.fields["birth_date"].widget.attrs["autocomplete"] = "bday"
        # The input type is the widget's, not an attribute: set in attrs it is overwritten by "text".
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        if not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = str(uuid.uuid4())

    def grouped_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if error := check_birth_date(value):
            raise forms.ValidationError(error)
        return value

    def clean_neet_since(self):
        value = self.cleaned_data["neet_since"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("Cette date ne peut pas être dans le futur.")
        return value

    def clean_idempotency_key(self):
        value = self.cleaned_data["idempotency_key"].strip()
        return value if _IDEMPOTENCY_KEY.fullmatch(value) else str(uuid.uuid4())

    def _post_clean(self):
        # The person is validated by the service (which may reuse a known record); a form-level
        # model validation would only repeat it, with the identity key it cannot compute.
        pass

    def learner_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in LEARNER_FIELDS}


class ReferralFilterForm(Form):
    q = forms.CharField(label="Nom ou prénom", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Statut", choices=[("", "Tous"), *ReferralStatus.choices], required=False
    )
    school = forms.ModelChoiceField(
        label="École", queryset=School.objects.none(), required=False, empty_label="Toutes"
    )
    vue = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user).order_by("name")

    def filter(self, referrals):
        if not self.is_valid():
            return referrals
        data = self.cleaned_data
        for word in fold(data["q"]).split():
            # The identity key is the folded name: accents, case and hyphens do not matter.
            referrals = referrals.filter(learner__identity_key__contains=word)
        if data["status"]:
            referrals = referrals.filter(status=data["status"])
        if data["school"]:
            referrals = referrals.filter(school=data["school"])
        return referrals


class LearnerFilterForm(Form):
    q = forms.CharField(label="Nom ou prénom", required=False, max_length=100)

    def filter(self, learners):
        if not self.is_valid():
            return learners
        for word in fold(self.cleaned_data["q"]).split():
            learners = learners.filter(identity_key__contains=word)
        return learners


class DecisionForm(Form):
    """Move a referral: only the statuses this person may choose are offered."""

    to = forms.ChoiceField(label="Nouvelle étape", widget=forms.RadioSelect, choices=ReferralStatus.choices)
    reason = forms.ChoiceField(
        label="Motif",
        choices=[("", "—"), *DecisionReason.choices],
        required=False,
        help_text="Obligatoire pour refuser ou réorienter.",
    )
    reason_detail = forms.CharField(
        label="Précisions sur le motif", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason_shared = forms.BooleanField(label="Communiquer le motif au prescripteur", required=False)
    justification = forms.CharField(
        label="Justification d'une admission hors critères",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour admettre un·e candidat·e qui ne remplit pas les critères d'éligibilité.",
    )
    note = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, allowed: list[str], school_side: bool, eligible: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Any status is accepted here: the service tells an illegal move from a forbidden one.
        self.fields["to"].widget.choices = [(s, ReferralStatus(s).label) for s in allowed]
        self.fields["to"].widget.attrs["class"] = "form-check-input"
        if not school_side:
            for name in ("reason", "reason_detail", "reason_shared", "justification"):
                del self.fields[name]
            self.fields["note"].label = "Précisions (facultatif)"
        else:
            self.fields["note"].help_text = "Visible de l'équipe de l'école seulement."
            if eligible or ReferralStatus.ADMITTED not in allowed:
                del self.fields["justification"]


class InformationSessionForm(ModelForm):
    school = forms.ModelChoiceField(label="École", queryset=School.objects.none(), empty_label=None)
    starts_at = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )

    capacity = forms.IntegerField(label="Places", min_value=1, max_value=200, initial=15)

    class Meta:
        model = InformationSession
        fields = ["school", "starts_at", "place", "capacity", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = session_schools(user).order_by("name")

    def _post_clean(self):
        pass  # the service validates the session (full_clean) in its transaction
