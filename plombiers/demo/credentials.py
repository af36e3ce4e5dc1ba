"""The demo's attestations de compétences: one for every learner of a finished enrolment who
acquired at least one gesture (a partial one for those who left early), issued by the school's
manager a week after the end, signed with the school's own key (generated into
CREDENTIAL_KEYS_DIR on first need), as `attestation_issue` would have done — but a cohort at a
time. One attestation at Roubaix was revoked (issued to the wrong cohort) and issued again.

A second run finds the attestations and changes nothing."""

import datetime as dt
import random
import uuid

from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.credentials import credential as ob3
from plombiers.credentials import services, status
from plombiers.credentials.models import Attestation, StatusList
from plombiers.credentials.snapshot import first_seen, snapshot
from plombiers.documents.services import CohortData

from .network import DemoNetwork

ISSUE_DELAY = dt.timedelta(days=7)
REVOKED_TOWN = "roubaix"
REVOCATION_REASON = "Délivrée sur la mauvaise promotion : une nouvelle attestation la remplace."


def demo_credential_counts(network) -> dict[str, int]:
    attestations = Attestation.objects.filter(school__network=network)
    return {
        "attestations": attestations.count(),
        "partielles": attestations.filter(partial=True).count(),
        "révoquées": attestations.filter(revoked_at__isnull=False).count(),
    }


class CredentialsBuilder:
    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> int:
        schools = [s for town, s in demo.schools.items() if only is None or town in only]
        if Attestation.objects.filter(school__in=schools).exists():
            return 0
        managers = {
            m.school_id: m.user
            for m in Membership.objects.filter(school__in=schools, role=Role.SCHOOL_MANAGER)
            .select_related("user")
            .order_by("-pk")
        }
        created = 0
        for school in schools:
            created += self.school(school, managers.get(school.pk))
        town = next((t for t, s in demo.schools.items() if t == REVOKED_TOWN and s in schools), None)
        if town:
            self.revoke_one(demo.schools[town], managers.get(demo.schools[town].pk))
        return created

    def school(self, school, manager) -> int:
        status_list, _ = StatusList.objects.get_or_create(school=school)
        index = status_list.next_index
        self.sign = services.signer(school)
        rows = []
        cohorts = Cohort.objects.filter(school=school, framework__isnull=False).order_by("start_date", "pk")
        for cohort in cohorts:
            ended = list(
                Enrolment.objects.filter(
                    cohort=cohort,
                    status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT],
                    end_date__isnull=False,
                ).order_by("pk")
            )
            if not ended:
                continue
            data = CohortData.load(cohort)
            seen = first_seen([e.pk for e in ended])
            for enrolment in ended:
                issued_at = dt.datetime.combine(
                    enrolment.end_date + ISSUE_DELAY, dt.time(10, 30), tzinfo=self.zone
                )
                if issued_at > self.now:
                    continue
                content = snapshot(enrolment, data, seen)
                if not content["acquired"]:
                    continue
                rows.append(self.attestation(school, enrolment, content, issued_at, index, manager))
                index += 1
        Attestation.objects.bulk_create(rows, batch_size=500)
        status_list.next_index = index
        status_list.save(update_fields=["next_index", "updated_at"])
        if rows:
            services.status_list_sign(status_list, rows[-1].issued_at)
        return len(rows)

    def attestation(self, school, enrolment, content, issued_at, index, manager) -> Attestation:
        rng = random.Random(f"{self.seed}-attestation-{enrolment.pk}")
        attestation = Attestation(
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            enrolment=enrolment,
            school=school,
            partial=content["partial"],
            snapshot=content,
            status_index=index,
            issued_at=issued_at,
            issued_by=manager,
        )
        document = ob3.build(
            public_id=attestation.public_id,
            snapshot=content,
            issued_at=issued_at,
            status_index=index,
            salt=f"{rng.getrandbits(64):016x}",
        )
        attestation.credential = status.dumps(self.sign(document, issued_at))
        return attestation

    def revoke_one(self, school, manager) -> None:
        attestation = (
            Attestation.objects.filter(school=school, partial=False).order_by("issued_at", "pk").first()
        )
        if attestation is None:
            return
        revoked_at = attestation.issued_at + dt.timedelta(days=2)
        services.attestation_revoke(attestation, by=manager, reason=REVOCATION_REASON, at=revoked_at)
