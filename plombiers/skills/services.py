import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.frameworks.models import Skill
from plombiers.lib.evidence import check_evidence, without_metadata
from plombiers.privacy.services import audit_log

from .enums import Context, Level
from .models import Evidence, Observation
from .permissions import can_observe


def _check(*, enrolment: Enrolment, skill: Skill, level: str, observed_on: dt.date, context: str) -> None:
    if level not in Level.values:
        raise ValidationError({"level": f"Niveau inconnu « {level} »."})
    if context not in Context.values:
        raise ValidationError({"context": f"Contexte inconnu « {context} »."})
    if skill.framework_id != enrolment.cohort.framework_id:
        raise ValidationError(
            {"skill": "Cette compétence n'est pas dans le référentiel de la promotion."},
            code="other_framework",
        )
    if enrolment.status == EnrolmentStatus.DROPPED_OUT:
        raise ValidationError(
            "Ce parcours s'est arrêté : on n'y ajoute plus d'observation.", code="dropped_out"
        )
    if observed_on > timezone.localdate():
        raise ValidationError({"observed_on": "La date d'observation ne peut pas être dans le futur."})
    if observed_on < enrolment.entry_date - dt.timedelta(days=31):
        raise ValidationError({"observed_on": "La date d'observation précède l'entrée en formation."})


@transaction.atomic
def observation_record(
    *,
    enrolment: Enrolment,
    skill: Skill,
    level: str,
    by: User | None,
    observed_on: dt.date | None = None,
    context: str = Context.PLATFORM,
    comment: str = "",
    files: Iterable = (),
    is_positioning: bool = False,
    observer_name: str = "",
) -> Observation:
    """Record what was seen. Observations are never edited: a correction is a new observation.

    `by=None` is an observer without an account (a tutor, through a signed link), named by
    `observer_name`. Every file is checked before anything is written.
    """
    enrolment = Enrolment.objects.select_related("cohort__school").get(pk=enrolment.pk)
    if by is not None and not can_observe(by, enrolment.cohort.school):
        raise PermissionDenied("Seule l'équipe pédagogique de l'école peut enregistrer une observation.")
    observed_on = observed_on or timezone.localdate()
    _check(enrolment=enrolment, skill=skill, level=level, observed_on=observed_on, context=context)
    files = list(files)
    kinds = [check_evidence(upload) for upload in files]
    files = [without_metadata(upload, kind) for upload, kind in zip(files, kinds, strict=True)]
    observation = Observation.objects.create(
        enrolment=enrolment,
        skill=skill,
        level=level,
        observed_on=observed_on,
        context=context,
        comment=comment.strip(),
        is_positioning=is_positioning,
        observer=by,
        observer_name=observer_name or (by.get_full_name() if by else ""),
    )
    saved = []
    try:
        for upload, kind in zip(files, kinds, strict=True):
            evidence = Evidence(
                observation=observation,
                kind=kind.name,
                content_type=kind.content_type,
                size=upload.size,  # after re-encoding: what is really stored
                original_name=(upload.name or "fichier")[:200],
            )
            evidence.file.save(upload.name or f"preuve{kind.extensions[0]}", upload, save=True)
            saved.append(evidence.file.name)
    except Exception:
        # Files live outside the transaction: remove what was stored before the rollback.
        for name in saved:
            Evidence.file.field.storage.delete(name)
        raise
    audit_log(
        actor=by,
        action="observation.record",
        obj=observation,
        school=enrolment.cohort.school,
        details={"skill": skill.code, "level": level, "files": len(files)},
    )
    return observation


@transaction.atomic
def observations_record_group(
    *,
    enrolments: Iterable[Enrolment],
    skill: Skill,
    level: str,
    by: User,
    observed_on: dt.date | None = None,
    context: str = Context.PLATFORM,
    comment: str = "",
    is_positioning: bool = False,
) -> list[Observation]:
    """One exercise observed for several learners at once: all recorded, or none."""
    enrolments = list(enrolments)
    if not enrolments:
        raise ValidationError("Choisissez au moins un ou une jeune.", code="empty_group")
    return [
        observation_record(
            enrolment=enrolment,
            skill=skill,
            level=level,
            by=by,
            observed_on=observed_on,
            context=context,
            comment=comment,
            is_positioning=is_positioning,
        )
        for enrolment in enrolments
    ]
