from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from plombiers.accounts.models import school_staff_q, scoped
from plombiers.network.models import School, Trade
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Learner, Referral

from .enums import CohortStatus, DropOutReason, EnrolmentStatus


class CohortQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and the network staff; a learner sees their own cohort."""
        return self.filter(
            school_staff_q(user) | Q(pk__in=Enrolment.objects.filter(learner__user=user).values("cohort"))
        )

    def with_list_related_data(self):
        return self.select_related("school", "trade").annotate(
            active_count=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE), distinct=True
            ),
            waitlist_count=Count(
                "waitlist", filter=Q(waitlist__referral__status=ReferralStatus.WAITLIST), distinct=True
            ),
        )

    def open_for_admission(self):
        return self.filter(status__in=[CohortStatus.PLANNED, CohortStatus.ONGOING])


class Cohort(models.Model):
    """A group of young people trained together for three to four months."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cohorts", verbose_name="école")
    trade = models.ForeignKey(Trade, on_delete=models.PROTECT, related_name="cohorts", verbose_name="métier")
    name = models.CharField("nom", max_length=150)
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    capacity = models.PositiveSmallIntegerField("places")
    # Reference data: the framework version the cohort trains on, fixed when it is created.
    framework = models.ForeignKey(
        "skills.Framework",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name="référentiel de compétences",
    )
    status = models.CharField(
        "statut", max_length=10, choices=CohortStatus.choices, default=CohortStatus.PLANNED, db_index=True
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cohorts_trained", blank=True, verbose_name="formateur·rices"
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts_supported",
        verbose_name="accompagnateur·rice",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = "promotion"
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                name="cohort_end_after_start", condition=Q(end_date__gt=models.F("start_date"))
            ),
            models.CheckConstraint(
                name="cohort_capacity_range", condition=Q(capacity__gte=1, capacity__lte=30)
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self):
        return f"{self.name} ({self.school})"

    def get_absolute_url(self):
        return reverse("cohorts:cohort_detail", args=[self.pk])

    def active_enrolment_count(self) -> int:
        if hasattr(self, "active_count"):
            return self.active_count
        return self.enrolments.filter(status=EnrolmentStatus.ACTIVE).count()

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.active_enrolment_count(), 0)

    @property
    def is_open_for_admission(self) -> bool:
        return self.status in (CohortStatus.PLANNED, CohortStatus.ONGOING)


class EnrolmentQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; the prescriber of the young person; the learner."""
        return self.filter(
            school_staff_q(user, "cohort__school")
            | Q(learner__in=Referral.objects.filter(prescriber=user).values("learner"))
            | Q(learner__user=user)
        )

    def active(self):
        return self.filter(status=EnrolmentStatus.ACTIVE)

    def with_list_related_data(self):
        return self.select_related("learner", "cohort__school", "referral")


class Enrolment(models.Model):
    """A young person in a cohort."""

    learner = models.ForeignKey(
        Learner, on_delete=models.PROTECT, related_name="enrolments", verbose_name="jeune"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="enrolments", verbose_name="promotion"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    status = models.CharField(
        "statut",
        max_length=10,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ACTIVE,
        db_index=True,
    )
    entry_date = models.DateField("date d'entrée")
    end_date = models.DateField("date de sortie", null=True, blank=True)
    drop_out_reason = models.CharField(
        "motif d'abandon", max_length=20, choices=DropOutReason.choices, blank=True
    )
    drop_out_detail = models.TextField("précisions", blank=True)
    eligibility_override = models.TextField("justification d'une entrée hors critères", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        ordering = ["learner__last_name", "learner__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"], condition=Q(status="active"), name="enrolment_one_active_per_learner"
            ),
            models.UniqueConstraint(fields=["learner", "cohort"], name="enrolment_once_per_cohort"),
            models.CheckConstraint(
                name="enrolment_drop_out_has_reason_and_date",
                condition=~Q(status="abandon") | (~Q(drop_out_reason="") & Q(end_date__isnull=False)),
            ),
            models.CheckConstraint(
                name="enrolment_end_after_entry",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("entry_date")),
            ),
        ]

    def __str__(self):
        return f"{self.learner} — {self.cohort}"


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self):
        """Entries whose referral still waits: a candidate refused, redirected or cancelled meanwhile
        keeps their history but leaves the line."""
        return self.filter(referral__status=ReferralStatus.WAITLIST)


class WaitlistEntry(models.Model):
    """A candidate waiting for a seat in a cohort, in order."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="waitlist")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="waitlist_entries")
    position = models.PositiveIntegerField("rang")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "place en liste d'attente"
        verbose_name_plural = "liste d'attente"
        ordering = ["cohort", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["cohort", "referral"], name="waitlist_unique")]

    def __str__(self):
        return f"{self.position}. {self.referral.learner} — {self.cohort}"
