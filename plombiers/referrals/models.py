import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership, school_staff_q, scoped
from plombiers.lib.text import fold
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import Commune, Organisation, School
from plombiers.privacy.crypto import EncryptedTextField

from .enums import (
    NEXT_STEP,
    OPEN_STATUSES,
    TRANSITIONS,
    DecisionReason,
    Diploma,
    DrivingLicence,
    Gender,
    LastClass,
    ReferralSource,
    ReferralStatus,
    Transport,
)


def identity_key(*, last_name: str, first_name: str, birth_date: dt.date) -> str:
    """Same person, whatever the case, accents and hyphens: « Lefèvre-Durand » = « lefevre durand »."""
    return f"{fold(last_name)}|{fold(first_name)}|{birth_date.isoformat()}"


def referrable_schools(user):
    """The schools this person may refer a young person to: a prescriber the partners of their
    structure, a manager their school, network staff every school of their network. Never a closed one."""
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    schools = School.objects.exclude(status=SchoolStatus.CLOSED)
    if user.is_superuser:
        return schools
    mine = Membership.objects.filter(user=user)
    return schools.filter(
        Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
        | Q(pk__in=mine.filter(role=Role.SCHOOL_MANAGER).values("school"))
        | Q(partnerships__organisation__in=mine.filter(role=Role.PRESCRIBER).values("organisation"))
    ).distinct()


def session_schools(user):
    """Schools whose information sessions this person organises: their school, or their network's."""
    if not user.is_authenticated or not user.is_active:
        return School.objects.none()
    if user.is_superuser:
        return School.objects.all()
    mine = Membership.objects.filter(user=user)
    return School.objects.filter(
        Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
        | Q(pk__in=mine.filter(role__in=SCHOOL_ROLES).values("school"))
    )


class LearnerQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff: the records of their network's schools. School staff: their school's records.
        Prescribers: the records of the young people they referred (one per school they referred them
        to). A learner: their own record."""
        return self.filter(
            school_staff_q(user)
            | Q(pk__in=Referral.objects.filter(prescriber=user).values("learner"))
            | Q(user=user)
        )

    def same_person(self, learner: "Learner"):
        """The other schools' records of the same person (for network statistics and the network
        staff's duplicate checks): never use it to widen what someone sees — chain `visible_to`."""
        return self.filter(identity_key=learner.identity_key).exclude(pk=learner.pk)


class Learner(models.Model):
    """A school's record of a young person, from referral to follow-up. Never the NIR.

    Each school keeps its own record (schools are often run by different legal entities, each
    responsible for what it collects): referring a person a school already knows reuses that
    school's record; referring them to another school starts a new one there. The records of the
    same person share `identity_key`, which links them for the network's statistics and duplicate
    detection without letting anyone read across schools."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="learners", verbose_name="école"
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    birth_date = models.DateField("date de naissance")
    gender = models.CharField("genre", max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    address = models.CharField("adresse", max_length=250, blank=True)
    lives_in_qpv = models.BooleanField("habite un quartier prioritaire (QPV)", default=False)
    highest_diploma = models.CharField("diplôme le plus élevé", max_length=20, choices=Diploma.choices)
    last_class = models.CharField(
        "dernière classe suivie", max_length=20, choices=LastClass.choices, blank=True
    )
    neet_since = models.DateField("sans emploi ni formation depuis", null=True, blank=True)
    is_neet = models.BooleanField("ni en emploi, ni en études, ni en formation", default=True)
    has_rqth = models.BooleanField("reconnaissance de travailleur handicapé (RQTH)", default=False)
    driving_licence = models.CharField(
        "permis de conduire", max_length=10, choices=DrivingLicence.choices, default=DrivingLicence.NONE
    )
    transport = models.CharField("moyen de transport", max_length=20, choices=Transport.choices, blank=True)
    max_travel_km = models.PositiveSmallIntegerField(
        "distance de déplacement possible (km)", null=True, blank=True
    )
    france_travail_id = models.CharField("identifiant France Travail", max_length=20, blank=True)
    identity_key = models.CharField(max_length=250, db_index=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="learner"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LearnerQuerySet.as_manager()

    class Meta:
        verbose_name = "jeune"
        verbose_name_plural = "jeunes"
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(name="learner_travel_distance_range", condition=Q(max_travel_km__lte=500)),
            models.UniqueConstraint(fields=["school", "identity_key"], name="learner_one_record_per_school"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self):
        return reverse("referrals:learner_detail", args=[self.pk])

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ReferralQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff: their network. School staff: their school. A prescriber: their own referrals.
        A learner: theirs. Funders: none."""
        return self.filter(school_staff_q(user) | Q(prescriber=user) | Q(learner__user=user))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_list_related_data(self):
        return self.select_related("learner__commune", "school", "prescriber", "prescriber_organisation")

    def listed(self):
        """For a list (the page, the API's, a young person's referrals): what a line shows, nothing
        else. Not the young person's other fields, their commune, the prescriber's account, nor the
        motivation, an encrypted text decrypted for nothing and held in clear (a page of 100 built
        600 objects with all their fields: a third of the API's time)."""
        return self.select_related("learner", "school", "prescriber_organisation").only(
            "status",
            "referred_on",
            "source",
            "eligibility",
            "learner__first_name",
            "learner__last_name",
            "learner__birth_date",
            "learner__lives_in_qpv",
            "learner__has_rqth",
            "school__name",
            "prescriber_organisation__name",
        )


class Referral(models.Model):
    """A prescriber proposes a young person to a school."""

    learner = models.ForeignKey(
        Learner, on_delete=models.PROTECT, related_name="referrals", verbose_name="jeune"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="referrals", verbose_name="école"
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        null=True,
        blank=True,
        verbose_name="prescripteur·rice",
    )
    prescriber_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
        verbose_name="structure prescriptrice",
    )
    motivation = EncryptedTextField("motivation et situation", blank=True)
    source = models.CharField(
        "origine", max_length=20, choices=ReferralSource.choices, default=ReferralSource.PRESCRIPTION
    )
    # A self-referral: when the young person agreed to be contacted by the school (the form asks it).
    contact_consent_at = models.DateTimeField("accord pour être recontacté·e le", null=True, blank=True)
    referred_on = models.DateField("date de prescription", default=timezone.localdate)
    status = models.CharField(
        "statut", max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.NEW, db_index=True
    )
    status_changed_at = models.DateTimeField("dernière étape", default=timezone.now)
    reason = models.CharField("motif", max_length=30, choices=DecisionReason.choices, blank=True)
    reason_detail = models.TextField("précisions sur le motif", blank=True)
    reason_shared = models.BooleanField("motif communiqué au prescripteur", default=False)
    eligibility = models.JSONField("éligibilité", default=dict, blank=True)
    eligibility_override = models.TextField("justification d'une admission hors critères", blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "prescription"
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="referral_idempotency",
            ),
            models.UniqueConstraint(
                fields=["learner", "school"],
                condition=Q(status__in=[*OPEN_STATUSES, ReferralStatus.WAITLIST]),
                name="referral_one_open_per_learner_and_school",
            ),
            models.CheckConstraint(
                name="referral_reason_when_refused_or_redirected",
                condition=~Q(status__in=[ReferralStatus.REFUSED, ReferralStatus.REDIRECTED]) | ~Q(reason=""),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "status_changed_at"]),
        ]

    def __str__(self):
        return f"{self.learner} → {self.school}"

    def get_absolute_url(self):
        return reverse("referrals:referral_detail", args=[self.pk])

    @property
    def next_step(self) -> str:
        return NEXT_STEP[self.status]

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    @property
    def is_self_referral(self) -> bool:
        """The young person applied through the public catalogue, without a prescriber."""
        return self.source == ReferralSource.SELF_REFERRAL

    @property
    def is_eligible(self) -> bool:
        return bool(self.eligibility.get("eligible"))


class ReferralEvent(models.Model):
    """One step of a referral's history: who moved it, when, from where to where, why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("de", max_length=30, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=30, choices=ReferralStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("date", default=timezone.now)
    reason = models.CharField("motif", max_length=30, choices=DecisionReason.choices, blank=True)
    note = models.TextField("note", blank=True)

    class Meta:
        verbose_name = "étape de prescription"
        verbose_name_plural = "historique des prescriptions"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral_id}: {self.from_status or '—'} → {self.to_status}"


class InformationSessionQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and the network staff."""
        return self.filter(school_staff_q(user))


class InformationSession(models.Model):
    """A group presentation of the school before admission."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="information_sessions")
    starts_at = models.DateTimeField("date et heure")
    place = models.CharField("lieu", max_length=250)
    capacity = models.PositiveSmallIntegerField("places", default=15)
    notes = models.TextField("informations pratiques", blank=True)
    referrals = models.ManyToManyField(Referral, through="Invitation", related_name="information_sessions")

    objects = InformationSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "information collective"
        verbose_name_plural = "informations collectives"
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(name="information_session_capacity", condition=Q(capacity__gte=1))
        ]

    def __str__(self):
        return f"{self.school} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("referrals:session_detail", args=[self.pk])


class Invitation(models.Model):
    session = models.ForeignKey(InformationSession, on_delete=models.CASCADE, related_name="invitations")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="invitations")
    invited_at = models.DateTimeField(auto_now_add=True)
    attended = models.BooleanField("présent·e", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["referral__learner__last_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "referral"], name="invitation_unique")]

    def __str__(self):
        return f"{self.referral.learner} — {self.session}"
