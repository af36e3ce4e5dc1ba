"""The drop-out early-warning rules: each one is a few set-based queries over attendance (cohorts app)
and support (support app), whatever the number of young people — never one query per learner.

Thresholds come from `settings.PLOMBIERS_ALERT_RULES`; a rule with `"enabled": False` is skipped.
Each rule yields `Finding`s: who, why in plain French, the facts, and the keys of those facts (an
acknowledged alert is raised again only when a fact it did not have appears).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from plombiers.cohorts.enums import AttendanceStatus, EnrolmentStatus, Period
from plombiers.cohorts.models import Attendance, Enrolment
from plombiers.support.enums import BarrierLevel
from plombiers.support.models import Barrier

from .enums import Rule

DEFAULTS = {
    Rule.ABSENCES: {"enabled": True, "count": 2, "half_days": 5},
    Rule.LATENESS: {"enabled": True, "count": 3, "days": 7},
    Rule.BLOCKING_BARRIER: {"enabled": True, "days": 21},
}
# The last half-days are looked for in this many days only: the window function then reads the
# recent marks of each young person, not their whole history.
ABSENCES_LOOKBACK_DAYS = 60


@dataclass(frozen=True)
class Finding:
    enrolment_id: int
    school_id: int
    rule: str
    reason: str
    facts: dict = field(default_factory=dict)

    @property
    def keys(self) -> set[str]:
        return set(self.facts.get("keys", []))


def rule_settings() -> dict[str, dict]:
    """Each rule's parameters: the defaults, overridden by `PLOMBIERS_ALERT_RULES`."""
    configured = getattr(settings, "PLOMBIERS_ALERT_RULES", {})
    unknown = set(configured) - set(Rule.values)
    if unknown:
        raise ImproperlyConfigured(f"PLOMBIERS_ALERT_RULES : règle inconnue {sorted(unknown)}")
    params = {}
    for rule, defaults in DEFAULTS.items():
        merged = {**defaults, **configured.get(rule.value, {})}
        for name, value in merged.items():
            if name != "enabled" and (not isinstance(value, int) or value < 1):
                raise ImproperlyConfigured(
                    f"PLOMBIERS_ALERT_RULES[{rule.value!r}][{name!r}] : entier ≥ 1 attendu"
                )
        params[rule.value] = merged
    return params


def enabled_rules() -> dict[str, dict]:
    return {rule: params for rule, params in rule_settings().items() if params["enabled"]}


def describe(rule: str, params: dict) -> str:
    """The rule in plain French, with its thresholds: shown on the alert list."""
    if rule == Rule.ABSENCES:
        return (
            f"{_n(params['count'], 'absence non justifiée', 'absences non justifiées')} ou plus "
            f"sur les {params['half_days']} dernières demi-journées notées du ou de la jeune."
        )
    if rule == Rule.LATENESS:
        return f"{_n(params['count'], 'retard', 'retards')} ou plus sur les {params['days']} derniers jours."
    return (
        f"Un frein périphérique de niveau « bloquant » repéré depuis {params['days']} jours ou plus "
        "et toujours pas levé."
    )


def rule_descriptions() -> list[dict]:
    params = rule_settings()
    return [
        {
            "rule": rule,
            "label": rule.label,
            "enabled": params[rule.value]["enabled"],
            "text": describe(rule, params[rule.value]),
        }
        for rule in Rule
    ]


def enrolments_at(on: dt.date, enrolments: Iterable | QuerySet | None = None) -> QuerySet:
    """Enrolments in training on `on`: active today, or — for a past date — not yet ended then."""
    active = Enrolment.objects.filter(
        Q(entry_date__lte=on) & (Q(status=EnrolmentStatus.ACTIVE) | Q(end_date__gt=on))
    )
    if enrolments is None:
        return active
    if isinstance(enrolments, QuerySet):
        return active.filter(pk__in=enrolments.values("pk"))
    return active.filter(pk__in=[getattr(e, "pk", e) for e in enrolments])


# --- the rules ---------------------------------------------------------------------------------


def absences(*, active: QuerySet, on: dt.date, count: int, half_days: int, **_) -> Iterator[Finding]:
    """Unexcused absences among the last `half_days` half-days marked for each young person
    (any sheet, signed or not: an absence is known the day it happens). One query."""
    recent = Attendance.objects.filter(
        enrolment__in=active,
        session__date__lte=on,
        session__date__gt=on - dt.timedelta(days=ABSENCES_LOOKBACK_DAYS),
    ).annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("enrolment_id")],
            order_by=[F("session__date").desc(), F("session__start_time").desc(), F("pk").desc()],
        )
    )
    rows = (
        Attendance.objects.filter(
            pk__in=recent.filter(rank__lte=half_days).values("pk"), status=AttendanceStatus.ABSENT
        )
        .order_by("enrolment_id", "session__date", "session__start_time")
        .values_list("pk", "enrolment_id", "enrolment__cohort__school_id", "session__date", "session__period")
    )
    for (enrolment_id, school_id), marks in _grouped(rows.iterator(chunk_size=2000)):
        if len(marks) < count:
            continue
        n = len(marks)
        reason = (
            f"{_n(n, 'absence non justifiée', 'absences non justifiées')} sur les {half_days} "
            f"dernières demi-journées ({', '.join(_half_day(day, period) for _pk, day, period in marks)})"
        )
        facts = {
            "threshold": count,
            "half_days": half_days,
            "absences": [{"date": day.isoformat(), "period": period} for _pk, day, period in marks],
            "keys": [f"attendance:{pk}" for pk, _day, _period in marks],
        }
        yield Finding(enrolment_id, school_id, Rule.ABSENCES, reason, facts)


def lateness(*, active: QuerySet, on: dt.date, count: int, days: int, **_) -> Iterator[Finding]:
    """Late arrivals on the half-days of the last `days` days, `on` included. One query."""
    rows = (
        Attendance.objects.filter(
            enrolment__in=active,
            status=AttendanceStatus.LATE,
            session__date__lte=on,
            session__date__gt=on - dt.timedelta(days=days),
        )
        .order_by("enrolment_id", "session__date", "session__start_time")
        .values_list("pk", "enrolment_id", "enrolment__cohort__school_id", "session__date", "session__period")
    )
    for (enrolment_id, school_id), marks in _grouped(rows.iterator(chunk_size=2000)):
        if len(marks) < count:
            continue
        n = len(marks)
        reason = (
            f"{_n(n, 'retard', 'retards')} sur les {days} derniers jours "
            f"({', '.join(_half_day(day, period) for _pk, day, period in marks)})"
        )
        facts = {
            "threshold": count,
            "days": days,
            "late": [{"date": day.isoformat(), "period": period} for _pk, day, period in marks],
            "keys": [f"attendance:{pk}" for pk, _day, _period in marks],
        }
        yield Finding(enrolment_id, school_id, Rule.LATENESS, reason, facts)


def blocking_barrier(*, active: QuerySet, on: dt.date, days: int, **_) -> Iterator[Finding]:
    """A barrier of level `bloquant` raised `days` days ago or more and not lifted on `on`.
    Reads the category only: the barrier's texts are confidential and never leave the support
    app. One query."""
    in_training = active.filter(learner=OuterRef("learner")).order_by("-entry_date", "-pk")
    rows = (
        Barrier.objects.filter(level=BarrierLevel.BLOCKING, raised_on__lte=on - dt.timedelta(days=days))
        .filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
        .filter(learner__in=active.values("learner"))
        .annotate(
            enrolment_id=Subquery(in_training.values("pk")[:1]),
            school_id=Subquery(in_training.values("cohort__school_id")[:1]),
        )
        .order_by("enrolment_id", "raised_on", "pk")
        .values_list("pk", "enrolment_id", "school_id", "raised_on", "category__name")
    )
    by_enrolment = defaultdict(list)
    for pk, enrolment_id, school_id, raised_on, category in rows.iterator(chunk_size=2000):
        by_enrolment[(enrolment_id, school_id)].append((pk, raised_on, category))
    for (enrolment_id, school_id), barriers in by_enrolment.items():
        if len(barriers) == 1:
            _pk, raised_on, category = barriers[0]
            reason = f"Frein bloquant « {category} » non levé depuis {(on - raised_on).days} jours"
        else:
            listed = ", ".join(f"« {c} » depuis {(on - r).days} jours" for _pk, r, c in barriers)
            reason = f"Freins bloquants non levés : {listed}"
        facts = {
            "days": days,
            "barriers": [
                {"category": c, "raised_on": r.isoformat(), "days": (on - r).days} for _pk, r, c in barriers
            ],
            "keys": [f"barrier:{pk}:{r.isoformat()}" for pk, r, _c in barriers],
        }
        yield Finding(enrolment_id, school_id, Rule.BLOCKING_BARRIER, reason, facts)


RULES = {Rule.ABSENCES: absences, Rule.LATENESS: lateness, Rule.BLOCKING_BARRIER: blocking_barrier}


# --- helpers -----------------------------------------------------------------------------------


def _grouped(rows) -> Iterator[tuple[tuple[int, int], list]]:
    """Rows ordered by enrolment → ((enrolment, school), [(pk, date, period), …]) one enrolment at a time."""
    current, marks = None, []
    for pk, enrolment_id, school_id, day, period in rows:
        if current is not None and current[0] != enrolment_id:
            yield current, marks
            marks = []
        current = (enrolment_id, school_id)
        marks.append((pk, day, period))
    if current is not None:
        yield current, marks


def _half_day(day: dt.date, period: str) -> str:
    return f"{day:%d/%m} {Period(period).label.lower()}"


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
