import random

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.credentials.models import Attestation
from plombiers.credentials.verification import schema_errors, verify
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.credentials import CredentialsBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.network import Builder
from plombiers.demo.skills import SkillsBuilder
from plombiers.frameworks.loader import frameworks_load


def test_every_finished_learner_has_a_signed_attestation_and_one_is_revoked(communes):
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    towns = {"chelles", "roubaix"}
    intake.save(intake.plan(demo, intake.prescribers(demo), only=towns))
    SkillsBuilder().build(demo, only=towns)
    AttendanceBuilder().build(demo, only=towns)
    created = CredentialsBuilder().build(demo, only=towns)
    finished = Enrolment.objects.filter(
        status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT],
        observations__level__in=["acquis", "maitrise"],
    ).distinct()
    assert created == finished.count() > 100
    assert set(Attestation.objects.values_list("enrolment", flat=True)) == set(
        finished.values_list("pk", flat=True)
    )
    assert (
        Attestation.objects.filter(partial=True).count()
        == finished.filter(status=EnrolmentStatus.DROPPED_OUT).count()
    )
    revoked = Attestation.objects.get(revoked_at__isnull=False)
    assert revoked.school == demo.schools["roubaix"]
    assert verify(revoked.document).status == "revoquee"
    for attestation in random.Random(1).sample(list(Attestation.objects.filter(revoked_at__isnull=True)), 5):
        assert schema_errors(attestation.document) == []
        assert verify(attestation.document).verified
    assert CredentialsBuilder().build(demo, only=towns) == 0  # a second run changes nothing
    assert Attestation.objects.count() == created
