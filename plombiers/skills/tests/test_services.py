import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from plombiers.lib.evidence import MAX_SIZE
from plombiers.privacy.models import AuditEvent
from plombiers.skills import services
from plombiers.skills.enums import Level
from plombiers.skills.models import Evidence, Observation
from plombiers.skills.tests.images import JPEG

SOR = b"Map\x00\x00\x00" + b"\x00" * 64


def photo(name="soudure.jpg", content=JPEG, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_the_current_level_is_the_latest_observation(cast, training):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.get(code="FO-RAC-02")
    services.observation_record(
        enrolment=first, skill=skill, level=Level.IN_PROGRESS, by=cast.trainer_a, is_positioning=True
    )
    services.observation_record(enrolment=first, skill=skill, level=Level.ACQUIRED, by=cast.trainer_a)
    correction = services.observation_record(
        enrolment=first, skill=skill, level=Level.IN_PROGRESS, by=cast.trainer_a, comment="Erreur de saisie"
    )
    assert Observation.objects.filter(enrolment=first).count() == 3, "history is kept, never edited"
    assert list(Observation.objects.filter(enrolment=first).current()) == [correction]


def test_evidence_is_stored_and_audited(cast, training, settings):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.get(code="FO-MES-02")
    observation = services.observation_record(
        enrolment=first,
        skill=skill,
        level=Level.ACQUIRED,
        by=cast.trainer_a,
        files=[photo(), SimpleUploadedFile("mesure.sor", SOR, content_type="application/octet-stream")],
    )
    kinds = sorted(observation.evidence.values_list("kind", flat=True))
    assert kinds == ["jpeg", "sor"]
    stored = observation.evidence.get(kind="jpeg")
    with stored.file.open("rb") as handle:
        assert handle.read() == JPEG
    assert "soudure" not in stored.file.name, "stored under a random name"
    assert AuditEvent.objects.filter(action="observation.record", school=cast.school_a).exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (photo("virus.exe", b"MZ\x90\x00", "application/octet-stream"), "n'est pas accepté"),
        (photo("photo.jpg", b"<?php echo 1; ?>", "image/jpeg"), "ne contient pas un vrai fichier"),
        (photo("trace.pdf", JPEG, "application/pdf"), "ne contient pas un vrai fichier"),
        (photo("grosse.jpg", JPEG + b"\x00" * MAX_SIZE, "image/jpeg"), "trop volumineux"),
        (photo("vide.png", b"", "image/png"), "est vide"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(cast, training, settings, upload, message):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.first()
    with pytest.raises(ValidationError, match=message):
        services.observation_record(
            enrolment=first, skill=skill, level=Level.ACQUIRED, by=cast.trainer_a, files=[photo(), upload]
        )
    assert not Observation.objects.exists() and not Evidence.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_only_the_school_team_observes(cast, training):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.first()
    for user in (cast.trainer_b, cast.prescriber, cast.social_worker_a, cast.funder):
        with pytest.raises(PermissionDenied):
            services.observation_record(enrolment=first, skill=skill, level=Level.ACQUIRED, by=user)
    assert not Observation.objects.exists()


def test_a_skill_of_another_framework_is_refused(cast, training, frameworks):
    _cohort, (first, *_) = training
    other = frameworks["technicien-data-center"].skills.first()
    with pytest.raises(ValidationError, match="pas dans le référentiel"):
        services.observation_record(enrolment=first, skill=other, level=Level.ACQUIRED, by=cast.trainer_a)


def test_no_observation_in_the_future_or_on_a_stopped_path(cast, training):
    cohort, (first, second, _) = training
    skill = cohort.framework.skills.first()
    with pytest.raises(ValidationError, match="futur"):
        services.observation_record(
            enrolment=first,
            skill=skill,
            level=Level.ACQUIRED,
            by=cast.trainer_a,
            observed_on=dt.date.today() + dt.timedelta(days=2),
        )
    second.status, second.drop_out_reason, second.end_date = "abandon", "sante", second.entry_date
    second.save()
    with pytest.raises(ValidationError, match="s'est arrêté"):
        services.observation_record(enrolment=second, skill=skill, level=Level.ACQUIRED, by=cast.trainer_a)


def test_a_group_exercise_is_recorded_for_all_or_none(cast, training):
    cohort, enrolments = training
    skill = cohort.framework.skills.get(code="FO-RAC-01")
    observations = services.observations_record_group(
        enrolments=enrolments,
        skill=skill,
        level=Level.IN_PROGRESS,
        by=cast.trainer_a,
        comment="Atelier clivage",
    )
    assert len(observations) == 3
    stopped = enrolments[0]
    stopped.status, stopped.drop_out_reason, stopped.end_date = "abandon", "sante", stopped.entry_date
    stopped.save()
    with pytest.raises(ValidationError):
        services.observations_record_group(
            enrolments=enrolments, skill=skill, level=Level.ACQUIRED, by=cast.trainer_a
        )
    assert Observation.objects.count() == 3


def test_photos_are_stored_without_their_metadata(cast, training):
    """A phone's EXIF block can locate the young person: it never reaches the storage."""
    import io

    from PIL import Image

    from plombiers.skills.tests.images import GPS_IFD, jpeg_bytes

    original = jpeg_bytes(with_exif=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD), "the test photo carries a position"
    cohort, (first, *_) = training
    observation = services.observation_record(
        enrolment=first,
        skill=cohort.framework.skills.first(),
        level=Level.ACQUIRED,
        by=cast.trainer_a,
        files=[photo("terrain.jpg", original)],
    )
    evidence = observation.evidence.get()
    with evidence.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert stored.size == (32, 24)
        assert not stored.getexif(), "no EXIF at all, GPS included"
    assert evidence.size == evidence.file.size


def test_a_truncated_photo_is_refused(cast, training):
    from plombiers.skills.tests.images import jpeg_bytes

    cohort, (first, *_) = training
    with pytest.raises(ValidationError, match="pas une image lisible"):
        services.observation_record(
            enrolment=first,
            skill=cohort.framework.skills.first(),
            level=Level.ACQUIRED,
            by=cast.trainer_a,
            files=[photo("coupee.jpg", jpeg_bytes()[:40])],
        )
    assert not Observation.objects.exists()
