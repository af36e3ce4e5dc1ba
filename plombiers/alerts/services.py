"""Raising and acknowledging drop-out alerts."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.privacy.services import audit_log

from . import rules
from .models import Alert

NOTE_MAX_LENGTH = 2000


@transaction.atomic
def alerts_compute(*, on: dt.date | None = None, enrolments: Iterable | QuerySet | None = None) -> int:
    """Apply every enabled rule on `on` (today by default) to the enrolments in training that day
    (all of them, or those given) and raise the missing alerts; return how many were raised.

    Idempotent: an open alert of the same rule stays the only one; an acknowledged alert is raised
    again only when a fact it did not have appears (a new absence, another barrier). A few queries
    per rule whatever the number of young people.
    """
    on = on or timezone.localdate()
    active = rules.enrolments_at(on, enrolments)
    raised = 0
    for rule, params in rules.enabled_rules().items():
        findings = list(rules.RULES[rule](active=active, on=on, **params))
        if not findings:
            continue
        alerts = Alert.objects.filter(rule=rule, enrolment__in=active)
        already_open = set(alerts.open().values_list("enrolment_id", flat=True))
        acknowledged = defaultdict(set)
        for enrolment_id, facts in alerts.acknowledged().values_list("enrolment_id", "facts").iterator():
            acknowledged[enrolment_id].update((facts or {}).get("keys", []))
        new = [
            Alert(
                enrolment_id=finding.enrolment_id,
                school_id=finding.school_id,
                rule=rule,
                reason=finding.reason[:500],
                facts=finding.facts,
                raised_on=on,
            )
            for finding in findings
            if finding.enrolment_id not in already_open
            and not finding.keys <= acknowledged.get(finding.enrolment_id, set())
        ]
        Alert.objects.bulk_create(new, batch_size=500)
        raised += len(new)
    return raised


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User, note: str) -> Alert:
    """Someone of the team has seen the alert and says what was done or planned."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {
                "note": "Écrivez une note : ce qui a été fait ou prévu avec le ou la jeune (un appel, un entretien…)."
            }
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"La note est trop longue : {NOTE_MAX_LENGTH} caractères au plus."})
    if not Alert.objects.visible_to(by).filter(pk=alert.pk).exists():
        raise PermissionDenied(
            "Seule l'équipe de l'école du ou de la jeune peut prendre en compte cette alerte."
        )
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not alert.is_open:
        raise ValidationError(
            f"Cette alerte a déjà été prise en compte le {timezone.localtime(alert.acknowledged_at):%d/%m/%Y à %H:%M}."
        )
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.note = note
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
    audit_log(
        actor=by,
        action="alerts.alert.acknowledge",
        obj=alert,
        details={"rule": alert.rule, "enrolment": alert.enrolment_id},
    )
    return alert
