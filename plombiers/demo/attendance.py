"""The attendance history of the demo: calendars, marked and signed half-day sheets, amendments.

Every cohort of the demo network gets its calendar of half-days (`TrainingSession`): weekdays from
its first to its last day, French public holidays skipped, 9:00–12:30 and 13:30–17:00, two weeks
of internship (« stage en entreprise ») in the last third, the blocks of the cohort's framework in
turn before the internship and in rotation after it, the cohort's trainer (its second trainer, when
it has one, takes the Friday-afternoon theory). The planned cohorts and the days to come of the
ongoing ones have their half-days, unmarked; today's half-days are left open for a visitor to mark
and sign.

Every past half-day is what `attendance_mark`, `attendance_sign` and `sheet_lock` would have left:
every learner on the sheet that day (entered, not yet left) is marked, everyone there has signed,
the trainer signed last at the end of the half-day, which locked the sheet. Most young people are
nearly always there, some come late now and then, absences are excused with a reason or not, a few
have spells of unexcused absences, and those who dropped out show absences and late arrivals
piling up in their last weeks (the early-warning rules would have fired). A few absences were
turned into excused ones by an amendment when the certificate arrived. Inès (DEMO.md) has one
excused absence and two late arrivals.

To keep the database small, a young person's signature is drawn once from their name and stored in
a few `Signature` rows reused on every sheet they signed: one per half-day (morning, afternoon) and
lateness, signed two minutes after they arrived, so that the time a sheet shows lies within its
half-day; a trainer's, one per half-day, signed at its end. Sessions, signatures and amendments are written
with `bulk_create`, the marks with one prepared INSERT run many times (a few hundred thousand rows);
each cohort draws from its own random stream, so that the same seed and day give the same history,
and a second run finds the sessions and changes nothing.
"""

import bisect
import datetime as dt
import math
import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.attendance import DEFAULT_HOURS, french_holidays
from plombiers.cohorts.enums import AttendanceStatus, CohortStatus, EnrolmentStatus, Period, SessionKind
from plombiers.cohorts.enums import SignatureMethod as Method
from plombiers.cohorts.enums import SignatureMode as Mode
from plombiers.cohorts.models import (
    Attendance,
    AttendanceAmendment,
    Cohort,
    Enrolment,
    Signature,
    TrainingSession,
)
from plombiers.frameworks.models import Block
from plombiers.lib.signature import HEIGHT, WIDTH, strokes_to_svg
from plombiers.lib.text import fold
from plombiers.privacy.crypto import EncryptedTextField

from .network import DemoNetwork

INES = "jeune@plombiers.example"
PERIODS = [(period, *DEFAULT_HOURS[period]) for period in (Period.MORNING, Period.AFTERNOON)]
DURATION = 210  # minutes, both half-days
EXCUSE_REASONS = {
    "Maladie (certificat)": 24,
    "Rendez-vous France Travail": 16,
    "Rendez-vous Mission Locale": 12,
    "Démarches logement": 10,
    "Rendez-vous médical": 10,
    "Examen du code de la route": 6,
    "Rendez-vous en préfecture (titre de séjour)": 5,
    "Enfant malade": 5,
    "Convocation tribunal": 4,
    "Obsèques d'un proche": 2,
}
LATENESS = [5, 5, 5, 10, 10, 10, 15, 15, 20, 25, 30, 40]
# How present a young person is: share of the learners, P(unexcused absence), P(excused), P(late).
PROFILES = {
    "steady": (70, 0.008, 0.015, 0.02),
    "late": (15, 0.015, 0.02, 0.12),
    "fragile": (15, 0.04, 0.03, 0.06),  # and one to three spells of unexcused absences
}
DECLINE = (0.35, 0.04, 0.25)  # the last weeks of those who drop out: absent, excused, late
INES_EXCUSE = "Rendez-vous d'admission au foyer de jeunes travailleurs"
CERTIFICATE = "Maladie (certificat)"
AMENDMENT_REASON = "Certificat médical remis le {day:%d/%m/%Y} : l'absence est justifiée."


@contextmanager
def keep_at(model):
    """Let `bulk_create` write the `at` we set (the day of the amendment), not now."""
    column = model._meta.get_field("at")
    column.auto_now_add = False
    try:
        yield
    finally:
        column.auto_now_add = True


@dataclass(slots=True)
class Half:
    """One half-day to write (a model instance costs too much forty thousand times)."""

    cohort_id: int
    date: dt.date
    period: str
    start_time: dt.time
    end_time: dt.time
    kind: str
    block_id: int | None
    trainer: User | None
    created_at: dt.datetime
    locked_at: dt.datetime | None = None
    signature: Signature | None = None
    pk: int | None = None


@dataclass
class AttendancePlan:
    signatures: list[Signature] = field(default_factory=list)
    sessions: list[Half] = field(default_factory=list)
    # [half-day, enrolment id, status, late minutes, excuse reason, signature, updated by id, updated at]
    marks: list[list] = field(default_factory=list)
    amendments: list[tuple[list, AttendanceAmendment]] = field(default_factory=list)


class AttendanceBuilder:
    """Builds the calendars and attendance sheets of the demo network (after `IntakeBuilder`)."""

    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.typed_learners: set[int] = set()

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> AttendancePlan | None:
        """Write the history once: a second run finds it and changes nothing."""
        cohorts = Cohort.objects.filter(school__network=demo.network)
        if only is not None:
            cohorts = cohorts.filter(school__in=[demo.schools[town] for town in only])
        if TrainingSession.objects.filter(cohort__in=cohorts).exists():
            return None
        plan = self.plan(demo, cohorts)
        self.save(plan)
        return plan

    # --- the plan ------------------------------------------------------------------

    def plan(self, demo: DemoNetwork, cohorts) -> AttendancePlan:
        plan = AttendancePlan()
        self.signatures: dict[tuple[str, int], Signature] = {}
        cohorts = sorted(cohorts.select_related("school"), key=lambda c: (c.school.slug, c.start_date))
        trainers = defaultdict(list)
        for cohort_id, user_id in (
            Cohort.trainers.through.objects.filter(cohort__in=cohorts)
            .order_by("pk")
            .values_list("cohort_id", "user_id")
        ):
            trainers[cohort_id].append(user_id)
        school_trainers = defaultdict(list)
        for school_id, user_id in (
            Membership.objects.filter(role=Role.TRAINER, school__in={c.school_id for c in cohorts})
            .order_by("pk")
            .values_list("school_id", "user_id")
        ):
            school_trainers[school_id].append(user_id)
        wanted = {u for ids in [*trainers.values(), *school_trainers.values()] for u in ids}
        users = {u.pk: u for u in User.objects.filter(pk__in=wanted)}
        blocks = defaultdict(list)
        for block_id, framework_id in (
            Block.objects.filter(framework__in={c.framework_id for c in cohorts})
            .order_by("framework", "position", "pk")
            .values_list("pk", "framework")
        ):
            blocks[framework_id].append(block_id)
        enrolments = defaultdict(list)
        sheets = [c for c in cohorts if c.status in (CohortStatus.FINISHED, CohortStatus.ONGOING)]
        for enrolment in Enrolment.objects.filter(cohort__in=sheets).select_related("learner").order_by("pk"):
            enrolments[enrolment.cohort_id].append(enrolment)
        ines = demo.users.get(INES)
        self.typed_learners = typed_learners(cohorts, enrolments, ines)
        for cohort in cohorts:
            team = [users[u] for u in trainers[cohort.pk] or school_trainers[cohort.school_id]]
            CohortAttendance(
                self, plan, cohort, team, blocks[cohort.framework_id], enrolments[cohort.pk], ines
            ).build()
        return plan

    def signature(
        self, plan: AttendancePlan, person, name: str, at: dt.datetime, *, by: User, method: str, variant=()
    ):
        """The signature of a learner or a trainer at one time of the day (`variant`), first signed at
        `at`; the same drawing whatever the time."""
        key = (type(person).__name__, person.pk, *variant)
        if key not in self.signatures and person.pk in self.typed_learners and key[0] == "Learner":
            # Signs without drawing (issue 21): the name typed, as the sheet and its PDF then say.
            self.signatures[key] = Signature(
                svg="",
                mode=Mode.TYPED,
                typed_name=name,
                signer_name=name,
                user=by,
                method=method,
                signed_at=at,
            )
            plan.signatures.append(self.signatures[key])
        if key not in self.signatures:
            rng = random.Random(f"{self.seed}:signature:{key[0]}:{person.pk}:{name}")
            self.signatures[key] = Signature(
                svg=strokes_to_svg(signature_strokes(name, rng)),
                signer_name=name,
                user=by,
                method=method,
                signed_at=at,
            )
            plan.signatures.append(self.signatures[key])
        return self.signatures[key]

    # --- writing -------------------------------------------------------------------

    def save(self, plan: AttendancePlan) -> None:
        """The signatures with `bulk_create`; the half-days and the marks with one prepared INSERT
        each, run many times (`bulk_create` takes several times longer here); the amendments."""
        Signature.objects.bulk_create(plan.signatures, batch_size=500)
        ops = connection.ops
        adapted = {}

        def adapt(value, adapter):
            if value not in adapted:
                adapted[value] = adapter(value)
            return adapted[value]

        rows = []
        for h in plan.sessions:
            locked = h.locked_at is not None
            rows.append(
                (
                    h.cohort_id,
                    adapt(h.date, ops.adapt_datefield_value),
                    h.period,
                    adapt(h.start_time, ops.adapt_timefield_value),
                    adapt(h.end_time, ops.adapt_timefield_value),
                    DURATION,
                    h.kind,
                    h.block_id,
                    h.trainer and h.trainer.pk,
                    "",
                    adapt(h.locked_at, ops.adapt_datetimefield_value) if locked else None,
                    h.trainer.pk if locked else None,
                    h.signature.pk if locked else None,
                    adapt(h.created_at, ops.adapt_datetimefield_value),
                )
            )
        columns = ["cohort", "date", "period", "start_time", "end_time", "duration_minutes", "kind", "block",
                   "trainer", "signing_code", "locked_at", "locked_by", "trainer_signature", "created_at"]  # fmt: skip
        insert(TrainingSession, columns, rows)
        pks = {
            (cohort, date, period): pk
            for pk, cohort, date, period in TrainingSession.objects.filter(
                cohort__in={h.cohort_id for h in plan.sessions}
            ).values_list("pk", "cohort", "date", "period")
        }
        for h in plan.sessions:
            h.pk = pks[h.cohort_id, h.date, h.period]
        rows = []
        for h, enrolment_id, status, late, reason, signature, by, at in plan.marks:
            at = adapt(at, ops.adapt_datetimefield_value)
            rows.append((h.pk, enrolment_id, status, late, reason, "", signature and signature.id, by, at))
        columns = ["session", "enrolment", "status", "late_minutes", "excuse_reason", "proof", "signature",
                   "updated_by", "updated_at"]  # fmt: skip
        insert(Attendance, columns, rows)
        if not plan.amendments:
            return
        pks = {
            (session, enrolment): pk
            for pk, session, enrolment in Attendance.objects.filter(
                session__in={mark[0].pk for mark, _ in plan.amendments}
            ).values_list("pk", "session", "enrolment")
        }
        for mark, amendment in plan.amendments:
            amendment.session_id = mark[0].pk
            amendment.attendance_id = pks[mark[0].pk, mark[1]]
        with keep_at(AttendanceAmendment):
            AttendanceAmendment.objects.bulk_create([a for _, a in plan.amendments])


def insert(model, columns: list[str], rows: list[tuple]) -> None:
    """One prepared INSERT of `columns`, run for every row. Encrypted texts go through their field,
    as the ORM would write them: the database never sees them in clear."""
    ops, meta = connection.ops, model._meta
    fields = [meta.get_field(c) for c in columns]
    if encrypted := [i for i, f in enumerate(fields) if isinstance(f, EncryptedTextField)]:
        rows = [
            tuple(fields[i].get_prep_value(v) if i in encrypted else v for i, v in enumerate(row))
            for row in rows
        ]
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    table = ops.quote_name(meta.db_table)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


SHOWN_SCHOOL = "plombiers-chelles"


def typed_learners(cohorts, enrolments: dict[int, list[Enrolment]], ines: User | None) -> set[int]:
    """The learners who sign without drawing (a keyboard, not a pad): in Chelles' current cohort,
    the first learner signing on the trainer's tablet, so that Sophie's sheet shows one."""
    chosen = set()
    for cohort in cohorts:
        if cohort.school.slug != SHOWN_SCHOOL or cohort.status != CohortStatus.ONGOING:
            continue
        for enrolment in enrolments[cohort.pk]:
            if enrolment.learner.user_id is None and (ines is None or enrolment.learner.user_id != ines.pk):
                chosen.add(enrolment.learner_id)
                break
    return chosen


def shown_days(cohort: Cohort, today: dt.date) -> set[dt.date]:
    """Today and tomorrow, for the cohort a visitor is shown (Chelles' current one, DEMO.md): even on
    a weekend or a public holiday they are half-days to take, so that the attendance sheet and the
    phone signing can be tried whatever the day the demo is built (a Saturday class, in the story)."""
    if cohort.school.slug != SHOWN_SCHOOL or cohort.status != CohortStatus.ONGOING:
        return set()
    return {d for d in (today, today + dt.timedelta(days=1)) if cohort.start_date <= d <= cohort.end_date}


class CohortAttendance:
    """The calendar and the sheets of one cohort, from the cohort's own random stream."""

    def __init__(self, builder, plan, cohort, trainers, blocks, enrolments, ines):
        self.builder, self.plan, self.cohort, self.blocks = builder, plan, cohort, blocks
        self.trainer = trainers[0] if trainers else None
        self.theory_trainer = trainers[1] if len(trainers) > 1 else self.trainer
        self.enrolments, self.ines = enrolments, ines
        self.rng = random.Random(f"{builder.seed}:attendance:{cohort.school.slug}:{cohort.start_date}")
        self.today, self.zone = builder.today, builder.zone

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.zone)

    # --- the calendar ----------------------------------------------------------------

    def calendar(self) -> list[Half]:
        cohort, rng = self.cohort, self.rng
        start, end = cohort.start_date, cohort.end_date
        first_monday = start - dt.timedelta(days=start.weekday())
        weeks = (end - first_monday).days // 7 + 1
        # Two weeks of internship, starting in the last third, with at least a week after them.
        first = min(max(math.ceil(2 * weeks / 3), 1), weeks - 2)
        internship = rng.randint(first, max(first, weeks - 3))
        if self.ines is not None and any(e.learner.user_id == self.ines.pk for e in self.enrolments):
            # Inès's cohort goes to the companies early, in its 6th and 7th weeks: her story
            # (DEMO.md) shows an internship whose tutor evaluated her while the cohort is still on.
            internship = min(5, weeks - 3)
        closed = french_holidays(start, end)
        shown = shown_days(cohort, self.today)
        days = []
        day = start
        while day <= end:
            if (day.weekday() < 5 and day not in closed) or day in shown:
                days.append(day)
            day += dt.timedelta(days=1)
        written = min(self.at(start - dt.timedelta(days=rng.randint(10, 20)), dt.time(10)), self.builder.now)
        before = [d for d in days if (d - first_monday).days // 7 < internship]
        blocks = self.blocks
        sessions = []
        for index, day in enumerate(days):
            week = (day - first_monday).days // 7
            block, kind, trainer = None, SessionKind.PLATFORM, self.trainer
            if internship <= week < internship + 2:
                kind = SessionKind.INTERNSHIP
            elif blocks and week < internship:  # the blocks one after the other
                block = blocks[min(index * len(blocks) // len(before), len(blocks) - 1)]
            elif blocks:  # then in rotation, a week each
                block = blocks[(week - internship - 2) % len(blocks)]
            for period, start_time, end_time in PERIODS:
                if kind != SessionKind.INTERNSHIP and day.weekday() == 4 and period == Period.AFTERNOON:
                    kind, trainer = SessionKind.THEORY, self.theory_trainer
                sessions.append(
                    Half(cohort.pk, day, period, start_time, end_time, kind, block, trainer, written)
                )
        self.plan.sessions += sessions
        return sessions

    # --- the sheets ------------------------------------------------------------------

    def build(self) -> None:
        sessions = self.calendar()
        past = [s for s in sessions if s.date < self.today]
        if not past or self.trainer is None or not self.enrolments:
            return
        dates = [s.date for s in past]
        marks: dict[int, list] = defaultdict(list)  # by index of the half-day
        for enrolment in self.enrolments:
            first = bisect.bisect_left(dates, enrolment.entry_date)
            last = bisect.bisect_right(dates, enrolment.end_date or dt.date.max)
            if first >= last:
                continue
            if self.ines is not None and enrolment.learner.user_id == self.ines.pk:
                statuses = self.ines_statuses(last - first)
            else:
                statuses = self.statuses(enrolment, dates[first:last])
            # (the enrolment's fields read once: the loop below runs a few hundred thousand times)
            who = (enrolment.id, enrolment.learner, enrolment.status == EnrolmentStatus.DROPPED_OUT)
            for index, (status, late, reason) in enumerate(statuses, start=first):
                marks[index].append((who, status, late, reason))
        builder, plan = self.builder, self.plan
        signed: dict[tuple, Signature] = {}  # by learner, or by trainer, and time of the day
        absences = []
        there = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
        for index, session in enumerate(past):
            if not marks[index]:
                continue  # nobody on the sheet that day: nothing to sign
            trainer = session.trainer
            locked_at = self.at(session.date, session.end_time)
            session.locked_at = locked_at
            key = (-trainer.id, session.period)
            session.signature = signed.get(key) or builder.signature(
                plan, trainer, trainer.get_full_name() or trainer.email, locked_at, by=trainer,
                method=Method.TABLET, variant=(session.period,),
            )  # fmt: skip
            signed[key] = session.signature
            for (enrolment_id, learner, dropped), status, late, reason in marks[index]:
                signature = None
                if status in there:
                    key = (learner.id, session.period, late)
                    signature = signed.get(key)
                    if signature is None:
                        own = learner.user_id is not None
                        at = self.at(session.date, session.start_time) + dt.timedelta(minutes=late + 2)
                        signature = signed[key] = builder.signature(
                            plan, learner, str(learner), at, variant=(session.period, late),
                            by=learner.user if own else trainer, method=Method.PHONE if own else Method.TABLET,
                        )  # fmt: skip
                mark = [session, enrolment_id, status, late, reason, signature, trainer.id, locked_at]
                plan.marks.append(mark)
                if status == AttendanceStatus.ABSENT and not dropped:
                    absences.append(mark)
        self.amend(absences)

    def statuses(self, enrolment: Enrolment, dates: list[dt.date]) -> list[tuple[str, int, str]]:
        """The marks of one learner on the half-days they were in the cohort (their dates)."""
        rng, n = self.rng, len(dates)
        profile = rng.choices(list(PROFILES), weights=[p[0] for p in PROFILES.values()])[0]
        _, absent, excused, late = PROFILES[profile]
        spells = set()
        if profile == "fragile":
            for _ in range(rng.randint(1, 3)):
                begin = rng.randrange(n)
                spells |= set(range(begin, min(begin + rng.randint(2, 5), n)))
        decline_from = n
        dropped = enrolment.status == EnrolmentStatus.DROPPED_OUT
        if dropped:
            since = enrolment.end_date - dt.timedelta(days=rng.randint(14, 21))
            decline_from = bisect.bisect_left(dates, since)
        statuses = []
        for index in range(n):
            p_absent, p_excused, p_late = DECLINE if index >= decline_from else (absent, excused, late)
            if index in spells:
                p_absent = 0.75
            roll = rng.random()
            if roll < p_absent:
                statuses.append((AttendanceStatus.ABSENT, 0, ""))
            elif roll < p_absent + p_excused:
                statuses.append((AttendanceStatus.EXCUSED, 0, pick(rng, EXCUSE_REASONS)))
            elif roll < p_absent + p_excused + p_late:
                statuses.append((AttendanceStatus.LATE, rng.choice(LATENESS), ""))
            else:
                statuses.append((AttendanceStatus.PRESENT, 0, ""))
        if dropped:
            self.warnings(dates, statuses, decline_from)
        return statuses

    def warnings(self, dates, statuses, decline_from) -> None:
        """Before leaving: three late arrivals in one week, then the last half-days missed (the
        early-warning rules — two unexcused absences in five half-days, three late arrivals in a
        week — would have fired)."""
        rng, n = self.rng, len(statuses)
        gone = min(rng.randint(2, 4), n)
        for index in range(n - gone, n):
            statuses[index] = (AttendanceStatus.ABSENT, 0, "")
        weeks = defaultdict(list)
        for index in range(max(decline_from, 0), n - gone):
            weeks[dates[index] - dt.timedelta(days=dates[index].weekday())].append(index)
        week = next((w for w in weeks.values() if len(w) >= 4), None)
        if week is not None:
            for index in rng.sample(week, 3):
                statuses[index] = (AttendanceStatus.LATE, rng.choice(LATENESS[3:]), "")

    def ines_statuses(self, n: int) -> list[tuple[str, int, str]]:
        """DEMO.md: one excused absence (her appointment at the young workers' hostel, during the
        weeks her housing was being settled), two late arrivals, present the rest of the time."""
        statuses = [(AttendanceStatus.PRESENT, 0, "")] * n
        if n >= 3:
            statuses[round(n * 0.3)] = (AttendanceStatus.EXCUSED, 0, INES_EXCUSE)
            statuses[round(n * 0.12)] = (AttendanceStatus.LATE, 10, "")
            statuses[round(n * 0.7)] = (AttendanceStatus.LATE, 15, "")
        return statuses

    def amend(self, absences: list[list]) -> None:
        """An unexcused absence or two of the cohort turned excused when the certificate arrived."""
        rng, now = self.rng, self.builder.now
        candidates = [m for m in absences if m[0].date <= self.today - dt.timedelta(days=3)]
        count = rng.randint(1, 2) if self.cohort.status == CohortStatus.ONGOING else rng.randint(0, 2)
        for mark in rng.sample(candidates, min(count, len(candidates))):
            session = mark[0]
            day = session.date + dt.timedelta(days=rng.randint(2, 6))
            day += dt.timedelta(days=max(7 - day.weekday(), 0) if day.weekday() >= 5 else 0)  # a workday
            time = dt.time(rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
            at = min(self.at(day, time), now - dt.timedelta(minutes=5))
            before = {
                "status": AttendanceStatus.ABSENT.value,
                "late_minutes": 0,
                "excuse_reason": "",
                "signed": False,
            }
            after = {**before, "status": AttendanceStatus.EXCUSED.value, "excuse_reason": CERTIFICATE}
            mark[2], mark[4], mark[7] = AttendanceStatus.EXCUSED, CERTIFICATE, at
            amendment = AttendanceAmendment(
                reason=AMENDMENT_REASON.format(day=timezone.localtime(at).date()),
                before=before,
                after=after,
                by=session.trainer,
                at=at,
            )
            self.plan.amendments.append((mark, amendment))


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- signatures --------------------------------------------------------------------

ASCENDERS, DESCENDERS = set("bdfhklt"), set("gjpqyz")
# Capitals: a few ways of starting a signature, as (dx, dy) in units of the capital's width and height.
CAPITALS = [
    ((0, 0), (0.3, -0.6), (0.5, -1), (0.15, -0.9), (0.35, -0.4), (0.75, -0.1), (1, -0.15)),
    ((0, -0.55), (0.35, -1), (0.55, -0.6), (0.2, 0), (0.05, -0.15), (0.6, -0.2), (1, -0.1)),
    ((0.1, -0.7), (0.5, -1), (0.35, -0.3), (0, 0), (0.35, -0.05), (0.65, -0.45), (1, -0.1)),
]


def smooth(points: list[tuple[float, float]], steps: int = 3) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the points: rounded loops rather than zigzags."""
    if len(points) < 3:
        return points
    padded = [points[0], *points, points[-1]]
    curve = []
    for (x0, y0), (x1, y1), (x2, y2), (x3, y3) in zip(
        padded, padded[1:], padded[2:], padded[3:], strict=False
    ):
        for step in range(steps):
            t = step / steps
            t2, t3 = t * t, t * t * t
            curve.append(
                (
                    0.5
                    * (
                        2 * x1
                        + (x2 - x0) * t
                        + (2 * x0 - 5 * x1 + 4 * x2 - x3) * t2
                        + (3 * x1 - x0 - 3 * x2 + x3) * t3
                    ),
                    0.5
                    * (
                        2 * y1
                        + (y2 - y0) * t
                        + (2 * y0 - 5 * y1 + 4 * y2 - y3) * t2
                        + (3 * y1 - y0 - 3 * y2 + y3) * t3
                    ),
                )
            )
    curve.append(points[-1])
    return curve


def signature_strokes(name: str, rng: random.Random) -> list[list[list[float]]]:
    """A handwritten-looking signature of a name: the initial of the first name, the family name
    as a run of loops (tall for b, d, l…, below the line for g, p, y…), an underline flourish.
    Slant, size, capitals and baseline drift differ from one person to another; every point is
    jittered, then the strokes are smoothed."""
    words = [w for w in fold(name).split() if w.isalpha()] or ["x"]
    scale, slant = rng.uniform(1.2, 1.6), rng.uniform(0.1, 0.4)
    base = rng.uniform(88, 100)
    drift = rng.uniform(-0.05, 0.05)  # the line rises or falls a little
    x0 = x = rng.uniform(12, 35)
    capitals = rng.sample(CAPITALS, 2)

    def point(px: float, py: float) -> tuple[float, float]:
        py += drift * (px - x0)
        px += slant * (base - py)
        return px + rng.gauss(0, 0.9), py + rng.gauss(0, 0.9)

    def capital(stroke: list, shape, h: float) -> None:
        nonlocal x
        w = rng.uniform(14, 18) * scale
        stroke += [point(x + dx * w, base + dy * h) for dx, dy in shape]
        x += w

    strokes = []
    if len(words) > 1:  # the initial of the first name, then a dot
        first = []
        capital(first, capitals[0], rng.uniform(35, 45) * scale)
        strokes += [first, [point(x + 3, base - 2), point(x + 4, base - 2.5)]]
        x += rng.uniform(8, 14) * scale
    stroke = []
    capital(stroke, capitals[1], rng.uniform(38, 48) * scale)
    for letter in words[-1][1:]:
        if x > WIDTH - 70:
            break  # the end of a long name trails off
        w = rng.uniform(8, 11) * scale
        if letter in ASCENDERS:
            h, shape = rng.uniform(25, 32) * scale, ((0.45, -1), (0.2, -0.8), (0.5, 0), (1, -0.15))
        elif letter in DESCENDERS:
            h, shape = rng.uniform(13, 18) * scale, ((0.35, -0.6), (0.55, 0.9), (0.3, 0.7), (1, -0.1))
        else:
            h, shape = rng.uniform(8, 12) * scale, ((0.3, -1), (0.6, -0.15), (1, -0.1))
        stroke += [point(x + dx * w, base + dy * h) for dx, dy in shape]
        x += w
    strokes.append(stroke)
    start, end = x0 + rng.uniform(-8, 15), min(x + rng.uniform(5, 35), WIDTH - 15)
    depth, bend = base + rng.uniform(8, 16), rng.uniform(-6, 6)
    strokes.append(
        [point(start + (end - start) * t, depth + bend * math.sin(t * math.pi)) for t in (0, 0.3, 0.6, 1)]
    )
    return [
        [
            [round(min(max(px, 1), WIDTH - 1), 1), round(min(max(py, 1), HEIGHT - 1), 1)]
            for px, py in smooth(s)
        ]
        for s in strokes
    ]


def demo_attendance_counts(network) -> dict[str, int]:
    """What the demo command reports."""
    sessions = TrainingSession.objects.filter(cohort__school__network=network)
    marks = Attendance.objects.filter(session__cohort__school__network=network)
    signatures = Signature.objects.filter(
        Q(pk__in=marks.values("signature")) | Q(pk__in=sessions.values("trainer_signature"))
    )
    return {
        "demi-journées": sessions.count(),
        "feuilles signées": sessions.exclude(locked_at=None).count(),
        "présences": marks.count(),
        "signatures": signatures.count(),
        "modifications": AttendanceAmendment.objects.filter(session__cohort__school__network=network).count(),
    }
