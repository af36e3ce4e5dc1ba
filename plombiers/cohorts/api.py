from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator, model_validator

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User
from plombiers.api.pagination import Pagination
from plombiers.api.schemas import ErrorOut
from plombiers.network.models import School
from plombiers.referrals.models import Learner, Referral

from . import services
from .enums import CohortStatus, DropOutReason, EnrolmentStatus
from .forms import MAX_CAPACITY, MIN_CAPACITY, default_end_date, school_members
from .models import Cohort, Enrolment

router = Router(tags=["cohorts"])

# Identifiers a database column can hold: anything bigger is a 422, not an overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- schemas -----------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj):
        return obj.get_full_name() or obj.email


class CohortOut(Schema):
    id: int
    name: str
    school: int = Field(..., alias="school_id")
    school_name: str = Field(..., alias="school.name")
    trade: str = Field(..., alias="trade.name")
    start_date: date
    end_date: date
    capacity: int
    status: CohortStatus
    seats_left: int
    waitlist_count: int


class CohortDetailOut(CohortOut):
    trainers: list[PersonOut]
    social_worker: PersonOut | None

    @staticmethod
    def resolve_trainers(obj):
        return list(obj.trainers.all())


class CohortIn(Schema):
    school: Id
    name: str = Field(..., min_length=1, max_length=150)
    start_date: date
    end_date: date | None = Field(None, description="vide : 15 semaines après le début")
    capacity: int | None = Field(
        None, ge=MIN_CAPACITY, le=MAX_CAPACITY, description="vide : le nombre de places de l'école"
    )
    status: CohortStatus = CohortStatus.PLANNED
    trainers: list[Id] = Field(default_factory=list, max_length=50)
    social_worker: Id | None = None

    @field_validator("name")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        value = value.strip()
        if not value or "\x00" in value:
            raise ValueError("Le nom de la promotion est obligatoire et ne contient que du texte.")
        return value


class CohortFilter(FilterSchema):
    school: Annotated[Id | None, FilterLookup("school_id")] = None
    status: CohortStatus | None = None


class EnrolmentOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    learner: int = Field(..., alias="learner_id")
    learner_name: str
    referral: int | None = Field(None, alias="referral_id")
    status: EnrolmentStatus
    entry_date: date
    end_date: date | None
    drop_out_reason: DropOutReason | None

    @staticmethod
    def resolve_learner_name(obj):
        return str(obj.learner)

    @staticmethod
    def resolve_drop_out_reason(obj):
        return obj.drop_out_reason or None


class WaitlistedOut(Schema):
    waitlisted: bool = True
    position: int
    cohort: int
    referral: int


class EnrolmentIn(Schema):
    """Either `referral` (an admission: a seat, else the waiting list) or `learner` (a direct enrolment)."""

    cohort: Id
    referral: Id | None = None
    learner: Id | None = None
    justification: str = Field(
        "", max_length=5000, description="obligatoire si le ou la jeune n'est pas éligible"
    )

    @model_validator(mode="after")
    def _one_of(self):
        if (self.referral is None) == (self.learner is None):
            raise ValueError("Indiquez soit une prescription (referral), soit un ou une jeune (learner).")
        if "\x00" in self.justification:
            raise ValueError("La justification ne contient que du texte.")
        return self


class EnrolmentFilter(FilterSchema):
    cohort: Annotated[Id | None, FilterLookup("cohort_id")] = None
    status: EnrolmentStatus | None = None


# --- cohorts -------------------------------------------------------------------------------------


def _cohort_detail(user, pk: int) -> Cohort:
    return get_object_or_404(
        Cohort.objects.visible_to(user)
        .with_list_related_data()
        .select_related("social_worker")
        .prefetch_related(Prefetch("trainers", queryset=User.objects.order_by("last_name", "first_name"))),
        pk=pk,
    )


@router.get("/cohorts", response=list[CohortOut])
@paginate(Pagination)
def cohort_list(request, filters: Query[CohortFilter]):
    cohorts = filters.filter(Cohort.objects.visible_to(request.user)).with_list_related_data()
    return cohorts.order_by("-start_date", "name", "pk")


@router.get("/cohorts/{cohort_id}", response={200: CohortDetailOut, 404: ErrorOut})
def cohort_detail(request, cohort_id: Id):
    return _cohort_detail(request.user, cohort_id)


@router.post("/cohorts", response={201: CohortDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def cohort_create(request, payload: CohortIn):
    school = get_object_or_404(School.objects.visible_to(request.user), pk=payload.school)
    if not School.objects.editable_by(request.user).filter(pk=school.pk).exists():
        return Status(403, {"detail": "Seul·e le ou la responsable de l'école peut créer une promotion."})
    end_date = payload.end_date or default_end_date(payload.start_date)
    if end_date is None or end_date <= payload.start_date:
        return Status(400, {"detail": "La date de fin doit être postérieure à la date de début."})
    trainers = list(school_members([school.pk], Role.TRAINER).filter(pk__in=payload.trainers))
    if len(trainers) != len(set(payload.trainers)):
        return Status(
            400, {"detail": "Chaque formateur·rice doit faire partie de l'équipe de formation de l'école."}
        )
    social_worker = None
    if payload.social_worker is not None:
        social_worker = (
            school_members([school.pk], Role.SOCIAL_WORKER).filter(pk=payload.social_worker).first()
        )
        if social_worker is None:
            return Status(400, {"detail": "L'accompagnateur·rice doit faire partie de l'équipe de l'école."})
    if payload.status == CohortStatus.FINISHED:
        return Status(400, {"detail": "Une promotion se crée prévue ou en cours ; elle se clôture ensuite."})
    try:
        cohort = services.cohort_create(
            school=school,
            by=request.user,
            trainers=trainers,
            name=payload.name,
            start_date=payload.start_date,
            end_date=end_date,
            capacity=payload.capacity,
            status=payload.status,
            social_worker=social_worker,
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return Status(400, {"detail": _message(error)})
    return Status(201, _cohort_detail(request.user, cohort.pk))


# --- enrolments ----------------------------------------------------------------------------------


@router.get("/enrolments", response=list[EnrolmentOut])
@paginate(Pagination)
def enrolment_list(request, filters: Query[EnrolmentFilter]):
    enrolments = filters.filter(Enrolment.objects.visible_to(request.user)).select_related("learner")
    return enrolments.order_by("learner__last_name", "learner__first_name", "pk")


@router.get("/enrolments/{enrolment_id}", response={200: EnrolmentOut, 404: ErrorOut})
def enrolment_detail(request, enrolment_id: Id):
    return get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("learner"), pk=enrolment_id
    )


@router.post(
    "/enrolments",
    response={
        201: EnrolmentOut,
        202: WaitlistedOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
)
def enrolment_create(request, payload: EnrolmentIn):
    """An admission (`referral`): 201 with the enrolment, or 202 when the cohort was full and the candidate
    went to its waiting list. A direct enrolment (`learner`): 201, or 409 when the cohort is full."""
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=payload.cohort)
    try:
        if payload.referral is not None:
            referral = get_object_or_404(Referral.objects.visible_to(request.user), pk=payload.referral)
            admission = services.referral_admit(
                referral=referral, cohort=cohort, by=request.user, justification=payload.justification
            )
            if admission.waitlisted:
                entry = admission.waitlist_entry
                return Status(202, {"position": entry.position, "cohort": cohort.pk, "referral": referral.pk})
            enrolment = admission.enrolment
        else:
            learner = get_object_or_404(Learner.objects.visible_to(request.user), pk=payload.learner)
            enrolment = services.enrolment_create(
                learner=learner, cohort=cohort, by=request.user, eligibility_override=payload.justification
            )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error) or "Vous ne pouvez pas inscrire dans cette promotion."})
    except ValidationError as error:
        return Status(
            409 if getattr(error, "code", None) == "cohort_full" else 400, {"detail": _message(error)}
        )
    return Status(201, Enrolment.objects.select_related("learner").get(pk=enrolment.pk))
