"""The frozen content of an attestation, read once from the records when it is issued."""

from django.db.models import Min

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.documents.services import CohortData, learner_name
from plombiers.lib.formats import duration_fr
from plombiers.skills.enums import ACQUIRED_LEVELS, Context
from plombiers.skills.models import Observation


def initials(first_name: str, last_name: str) -> str:
    parts = [p for p in (first_name.strip(), last_name.strip()) if p]
    return " ".join(f"{p[0].upper()}." for p in parts)


def issuer_data(school) -> dict:
    """What the credential says of its issuer: the school (with the legal entity that runs it, its
    project holder, and that one's SIRET), and the network as parent organisation."""
    holder = school.project_holder
    return {
        "school": {
            "name": school.name,
            "slug": school.slug,
            "address": school.address,
            "city": school.commune.name,
            "postal_code": school.commune.main_postal_code,
            "email": school.email,
            "phone": school.phone,
            "legal_name": holder.name if holder else "",
            "siret": holder.siret if holder else "",
        },
        "network": {"name": school.network.name, "slug": school.network.slug},
    }


def first_seen(enrolment_ids) -> dict[int, dict[int, dict[str, str]]]:
    """Where and since when each gesture was seen at an acquired level, per enrolment: the
    evidence narratives."""
    rows = (
        Observation.objects.filter(enrolment_id__in=enrolment_ids, level__in=ACQUIRED_LEVELS)
        .values("enrolment_id", "skill_id", "context")
        .annotate(first=Min("observed_on"))
    )
    seen: dict[int, dict[int, dict[str, str]]] = {}
    for row in rows:
        seen.setdefault(row["enrolment_id"], {}).setdefault(row["skill_id"], {})[row["context"]] = row[
            "first"
        ].isoformat()
    return seen


def snapshot(enrolment: Enrolment, data: CohortData | None = None, seen: dict | None = None) -> dict:
    """The frozen content; `data` and `seen` let a caller read a whole cohort at once."""
    data = data or CohortData.load(enrolment.cohort)
    enrolment = next(e for e in data.enrolments if e.pk == enrolment.pk)
    learner, cohort, school = enrolment.learner, data.cohort, data.school
    start, end = data.period_of(enrolment)
    levels = data.levels.get(enrolment.pk, {})
    contexts = (seen if seen is not None else first_seen([enrolment.pk])).get(enrolment.pk, {})
    blocks: dict[int, dict] = {}
    for skill in data.skills:
        level = levels.get(skill.pk)
        if level not in ACQUIRED_LEVELS:
            continue
        block = blocks.setdefault(
            skill.block_id, {"code": skill.block.code, "title": skill.block.title, "skills": []}
        )
        block["skills"].append(
            {
                "code": skill.code,
                "title": skill.title,
                "description": skill.description,
                "level": level,
                "rome_codes": list(skill.rome_codes or cohort.framework.rome_codes or []),
                "safety_critical": skill.safety_critical,
                "seen": {
                    Context(context).label: first
                    for context, first in sorted(contexts.get(skill.pk, {}).items())
                },
            }
        )
    framework = cohort.framework
    hours = data.hours_of(enrolment)
    return {
        "learner": {
            "name": learner_name(learner),
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "initials": initials(learner.first_name, learner.last_name),
            "email": learner.email,
        },
        **issuer_data(school),
        "provider": data.provider["name"],
        "trade": cohort.trade.name,
        "cohort": cohort.name,
        "framework": {
            "id": framework.pk,
            "title": framework.title,
            "version": framework.version,
            "rome_codes": list(framework.rome_codes or []),
        }
        if framework
        else None,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "attended_minutes": hours.attended,
        "hours": duration_fr(hours.attended),
        "partial": enrolment.status == EnrolmentStatus.DROPPED_OUT,
        "blocks": list(blocks.values()),
        "acquired": sum(len(b["skills"]) for b in blocks.values()),
        "total": len(data.skills),
        "manager": data.representative,
    }
