from datetime import date, datetime
from typing import Annotated

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from plombiers.cohorts.models import Enrolment
from plombiers.frameworks.models import Block, Framework, Skill
from plombiers.lib.api import ErrorOut, Id, Pagination

from .enums import Context, Level
from .models import Evidence, Observation
from .permissions import reads_frameworks, sees_details
from .selectors import enrolment_progress as enrolment_progress_of
from .services import observation_record

router = Router(tags=["skills"])

SkillCode = Annotated[str, Field(min_length=1, max_length=20)]


# --- schemas -----------------------------------------------------------------------------------


class FrameworkOut(Schema):
    id: int
    trade: str = Field(..., alias="trade.slug")
    trade_name: str = Field(..., alias="trade.name")
    version: str
    title: str
    rome_codes: list[str]
    published_at: datetime


class SkillOut(Schema):
    id: int
    code: str
    title: str
    description: str
    criteria: list[str]
    rome_codes: list[str]
    safety_critical: bool


class BlockOut(Schema):
    id: int
    code: str
    title: str
    skills: list[SkillOut]

    @staticmethod
    def resolve_skills(obj):
        return list(obj.skills.all())


class FrameworkDetailOut(FrameworkOut):
    description: str
    blocks: list[BlockOut]

    @staticmethod
    def resolve_blocks(obj):
        return list(obj.blocks.all())


class EvidenceOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    name: str = Field(..., alias="original_name")
    url: str

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class ObservationOut(Schema):
    id: int
    enrolment: int = Field(..., alias="enrolment_id")
    skill: int = Field(..., alias="skill_id")
    skill_code: str = Field(..., alias="skill.code")
    level: Level
    observed_on: date
    context: Context
    is_positioning: bool
    comment: str
    observer_name: str
    created_at: datetime
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class ObservationIn(Schema):
    enrolment: Id
    skill: Id | SkillCode = Field(..., description="identifiant ou code de la compétence (ex. FO-RAC-02)")
    level: Level
    observed_on: date | None = Field(None, description="vide : aujourd'hui")
    context: Context = Context.PLATFORM
    comment: str = Field("", max_length=5000)
    is_positioning: bool = False

    @field_validator("comment")
    @classmethod
    def _text_only(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Le commentaire ne contient que du texte.")
        return value


class ObservationFilter(FilterSchema):
    enrolment: Annotated[Id | None, FilterLookup("enrolment_id")] = None
    cohort: Annotated[Id | None, FilterLookup("enrolment__cohort_id")] = None
    skill: Annotated[Id | None, FilterLookup("skill_id")] = None


class BlockProgressOut(Schema):
    code: str
    title: str
    acquired: int
    total: int


class SkillProgressOut(Schema):
    id: int
    code: str
    title: str
    block: str
    safety_critical: bool
    level: Level | None
    observed_on: date | None
    positioning_level: Level | None


class ProgressOut(Schema):
    enrolment: int
    cohort: int
    framework: int | None
    summary_only: bool = Field(..., description="vrai pour un·e prescripteur·rice : les blocs seulement")
    acquired: int
    total: int
    blocks: list[BlockProgressOut]
    skills: list[SkillProgressOut]


# --- frameworks ----------------------------------------------------------------------------------


def _frameworks(user):
    if not reads_frameworks(user):
        return Framework.objects.none()
    return Framework.objects.select_related("trade")


@router.get("/frameworks", response=list[FrameworkOut])
@paginate(Pagination)
def framework_list(request):
    return _frameworks(request.user).order_by("trade__name", "-published_at", "-pk")


@router.get("/frameworks/{framework_id}", response=FrameworkDetailOut)
def framework_detail(request, framework_id: Id):
    return get_object_or_404(
        _frameworks(request.user).prefetch_related(
            Prefetch(
                "blocks",
                queryset=Block.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("skills", queryset=Skill.objects.order_by("position", "pk"))
                ),
            )
        ),
        pk=framework_id,
    )


# --- observations --------------------------------------------------------------------------------


def _observations(user):
    return (
        Observation.objects.detailed_for(user)
        .select_related("skill")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
    )


@router.get("/observations", response=list[ObservationOut])
@paginate(Pagination)
def observation_list(request, filters: Query[ObservationFilter]):
    """Observations with comments and evidence: the school's team, network staff and the learner
    (a prescriber reads the summary at `/enrolments/{id}/progress`)."""
    return filters.filter(_observations(request.user)).order_by("-observed_on", "-pk")


@router.post("/observations", response={201: ObservationOut, 404: ErrorOut})
def observation_create(request, payload: ObservationIn):
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("cohort"), pk=payload.enrolment
    )
    if not enrolment.cohort.framework_id:
        raise HttpError(422, "La promotion n'est rattachée à aucun référentiel de compétences.")
    skills = Skill.objects.filter(framework_id=enrolment.cohort.framework_id)
    lookup = Q(pk=payload.skill) if isinstance(payload.skill, int) else Q(code=payload.skill)
    skill = skills.filter(lookup).first()
    if skill is None:
        raise HttpError(422, "Cette compétence n'est pas dans le référentiel de la promotion.")
    observation = observation_record(
        enrolment=enrolment,
        skill=skill,
        level=payload.level,
        by=request.user,
        observed_on=payload.observed_on,
        context=payload.context,
        comment=payload.comment,
        is_positioning=payload.is_positioning,
    )
    return Status(201, _observations(request.user).get(pk=observation.pk))


# --- progress ------------------------------------------------------------------------------------


@router.get("/enrolments/{enrolment_id}/progress", response=ProgressOut)
def enrolment_progress(request, enrolment_id: Id):
    """Per block, acquired/total; per skill, the current level and the entry positioning level.
    A prescriber gets the blocks only (`summary_only`)."""
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("learner", "cohort__school"),
        pk=enrolment_id,
    )
    detailed = sees_details(request.user, enrolment)
    progress = enrolment_progress_of(enrolment, detailed=detailed)
    rows = []
    if detailed:
        rows = [
            {
                "id": s.pk,
                "code": s.code,
                "title": s.title,
                "block": s.block.code,
                "safety_critical": s.safety_critical,
                "level": progress.level(s),
                "observed_on": progress.observed_on(s),
                "positioning_level": progress.positioning.get(s.pk),
            }
            for s in progress.skills
        ]
    return {
        "enrolment": enrolment.pk,
        "cohort": enrolment.cohort_id,
        "framework": enrolment.cohort.framework_id,
        "summary_only": not detailed,
        "acquired": progress.acquired,
        "total": progress.total,
        "blocks": [
            {"code": g.block.code, "title": g.block.title, "acquired": g.acquired, "total": g.total}
            for g in progress.blocks
        ],
        "skills": rows,
    }
