"""What each role's home counts. Every count is taken on the same queryset as the page its block
links to (the list's own selector, with the filter the link carries), so that the number on the
home is the number of rows the person finds one tap later. A fixed number of queries per block,
whatever the size of the data."""

import datetime as dt
from types import SimpleNamespace

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.alerts.enums import AlertStatus
from plombiers.alerts.models import Alert
from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.models import Cohort, Enrolment, TrainingSession
from plombiers.credentials import selectors as credentials
from plombiers.frameworks.models import Skill
from plombiers.funding import selectors as funding
from plombiers.funding.models import Grant, GrantReport, funder_organisations
from plombiers.impact import access as impact_access
from plombiers.impact import selectors as impact
from plombiers.internships.models import Internship
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import School
from plombiers.outcomes import selectors as outcomes
from plombiers.referrals.enums import OPEN_STATUSES, ReferralStatus
from plombiers.referrals.models import InformationSession, Referral, ReferralEvent
from plombiers.skills.models import Observation
from plombiers.support import permissions as support_permissions
from plombiers.support import selectors as support
from plombiers.support.models import Action

# How many rows a block lists before « voir tout » (the counts are never cut).
PREVIEW = 5
# Reports to funders shown this many days before they are due (and all the late ones).
REPORTS_AHEAD_DAYS = 30
SHEET_TODO, SHEET_TO_SIGN, SHEET_LOCKED = "à faire", "à signer", "verrouillée"


def sheet_state(session: TrainingSession) -> str:
    """« à faire » (nobody marked yet), « à signer » (marks taken, not locked), « verrouillée »."""
    if session.locked_at:
        return SHEET_LOCKED
    return SHEET_TO_SIGN if session.mark_count else SHEET_TODO


def _link(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def _count(queryset, group: str, counted: str):
    """A correlated COUNT for an annotation (0 when nothing matches)."""
    rows = queryset.order_by().values(group).annotate(n=Count(counted, distinct=True)).values("n")[:1]
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def unobserved_this_week(today: dt.date):
    """For a cohort: the skills of its framework that nobody of the cohort was observed on since
    Monday (entry positioning aside). An annotation: no query of its own."""
    monday = today - dt.timedelta(days=today.weekday())
    skills = _count(Skill.objects.filter(framework=OuterRef("framework")), "framework", "pk")
    observed = _count(
        Observation.objects.filter(
            enrolment__cohort=OuterRef("pk"), observed_on__gte=monday, is_positioning=False
        ),
        "enrolment__cohort",
        "skill",
    )
    return skills - observed


def trainer_block(user, today: dt.date) -> SimpleNamespace:
    """Today's and tomorrow's half-days with their sheet state; the cohorts under way and their
    skills matrix; the open alerts. Three queries."""
    tomorrow = today + dt.timedelta(days=1)
    sessions = list(
        TrainingSession.objects.visible_to(user)
        .filter(date__in=[today, tomorrow])
        .with_list_related_data()
        .order_by("date", "start_time", "cohort__name", "pk")
    )
    for session in sessions:
        session.state = sheet_state(session)
    cohorts = list(
        Cohort.objects.visible_to(user)
        .filter(status=CohortStatus.ONGOING, school__in=user.school_ids(Role.TRAINER))
        .select_related("school")
        .annotate(unobserved=unobserved_this_week(today))
        .order_by("name", "pk")[:PREVIEW]
    )
    return SimpleNamespace(
        role=Role.TRAINER,
        template="homes/includes/trainer.html",
        today=[s for s in sessions if s.date == today],
        tomorrow=[s for s in sessions if s.date == tomorrow],
        today_url=_link("cohorts:sessions_today"),
        cohorts=cohorts,
        alerts=Alert.objects.visible_to(user).with_status(AlertStatus.OPEN).count(),
        alerts_url=_link("alerts:alert_list", f"status={AlertStatus.OPEN}"),
    )


def social_worker_block(user, today: dt.date) -> SimpleNamespace:
    """Blocking barriers older than 14 days, actions due this week, follow-ups due or late, consents
    to ask, the young people not seen for three weeks. Six queries, on the caseload's and the
    follow-ups' own querysets."""
    schools = user.school_ids(*support_permissions.SUPPORT_ROLES)
    no_consent = support.without_data_consent(schools, today)
    return SimpleNamespace(
        no_consent=no_consent.count(),
        no_consent_first=list(no_consent[:PREVIEW]),
        role=Role.SOCIAL_WORKER,
        template="homes/includes/social_worker.html",
        urgent=support.caseload_learners(schools, today).filter(urgent=0).count(),
        urgent_after=support.URGENT_AFTER_DAYS,
        due_actions=support.due_actions(schools, today).count(),
        caseload_url=_link("support:caseload"),
        not_seen=support.not_seen(schools, today).count(),
        not_seen_days=support.NOT_SEEN_DAYS,
        not_seen_url=_link("support:caseload", "non_vus=1"),
        follow_ups=outcomes.follow_ups_due(user, today).count(),
        follow_ups_url=_link("outcomes:follow_up_list"),
    )


def referral_counts(user, statuses) -> list[SimpleNamespace]:
    """The user's referrals by status, each a link to the list filtered on it. One query."""
    rows = dict(
        Referral.objects.visible_to(user)
        .filter(status__in=statuses)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        SimpleNamespace(
            status=status,
            label=ReferralStatus(status).label,
            count=rows.get(status, 0),
            url=_link("referrals:referral_list", f"status={status}"),
        )
        for status in statuses
    ]


def reports_due(user, today: dt.date) -> list[GrantReport]:
    """Reports to funders not handed in, late or due within REPORTS_AHEAD_DAYS, of the grants the
    user sees (a manager: their school's; a funder: theirs). One query."""
    return list(
        GrantReport.objects.pending()
        .filter(
            grant__in=Grant.objects.visible_to(user),
            due_on__lte=today + dt.timedelta(days=REPORTS_AHEAD_DAYS),
        )
        .select_related("grant__funder", "grant__school")
        .order_by("due_on", "pk")[:PREVIEW]
    )


def manager_block(user, today: dt.date) -> SimpleNamespace:
    """Referrals waiting for a decision (oldest first), places left per cohort, exits to record,
    half-days past whose sheet is not locked, reports due to funders, attestations to issue, OPCO
    invoices to issue. Eight queries."""
    waiting = list(
        Referral.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES, school__in=user.school_ids(Role.SCHOOL_MANAGER))
        .select_related("learner", "school")
        .order_by("created_at", "pk")[:PREVIEW]
    )
    cohorts = list(
        Cohort.objects.visible_to(user)
        .open_for_admission()
        .filter(school__in=user.school_ids(Role.SCHOOL_MANAGER))
        .with_list_related_data()
        .order_by("start_date", "pk")[:PREVIEW]
    )
    for cohort in cohorts:
        cohort.places_left = max(cohort.capacity - cohort.active_count, 0)
    return SimpleNamespace(
        role=Role.SCHOOL_MANAGER,
        template="homes/includes/manager.html",
        by_status=referral_counts(user, OPEN_STATUSES),
        waiting=waiting,
        cohorts=cohorts,
        to_record=outcomes.exits_to_record(user).count(),
        to_record_url=_link("outcomes:to_record_list"),
        unsigned=TrainingSession.objects.visible_to(user)
        .filter(
            date__lt=today, locked_at__isnull=True, cohort__school__in=user.school_ids(Role.SCHOOL_MANAGER)
        )
        .count(),
        reports=reports_due(user, today),
        to_issue=credentials.to_issue(user).count(),
        to_issue_url=_link("credentials:to_issue"),
        invoices=funding.invoices_to_issue(user).count(),
        invoices_url=_link("funding:invoices_to_issue"),
    )


def month_figures(scope, today: dt.date) -> SimpleNamespace:
    """Since the first of the month: entries in training and exits (by their date, as the impact
    dashboards date them), hours attended on the signed sheets (as the funding pages count them).
    Three queries."""
    since = today.replace(day=1)
    row = impact.indicators(
        scope, impact.Filters(since=since, until=today), measures=["started", "exits", "positive_exits"]
    ).rows[0]
    minutes = sum(funding.attended_minutes_by_school(scope.schools, since, today).values())
    return SimpleNamespace(
        since=since,
        entries=row.measures.get("started") or 0,
        exits=row.measures.get("exits") or 0,
        positive_exits=row.measures.get("positive_exits") or 0,
        hours=minutes // 60,
    )


def network_block(user, today: dt.date) -> SimpleNamespace:
    """The network's schools, those needing attention (follow-ups late, past sheets unlocked), the
    exits and follow-ups waiting, the schools below the positive-exit target (all years, as the
    network dashboard shows them by default), the month's figures. Twelve queries."""
    schools = School.objects.visible_to(user)
    scope = impact_access.resolve_scope(user, "network")  # one query: the user's network
    below = impact.below_target_rows(
        impact.indicators(scope, group="school", measures=["positive_exits", "counted_exits"]).rows
    )
    summary = schools.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=SchoolStatus.OPEN)),
        project=Count("pk", filter=Q(status=SchoolStatus.PROJECT)),
    )
    by_trade = list(schools.values("trade__name").annotate(n=Count("pk")).order_by("trade__name"))
    # Schools needing attention: late follow-ups and past sheets left unlocked, by school.
    school = "exit__enrolment__cohort__school"
    late = {
        (pk, name, slug): n
        for pk, name, slug, n in outcomes.follow_ups_due(user, today)
        .filter(due_on__lt=today)
        .order_by()
        .values_list(school, f"{school}__name", f"{school}__slug")
        .annotate(n=Count("pk"))
    }
    unsigned = {
        (pk, name, slug): n
        for pk, name, slug, n in TrainingSession.objects.visible_to(user)
        .filter(date__lt=today, locked_at__isnull=True)
        .order_by()
        .values_list("cohort__school", "cohort__school__name", "cohort__school__slug")
        .annotate(n=Count("pk"))
    }
    attention = sorted(
        (
            SimpleNamespace(
                name=key[1],
                url=reverse("network:school_detail", args=[key[2]]),
                late=late.get(key, 0),
                unsigned=unsigned.get(key, 0),
            )
            for key in {*late, *unsigned}
        ),
        key=lambda row: (-(row.late + row.unsigned), row.name),
    )[: PREVIEW * 2]
    return SimpleNamespace(
        attention=attention,
        role=Role.NETWORK_STAFF,
        template="homes/includes/network.html",
        summary=summary,
        by_trade=by_trade,
        to_record=outcomes.exits_to_record(user).count(),
        to_record_url=_link("outcomes:to_record_list"),
        follow_ups=outcomes.follow_ups_due(user, today).count(),
        follow_ups_url=_link("outcomes:follow_up_list"),
        below_target=below,
        below_target_url=_link("impact:network", "sous_objectif=1"),
        target_percent=int(impact.TARGET * 100),
        month=month_figures(scope, today),
        impact_url=_link("impact:network"),
    )


def latest_decisions(user, per_status: int = PREVIEW) -> dict[str, list[Referral]]:
    """The user's referrals, grouped by status, the latest step first (at most `per_status` each),
    each with its latest decision: the status, its date, who took it. One query."""
    latest = ReferralEvent.objects.filter(referral=OuterRef("pk")).order_by("-at", "-pk")
    ranked = (
        Referral.objects.visible_to(user)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("status"),
                order_by=[F("status_changed_at").desc(), F("pk").desc()],
            ),
            decided_by_first=Subquery(latest.values("by__first_name")[:1]),
            decided_by_last=Subquery(latest.values("by__last_name")[:1]),
        )
        .filter(rank__lte=per_status)
        .select_related("learner", "school")
        .order_by("-status_changed_at", "-pk")
    )
    grouped: dict[str, list[Referral]] = {}
    for referral in ranked:
        referral.decided_by = f"{referral.decided_by_first or ''} {referral.decided_by_last or ''}".strip()
        grouped.setdefault(referral.status, []).append(referral)
    return grouped


def prescriber_block(user, today: dt.date) -> SimpleNamespace:
    """The prescriber's referrals by status, each with the latest decision of its last referrals;
    the next information sessions of their partner schools, « Orienter un·e jeune ». Three queries."""
    now = timezone.now()
    sessions = list(
        InformationSession.objects.filter(school__in=School.objects.visible_to(user), starts_at__gte=now)
        .select_related("school")
        .order_by("starts_at", "pk")[:PREVIEW]
    )
    by_status = referral_counts(user, [s.value for s in ReferralStatus])
    decisions = latest_decisions(user)
    for row in by_status:
        row.latest = decisions.get(row.status, [])
    return SimpleNamespace(
        role=Role.PRESCRIBER,
        template="homes/includes/prescriber.html",
        by_status=by_status,
        sessions=sessions,
    )


def funder_block(user, today: dt.date) -> SimpleNamespace:
    """The figures of the schools the funder supports, since they opened, as their space shows
    them (small cells suppressed: `funding.selectors.funder_figures`), and the reports due to them.
    Six queries."""
    schools = list(funding.funded_schools(funder_organisations(user)))
    return SimpleNamespace(
        role=Role.FUNDER,
        template="homes/includes/funder.html",
        figures=funding.funder_figures(schools, None, today=today),
        figures_url=_link("funding:funder_space") + "#titre-impact",
        reports=reports_due(user, today),
    )


BLOCKS = [
    (Role.TRAINER, trainer_block),
    (Role.SOCIAL_WORKER, social_worker_block),
    (Role.SCHOOL_MANAGER, manager_block),
    (Role.NETWORK_STAFF, network_block),
    (Role.PRESCRIBER, prescriber_block),
    (Role.FUNDER, funder_block),
]


# --- the young person -----------------------------------------------------------------------------


def learner_day(user, today: dt.date) -> SimpleNamespace:
    """What the young person needs on their phone: their current enrolment, today's half-days
    (and whether a sheet is open to sign), the next ones, their internship, their open actions. Five queries."""
    enrolment = (
        Enrolment.objects.filter(learner__user=user)
        .select_related("cohort__school", "cohort__social_worker", "learner")
        .order_by("-entry_date", "-pk")
        .first()
    )
    if enrolment is None:
        return SimpleNamespace(
            enrolment=None, today=[], next=[], internship=None, trainers=[], can_sign=False
        )
    sessions = list(
        TrainingSession.objects.visible_to(user)
        .filter(cohort=enrolment.cohort, date__gte=today)
        .select_related("trainer")
        .order_by("date", "start_time", "pk")[:6]
    )
    internship = (
        Internship.objects.visible_to(user)
        .filter(enrolment=enrolment)
        .select_related("site__company", "site__commune", "tutor")
        .order_by("-start_date", "-pk")
        .first()
    )
    trainers = list(enrolment.cohort.trainers.order_by("last_name", "first_name"))
    # Their own action plan: what to do and by when, with whom; never the team's notes (journal).
    actions = list(
        Action.objects.visible_to(user)
        .filter(barrier__learner__user=user, status__in=support.OPEN_STATUSES)
        .select_related("partner")
        .order_by("due_on", "pk")[:PREVIEW]
    )
    todays = [s for s in sessions if s.date == today]
    return SimpleNamespace(
        enrolment=enrolment,
        today=todays,
        next=[s for s in sessions if s.date > today][:3],
        can_sign=any(not s.is_locked for s in todays),
        internship=internship,
        trainers=trainers,
        actions=actions,
    )
