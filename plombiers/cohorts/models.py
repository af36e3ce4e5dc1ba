import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Cast, Coalesce, Round
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.models import school_staff_q, scoped
from plombiers.network.models import School, Trade
from plombiers.privacy.crypto import EncryptedTextField
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.models import Learner, Referral

from .enums import (
    AttendanceStatus,
    CohortStatus,
    DropOutReason,
    EnrolmentStatus,
    Period,
    SessionKind,
    SignatureMethod,
    SignatureMode,
)


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
        "frameworks.Framework",
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
    # What the training convention and the OPCO documents state.
    price_per_learner = models.DecimalField(
        "prix par stagiaire (€ net de taxe)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    opco = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts_funded",
        verbose_name="OPCO ou financeur de la formation",
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

    def clean(self):
        # A cohort lasts three to four months; a year at most keeps a mistyped year from
        # generating a calendar of thousands of half-days.
        if self.start_date and self.end_date and (self.end_date - self.start_date).days > 366:
            raise ValidationError({"end_date": "Une promotion dure au plus un an : vérifiez les dates."})

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


def prescribed_by_q(user, path: str = "") -> Q:
    """Enrolments (reached through `path`) that came from this person's own referral: a prescriber
    follows the young people they sent, in the school they sent them to, and nothing of what other
    prescribers or other schools did with the same person."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}referral__prescriber": user})


class EnrolmentQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; the prescriber whose referral led to it; the learner."""
        return self.filter(
            school_staff_q(user, "cohort__school") | prescribed_by_q(user) | Q(learner__user=user)
        )

    def active(self):
        return self.filter(status=EnrolmentStatus.ACTIVE)

    def with_list_related_data(self):
        return self.select_related("learner", "cohort__school", "referral")

    def on(self, date):
        """Enrolments that are part of the cohort on that day: entered, not yet left."""
        return self.filter(entry_date__lte=date).filter(Q(end_date__isnull=True) | Q(end_date__gte=date))

    def with_hours(self):
        """Annotate the minutes of training attended and missed, from the signed (locked) sheets
        only: `attended_minutes`, `late_minutes`, `absent_minutes`, `excused_minutes`,
        `scheduled_minutes`; and, beside them (never mixed in), the months of history imported from
        a former spreadsheet (`AttendanceHistory`): `history_attended_minutes`,
        `history_excused_minutes`, `history_absent_minutes` — subqueries, in the same query."""
        signed = Q(attendances__session__locked_at__isnull=False)
        duration = models.F("attendances__session__duration_minutes")

        def total(condition, value):
            return Coalesce(Sum(value, filter=signed & condition), 0)

        return self.annotate(
            **history_minutes(),
            attended_minutes=total(
                Q(attendances__status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
                duration - models.F("attendances__late_minutes"),
            ),
            late_minutes=total(
                Q(attendances__status=AttendanceStatus.LATE), models.F("attendances__late_minutes")
            ),
            absent_minutes=total(Q(attendances__status=AttendanceStatus.ABSENT), duration),
            excused_minutes=total(Q(attendances__status=AttendanceStatus.EXCUSED), duration),
            scheduled_minutes=total(Q(), duration),
        )

    def with_minutes(self, start: dt.date | None = None, end: dt.date | None = None):
        """Annotate what the readers of hours (funding, impact) sum: `sheet_attended_minutes` and
        `sheet_scheduled_minutes` on the signed sheets (the rule of `with_hours`), the same two from
        the imported history (`history_attended_minutes`, `history_scheduled_minutes`: attended plus
        excused and unexcused absences), and `total_attended_minutes`, `total_scheduled_minutes`.
        Between two dates when given: a half-day by its date, a month of history by its first day.
        Correlated subqueries: no join multiplies the rows, the caller's query stays one query."""
        signed = Attendance.objects.signed().filter(enrolment=models.OuterRef("pk"))
        months = AttendanceHistory.objects.filter(enrolment=models.OuterRef("pk"))
        if start is not None:
            signed, months = signed.filter(session__date__gte=start), months.filter(month__gte=start)
        if end is not None:
            signed, months = signed.filter(session__date__lte=end), months.filter(month__lte=end)

        def summed(queryset, expression):
            rows = queryset.order_by().values("enrolment").annotate(n=Sum(expression)).values("n")
            return Coalesce(models.Subquery(rows, output_field=models.IntegerField()), 0)

        there = Q(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE])
        duration = models.F("session__duration_minutes")
        annotated = self.annotate(
            sheet_attended_minutes=summed(signed.filter(there), duration - models.F("late_minutes")),
            sheet_scheduled_minutes=summed(signed, duration),
            history_attended_minutes=summed(months, MINUTES["attended_hours"]),
            history_scheduled_minutes=summed(
                months, MINUTES["attended_hours"] + MINUTES["excused_hours"] + MINUTES["unexcused_hours"]
            ),
        )
        return annotated.annotate(
            total_attended_minutes=models.F("sheet_attended_minutes") + models.F("history_attended_minutes"),
            total_scheduled_minutes=models.F("sheet_scheduled_minutes")
            + models.F("history_scheduled_minutes"),
        )


def history_minutes() -> dict:
    """The minutes of imported history of an enrolment (`with_hours`), as subqueries."""
    months = AttendanceHistory.objects.filter(enrolment=models.OuterRef("pk")).order_by().values("enrolment")

    def summed(field):
        rows = months.annotate(n=Sum(MINUTES[field])).values("n")
        return Coalesce(models.Subquery(rows, output_field=models.IntegerField()), 0)

    return {
        "history_attended_minutes": summed("attended_hours"),
        "history_excused_minutes": summed("excused_hours"),
        "history_absent_minutes": summed("unexcused_hours"),
    }


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
    drop_out_detail = EncryptedTextField("précisions", blank=True)
    eligibility_override = models.TextField("justification d'une entrée hors critères", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        ordering = ["learner__last_name", "learner__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(status=EnrolmentStatus.ACTIVE),
                name="enrolment_one_active_per_learner",
            ),
            models.UniqueConstraint(fields=["learner", "cohort"], name="enrolment_once_per_cohort"),
            models.CheckConstraint(
                name="enrolment_drop_out_has_reason_and_date",
                condition=~Q(status=EnrolmentStatus.DROPPED_OUT)
                | (~Q(drop_out_reason="") & Q(end_date__isnull=False)),
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


# --- Schedule and attendance ---------------------------------------------------------------------


class TrainingSessionQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; a learner sees the sessions of their cohort."""
        return self.filter(
            school_staff_q(user, "cohort__school")
            | Q(cohort__in=Enrolment.objects.filter(learner__user=user).values("cohort"))
        )

    def locked(self):
        return self.filter(locked_at__isnull=False)

    def with_list_related_data(self):
        return self.select_related("cohort__school", "block", "trainer").annotate(
            mark_count=Count("marks", distinct=True),
            signed_count=Count("marks", filter=Q(marks__signature__isnull=False), distinct=True),
        )


class TrainingSession(models.Model):
    """One half-day of training of a cohort, and its attendance sheet."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField("date")
    period = models.CharField("demi-journée", max_length=10, choices=Period.choices)
    start_time = models.TimeField("début")
    end_time = models.TimeField("fin")
    # Set by the services from the two times: the unit every hour count sums.
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)")
    kind = models.CharField(
        "nature", max_length=20, choices=SessionKind.choices, default=SessionKind.PLATFORM
    )
    block = models.ForeignKey(
        "frameworks.Block",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="bloc de compétences travaillé",
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions_led",
        verbose_name="formateur·rice",
    )
    # A short code the trainer shows so that learners sign on their own phone.
    signing_code = models.CharField(max_length=8, blank=True)
    signing_code_expires_at = models.DateTimeField(null=True, blank=True)
    # Wrong codes are counted from here: a new code unlocks the learners locked out of the last one.
    signing_code_issued_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField("signée et verrouillée le", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trainer_signature = models.ForeignKey(
        "Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "demi-journée de formation"
        verbose_name_plural = "demi-journées de formation"
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "date", "period"], name="session_one_per_half_day"),
            models.CheckConstraint(
                name="session_end_after_start", condition=Q(end_time__gt=models.F("start_time"))
            ),
            models.CheckConstraint(name="session_duration_positive", condition=Q(duration_minutes__gte=1)),
            models.CheckConstraint(
                name="session_locked_is_signed",
                condition=Q(locked_at__isnull=True) | Q(trainer_signature__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["cohort", "date"]), models.Index(fields=["date", "locked_at"])]

    def __str__(self):
        return f"{self.cohort.name} — {self.date:%d/%m/%Y} {self.get_period_display().lower()}"

    def get_absolute_url(self):
        return reverse("cohorts:session_detail", args=[self.pk])

    @property
    def starts_at(self) -> dt.datetime:
        """When the half-day begins, in the school's time (Europe/Paris)."""
        return dt.datetime.combine(self.date, self.start_time, tzinfo=timezone.get_current_timezone())

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Signature(models.Model):
    """A signature: who signed, when and where (`method`), and how (`mode`) — drawn with a finger
    (the SVG built from its strokes), or, for whoever cannot draw, the full name typed with an
    explicit confirmation (`typed_name`, no drawing)."""

    svg = models.TextField(blank=True)
    signer_name = models.CharField("signataire", max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Le compte connecté au moment de la signature.",
    )
    method = models.CharField("moyen", max_length=10, choices=SignatureMethod.choices)
    mode = models.CharField(
        "manière de signer", max_length=10, choices=SignatureMode.choices, default=SignatureMode.DRAWN
    )
    typed_name = models.CharField(
        "nom saisi", max_length=200, blank=True, help_text="Le nom tapé par la personne qui signe sans tracé."
    )
    signed_at = models.DateTimeField("signé le")

    class Meta:
        verbose_name = "signature"
        constraints = [
            models.CheckConstraint(
                name="signature_typed_has_name_and_no_drawing",
                condition=Q(mode=SignatureMode.DRAWN, typed_name="")
                | (Q(mode=SignatureMode.TYPED, svg="") & ~Q(typed_name="")),
            ),
        ]

    def __str__(self):
        return f"{self.signer_name} ({self.signed_at:%d/%m/%Y %H:%M})"

    @property
    def is_typed(self) -> bool:
        return self.mode == SignatureMode.TYPED

    @property
    def typed_mention(self) -> str:
        """What the sheet and its PDF state in place of a drawing."""
        at = timezone.localtime(self.signed_at)
        return f'Signé sans tracé : nom saisi "{self.typed_name}" le {at:%d/%m/%Y} à {at:%H:%M}'


class AttendanceQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        return self.filter(session__in=TrainingSession.objects.visible_to(user))

    def signed(self):
        """Marks on sheets the trainer has signed: the only ones that count."""
        return self.filter(session__locked_at__isnull=False)


def attendance_proof_path(instance, filename: str) -> str:
    # A random name: what the person called the file (often their name) never reaches the disk.
    return f"justificatifs/{instance.session.cohort.school_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"


class Attendance(models.Model):
    """One learner on one half-day sheet: present, late, absent or excused, and their signature."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="marks")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField("présence", max_length=10, choices=AttendanceStatus.choices)
    late_minutes = models.PositiveSmallIntegerField("minutes de retard", default=0)
    excuse_reason = models.CharField("motif de l'absence", max_length=200, blank=True)
    proof = models.FileField("justificatif", upload_to=attendance_proof_path, blank=True)
    signature = models.ForeignKey(
        Signature, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "présence"
        ordering = ["session", "enrolment__learner__last_name", "enrolment__learner__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_one_per_learner"),
            models.CheckConstraint(
                name="attendance_late_has_minutes",
                condition=Q(status=AttendanceStatus.LATE, late_minutes__gte=1)
                | (~Q(status=AttendanceStatus.LATE) & Q(late_minutes=0)),
            ),
            models.CheckConstraint(
                name="attendance_signed_only_if_there",
                condition=Q(signature__isnull=True)
                | Q(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "status"])]

    def __str__(self):
        return f"{self.enrolment.learner} — {self.session} : {self.get_status_display()}"

    @property
    def is_there(self) -> bool:
        return self.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)

    @property
    def minutes_attended(self) -> int:
        if not self.is_there:
            return 0
        return max(self.session.duration_minutes - self.late_minutes, 0)


class AttendanceAmendment(models.Model):
    """A change to a signed sheet: who, when, why, and the mark before and after."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="amendments")
    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="amendments")
    reason = models.TextField("motif de la modification")
    before = models.JSONField()
    after = models.JSONField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "modification d'une feuille signée"
        verbose_name_plural = "modifications de feuilles signées"
        ordering = ["session", "at", "pk"]

    def __str__(self):
        return f"{self.attendance} — {self.at:%d/%m/%Y}"


class SigningCodeAttempt(models.Model):
    """A wrong signing code typed on a learner's phone.

    Counted per learner and half-day since the code was shown (past the limit, that learner's code
    is locked until the trainer shows a new one) and per address over a few minutes (a throttle):
    rows in a table, which never refuse a count under contention as a cache lock would. Kept a day.
    """

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="code_attempts")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "code d'émargement erroné"
        verbose_name_plural = "codes d'émargement erronés"
        indexes = [
            models.Index(fields=["session", "enrolment", "at"]),
            models.Index(fields=["at", "address"]),
        ]

    def __str__(self):
        return f"{self.enrolment_id} — {self.session_id} ({self.at:%d/%m/%Y %H:%M})"


# --- Attendance history imported from a former spreadsheet --------------------------------------

#: What a month can hold: ten hours a day (the longest working day of the Code du travail) on
#: every day of the longest month. The import checks the month's own number of days.
MAX_HOURS_A_DAY = 10
MAX_MONTH_HOURS = 31 * MAX_HOURS_A_DAY

#: Hours (a decimal with two places) as whole minutes, rounded, for the sums.
MINUTES = {
    name: Cast(Round(models.F(name) * 60), output_field=models.IntegerField())
    for name in ("attended_hours", "excused_hours", "unexcused_hours")
}


class AttendanceHistoryQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        return self.filter(enrolment__in=Enrolment.objects.visible_to(user))


class AttendanceHistory(models.Model):
    """The hours of one learner in one month, brought from the school's former spreadsheets (a
    school moving to Plombiers mid-year): attended, absent with an excuse, absent without. Read
    beside the signed sheets (funding, impact, the cohort's page), never instead of them: a month
    whose sheets carry marks for the cohort has no history (`services` of the import refuse it), so
    that no hour counts twice. Written and undone by an import only (`import_job`)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendance_history", verbose_name="inscription"
    )
    month = models.DateField("mois", help_text="Le premier jour du mois.")
    attended_hours = models.DecimalField("heures suivies", max_digits=5, decimal_places=2)
    excused_hours = models.DecimalField("heures d'absence justifiée", max_digits=5, decimal_places=2)
    unexcused_hours = models.DecimalField("heures d'absence injustifiée", max_digits=5, decimal_places=2)
    # The import that brought it (`imports.ImportJob`, a layer above: its id, not a foreign key).
    import_job = models.PositiveIntegerField("import", null=True, blank=True, db_index=True)
    source = models.CharField("fichier d'origine", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttendanceHistoryQuerySet.as_manager()

    class Meta:
        verbose_name = "mois d'historique d'assiduité"
        verbose_name_plural = "historique d'assiduité"
        ordering = ["enrolment", "month"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "month"], name="attendance_history_one_per_month"),
            models.CheckConstraint(
                name="attendance_history_hours_range",
                condition=Q(attended_hours__gte=0, excused_hours__gte=0, unexcused_hours__gte=0)
                & Q(
                    attended_hours__lte=MAX_MONTH_HOURS
                    - models.F("excused_hours")
                    - models.F("unexcused_hours")
                ),
            ),
            models.CheckConstraint(name="attendance_history_first_of_month", condition=Q(month__day=1)),
        ]

    def __str__(self):
        return f"{self.enrolment.learner} — {self.month:%m/%Y}"

    @property
    def total_hours(self):
        return self.attended_hours + self.excused_hours + self.unexcused_hours
