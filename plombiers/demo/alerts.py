"""The demo's drop-out early warnings: the rules of `plombiers.alerts`, run over the history.

The attendance history (`attendance.py`) makes the young people who dropped out slide in their
last weeks; here the same rules the nightly job applies are run on the days before each drop-out
and on every Friday of the cohorts under way, so that most drop-outs were preceded by alerts and a
few fragile learners who stayed were flagged too. Alerts older than a few days were acknowledged by
the cohort's social worker (or a trainer) the next working day, with a note; this week's are left
open, for a visitor to see and act on. The rules themselves are never copied here.
"""

import datetime as dt
import random
from collections import defaultdict

from django.db.models import F
from django.utils import timezone

from plombiers.alerts.models import Alert
from plombiers.alerts.services import alerts_compute
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment

from .network import DemoNetwork

NOTES = [
    "Appel au jeune le jour même : il traverse une période difficile, entretien fixé demain matin.",
    "Entretien individuel : problème de transport, solution de covoiturage trouvée avec un autre stagiaire.",
    "Échange avec le conseiller de la Mission Locale, point à trois prévu la semaine prochaine.",
    "Rencontre avec la jeune : rendez-vous médicaux à venir, absences prévenues désormais.",
    "Message laissé, pas de réponse ; relance par SMS et courrier.",
    "Point avec la formatrice : rythme adapté sur le plateau pendant deux semaines.",
    "Entretien : souhaite arrêter pour un emploi saisonnier, on étudie un aménagement.",
]


def _friday_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


class AlertsBuilder:
    def __init__(self, seed: int = 2017):
        self.seed = seed

    def build(self, demo: DemoNetwork) -> int:
        today = timezone.localdate()
        enrolments = Enrolment.objects.filter(cohort__school__network=demo.network)
        checks: dict[dt.date, set[int]] = defaultdict(set)
        # The days before each drop-out: when the team could have seen it coming.
        dropped = enrolments.filter(status=EnrolmentStatus.DROPPED_OUT, end_date__isnull=False)
        for pk, entry, end in dropped.values_list("pk", "entry_date", "end_date"):
            for days_before in (1, 6):
                day = end - dt.timedelta(days=days_before)
                if day > entry:
                    checks[day].add(pk)
        # Every Friday of the cohorts under way, up to today: what the nightly job found.
        ongoing = Cohort.objects.filter(school__network=demo.network, status=CohortStatus.ONGOING)
        ongoing_enrolments = enrolments.filter(cohort__in=ongoing)
        for start in ongoing.values_list("start_date", flat=True).distinct():
            friday = _friday_before(today)
            while friday > start:
                checks[friday].update(
                    ongoing_enrolments.filter(cohort__start_date=start).values_list("pk", flat=True)
                )
                friday -= dt.timedelta(days=7)
        checks[today].update(ongoing_enrolments.values_list("pk", flat=True))

        # In the order of time, each alert acknowledged before the next check: a later alert on the
        # same learner is then a new one, as it was for the team, and a second run finds them all.
        last_acknowledged = today - dt.timedelta(days=4)
        raised = 0
        for day in sorted(checks):
            self.acknowledge(demo, before=min(day - dt.timedelta(days=1), last_acknowledged))
            raised += alerts_compute(on=day, enrolments=sorted(checks[day]))
        self.acknowledge(demo, before=last_acknowledged)
        return raised

    def acknowledge(self, demo: DemoNetwork, *, before: dt.date) -> None:
        """Alerts raised before that day were taken in hand the next working day (those of the
        last few days are left open)."""
        pending = (
            Alert.objects.filter(
                school__network=demo.network, acknowledged_at__isnull=True, raised_on__lt=before
            )
            .annotate(social_worker=F("enrolment__cohort__social_worker"))
            .order_by("pk")
        )
        rows = []
        for alert in pending:
            rng = random.Random(f"{self.seed}-alert-{alert.enrolment_id}-{alert.rule}-{alert.raised_on}")
            next_day = alert.raised_on + dt.timedelta(days=3 if alert.raised_on.weekday() == 4 else 1)
            alert.acknowledged_at = timezone.make_aware(
                dt.datetime.combine(next_day, dt.time(9 + rng.randrange(8), rng.randrange(60)))
            )
            alert.acknowledged_by_id = alert.social_worker
            alert.note = rng.choice(NOTES)
            rows.append(alert)
        Alert.objects.bulk_update(rows, ["acknowledged_at", "acknowledged_by", "note"], batch_size=500)


def demo_alert_counts(network) -> dict[str, int]:
    alerts = Alert.objects.filter(school__network=network)
    dropped = Enrolment.objects.filter(cohort__school__network=network, status=EnrolmentStatus.DROPPED_OUT)
    return {
        "alertes": alerts.count(),
        "ouvertes": alerts.filter(acknowledged_at__isnull=True).count(),
        "abandons précédés d'une alerte": dropped.filter(alerts__isnull=False).distinct().count(),
        "abandons": dropped.count(),
    }
