import datetime as dt
from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator, model_validator

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User
from plombiers.frameworks.models import Block
from plombiers.lib.api import ErrorOut, Id, Pagination
from plombiers.network.models import School
from plombiers.referrals.models import Learner, Referral

from . import attendance, services
from .enums import (
    AttendanceStatus,
    CohortStatus,
    DropOutReason,
    EnrolmentStatus,
    Period,
    SessionKind,
    SignatureMethod,
    SignatureMode,
)
from .models import Attendance, Cohort, Enrolment, TrainingSession
from .selectors import school_members
from .services import MAX_CAPACITY, MIN_CAPACITY, default_end_date

router = Router(tags=["cohorts"])

# Identifiers a database column can hold: anything bigger is a 422, not an overflow.


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


@router.get("/cohorts/{cohort_id}", response=CohortDetailOut)
def cohort_detail(request, cohort_id: Id):
    return _cohort_detail(request.user, cohort_id)


@router.post("/cohorts", response={201: CohortDetailOut, 404: ErrorOut})
def cohort_create(request, payload: CohortIn):
    school = get_object_or_404(School.objects.visible_to(request.user), pk=payload.school)
    if not School.objects.editable_by(request.user).filter(pk=school.pk).exists():
        raise PermissionDenied("Seul·e le ou la responsable de l'école peut créer une promotion.")
    end_date = payload.end_date or default_end_date(payload.start_date)
    if end_date is None or end_date <= payload.start_date:
        raise HttpError(422, "La date de fin doit être postérieure à la date de début.")
    trainers = list(school_members([school.pk], Role.TRAINER).filter(pk__in=payload.trainers))
    if len(trainers) != len(set(payload.trainers)):
        raise HttpError(422, "Chaque formateur·rice doit faire partie de l'équipe de formation de l'école.")
    social_worker = None
    if payload.social_worker is not None:
        social_worker = (
            school_members([school.pk], Role.SOCIAL_WORKER).filter(pk=payload.social_worker).first()
        )
        if social_worker is None:
            raise HttpError(422, "L'accompagnateur·rice doit faire partie de l'équipe de l'école.")
    if payload.status == CohortStatus.FINISHED:
        raise HttpError(422, "Une promotion se crée prévue ou en cours ; elle se clôture ensuite.")
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
    return Status(201, _cohort_detail(request.user, cohort.pk))


# --- enrolments ----------------------------------------------------------------------------------


@router.get("/enrolments", response=list[EnrolmentOut])
@paginate(Pagination)
def enrolment_list(request, filters: Query[EnrolmentFilter]):
    enrolments = filters.filter(Enrolment.objects.visible_to(request.user)).select_related("learner")
    return enrolments.order_by("learner__last_name", "learner__first_name", "pk")


@router.get("/enrolments/{enrolment_id}", response=EnrolmentOut)
def enrolment_detail(request, enrolment_id: Id):
    return get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("learner"), pk=enrolment_id
    )


@router.post(
    "/enrolments",
    response={201: EnrolmentOut, 202: WaitlistedOut, 409: ErrorOut, 404: ErrorOut},
)
def enrolment_create(request, payload: EnrolmentIn):
    """An admission (`referral`): 201 with the enrolment, or 202 when the cohort was full and the candidate
    went to its waiting list. A direct enrolment (`learner`): 201, or 409 when the cohort is full."""
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=payload.cohort)
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
    return Status(201, Enrolment.objects.select_related("learner").get(pk=enrolment.pk))


# --- schedule ------------------------------------------------------------------------------------

NOT_TEAM = "Seule l'équipe pédagogique de l'école tient les feuilles d'émargement."


def _whole_minute(value: dt.time | None) -> dt.time | None:
    if value is not None and (value.tzinfo is not None or value.second or value.microsecond):
        raise ValueError("Une heure s'écrit HH:MM, à la minute près et sans fuseau horaire.")
    return value


class SessionOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    date: dt.date
    period: Period
    start_time: dt.time
    end_time: dt.time
    duration_minutes: int
    kind: SessionKind
    block: int | None = Field(None, alias="block_id")
    block_code: str | None
    trainer: int | None = Field(None, alias="trainer_id")
    trainer_name: str | None
    locked: bool
    locked_at: dt.datetime | None
    marks_count: int = Field(..., alias="mark_count", description="jeunes marqué·es sur la feuille")
    signed_count: int = Field(..., description="jeunes qui ont signé")

    @staticmethod
    def resolve_block_code(obj):
        return obj.block.code if obj.block_id else None

    @staticmethod
    def resolve_trainer_name(obj):
        return (obj.trainer.get_full_name() or obj.trainer.email) if obj.trainer_id else None

    @staticmethod
    def resolve_locked(obj):
        return obj.is_locked


class SessionFilter(FilterSchema):
    date_from: Annotated[dt.date | None, FilterLookup("date__gte")] = Field(
        None, alias="from", description="à partir de cette date (incluse)"
    )
    date_to: Annotated[dt.date | None, FilterLookup("date__lte")] = Field(
        None, alias="to", description="jusqu'à cette date (incluse)"
    )


class SessionIn(Schema):
    date: dt.date
    period: Period
    start_time: dt.time | None = Field(None, description="vide : 09:00 le matin, 13:30 l'après-midi")
    end_time: dt.time | None = Field(None, description="vide : 12:30 le matin, 17:00 l'après-midi")
    kind: SessionKind = SessionKind.PLATFORM
    block: Id | None = Field(None, description="bloc de compétences du référentiel de la promotion")
    trainer: Id | None = Field(None, description="formateur·rice de l'école")

    _minutes = field_validator("start_time", "end_time")(_whole_minute)


class HalfDayHoursIn(Schema):
    start_time: dt.time
    end_time: dt.time

    _minutes = field_validator("start_time", "end_time")(_whole_minute)


class ScheduleIn(Schema):
    """A weekly template: the cohort's half-days from its first to its last day, public holidays skipped."""

    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        [0, 1, 2, 3, 4], min_length=1, max_length=7, description="0 = lundi … 6 = dimanche"
    )
    hours: dict[Period, HalfDayHoursIn] | None = Field(
        None, description="vide : 09:00–12:30 et 13:30–17:00 ; une demi-journée absente n'est pas planifiée"
    )
    internship_weeks: list[dt.date] = Field(
        default_factory=list, max_length=60, description="un jour de chaque semaine de stage en entreprise"
    )
    kind: SessionKind = SessionKind.PLATFORM
    trainer: Id | None = None


class ScheduleOut(Schema):
    created: int = Field(..., description="demi-journées ajoutées (celles qui existaient déjà sont gardées)")


def _visible_cohort(user, pk: int) -> Cohort:
    return get_object_or_404(Cohort.objects.visible_to(user).select_related("school"), pk=pk)


def _session(user, pk: int) -> TrainingSession:
    return get_object_or_404(
        TrainingSession.objects.visible_to(user)
        .with_list_related_data()
        .select_related("trainer_signature")
        .defer("trainer_signature__svg"),
        pk=pk,
    )


def _trainer(cohort: Cohort, pk: int | None):
    """The trainer named in a request, if any: one of the school's; `False` when they are not."""
    if pk is None:
        return None
    return school_members([cohort.school_id], Role.TRAINER).filter(pk=pk).first() or False


NOT_A_TRAINER = "Le ou la formateur·rice doit faire partie de l'équipe de formation de l'école."


@router.get("/cohorts/{cohort_id}/sessions", response=list[SessionOut])
@paginate(Pagination)
def session_list(request, cohort_id: Id, filters: Query[SessionFilter]):
    """The cohort's half-days, in order, with how many learners are marked and have signed."""
    cohort = _visible_cohort(request.user, cohort_id)
    sessions = filters.filter(TrainingSession.objects.filter(cohort=cohort)).with_list_related_data()
    return sessions.order_by("date", "start_time", "pk")


@router.post(
    "/cohorts/{cohort_id}/sessions",
    response={201: SessionOut},
)
def session_create(request, cohort_id: Id, payload: SessionIn):
    """One half-day added to the cohort's calendar."""
    cohort = _visible_cohort(request.user, cohort_id)
    if not attendance.can_take_attendance(request.user, cohort.school):
        raise PermissionDenied(NOT_TEAM)
    trainer = _trainer(cohort, payload.trainer)
    if trainer is False:
        raise HttpError(422, NOT_A_TRAINER)
    block = None
    if payload.block is not None:
        block = Block.objects.filter(pk=payload.block).first()
        if block is None:
            raise HttpError(422, "Ce bloc de compétences n'existe pas.")
    session = attendance.session_create(
        cohort=cohort,
        by=request.user,
        date=payload.date,
        period=payload.period,
        start_time=payload.start_time,
        end_time=payload.end_time,
        kind=payload.kind,
        block=block,
        trainer=trainer,
    )
    return Status(201, _session(request.user, session.pk))


@router.post(
    "/cohorts/{cohort_id}/sessions/generate",
    response={201: ScheduleOut},
)
def schedule_generate(request, cohort_id: Id, payload: ScheduleIn):
    """The cohort's calendar from a weekly template; existing half-days are kept as they are."""
    cohort = _visible_cohort(request.user, cohort_id)
    if not attendance.can_take_attendance(request.user, cohort.school):
        raise PermissionDenied(NOT_TEAM)
    trainer = _trainer(cohort, payload.trainer)
    if trainer is False:
        raise HttpError(422, NOT_A_TRAINER)
    hours = None
    if payload.hours is not None:
        hours = {period: (h.start_time, h.end_time) for period, h in payload.hours.items()}
    created = attendance.schedule_generate(
        cohort=cohort,
        by=request.user,
        weekdays=payload.weekdays,
        hours=hours,
        internship_weeks=payload.internship_weeks,
        kind=payload.kind,
        trainer=trainer,
    )
    return Status(201, {"created": len(created)})


# --- attendance sheets ---------------------------------------------------------------------------


class SheetLineOut(Schema):
    enrolment: int
    learner: int
    learner_name: str
    status: AttendanceStatus | None = Field(..., description="vide : pas encore marqué·e")
    late_minutes: int
    excuse_reason: str
    has_proof: bool
    signed: bool
    signed_at: dt.datetime | None
    method: SignatureMethod | None
    mode: SignatureMode | None = Field(
        ..., description="dessinée, ou sans tracé (nom saisi) ; vide : pas signé"
    )
    typed_name: str = Field(..., description="le nom saisi d'une signature sans tracé, sinon vide")


class SheetOut(Schema):
    session: SessionOut
    locked: bool
    locked_at: dt.datetime | None
    trainer_signed: bool
    trainer_signed_at: dt.datetime | None
    lines: list[SheetLineOut]


class MarkIn(Schema):
    enrolment: Id
    status: AttendanceStatus
    late_minutes: int = Field(0, ge=0, le=1440, description="seulement pour un retard")
    excuse_reason: str = Field("", max_length=1000, description="seulement pour une absence justifiée")

    @field_validator("excuse_reason")
    @classmethod
    def _text(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Le motif ne contient que du texte.")
        return value


class MarksIn(Schema):
    marks: list[MarkIn] = Field(..., min_length=1, max_length=200)


def _sheet(user, session: TrainingSession) -> dict:
    """The sheet as the user may see it: the whole cohort for the team, their own line for a learner."""
    enrolments = attendance.sheet_enrolments(session).filter(
        pk__in=Enrolment.objects.visible_to(user).values("pk")
    )
    marks = {
        mark.enrolment_id: mark
        for mark in Attendance.objects.filter(session=session)
        .select_related("signature")
        .defer("signature__svg")
    }
    lines = []
    for enrolment in enrolments:
        mark = marks.get(enrolment.pk)
        signature = mark.signature if mark is not None else None
        lines.append(
            {
                "enrolment": enrolment.pk,
                "learner": enrolment.learner_id,
                "learner_name": str(enrolment.learner),
                "status": mark.status if mark else None,
                "late_minutes": mark.late_minutes if mark else 0,
                "excuse_reason": mark.excuse_reason if mark else "",
                "has_proof": bool(mark and mark.proof),
                "signed": signature is not None,
                "signed_at": signature.signed_at if signature else None,
                "method": signature.method if signature else None,
                "mode": signature.mode if signature else None,
                "typed_name": signature.typed_name if signature else "",
            }
        )
    trainer_signature = session.trainer_signature
    return {
        "session": session,
        "locked": session.is_locked,
        "locked_at": session.locked_at,
        "trainer_signed": trainer_signature is not None,
        "trainer_signed_at": trainer_signature.signed_at if trainer_signature else None,
        "lines": lines,
    }


@router.get("/sessions/{session_id}/attendance", response=SheetOut)
def sheet_detail(request, session_id: Id):
    """A half-day's attendance sheet: every learner on it, their mark and whether they signed."""
    return _sheet(request.user, _session(request.user, session_id))


@router.put(
    "/sessions/{session_id}/attendance",
    response={
        200: SheetOut,
        409: ErrorOut,
    },
)
def sheet_mark(request, session_id: Id, payload: MarksIn):
    """Mark some or all learners of an unsigned sheet: all the marks are saved, or none (400, 409 once
    the trainer has signed the sheet). Returns the sheet."""
    session = _session(request.user, session_id)
    marks = [
        attendance.Mark(
            enrolment_id=mark.enrolment,
            status=mark.status,
            late_minutes=mark.late_minutes,
            excuse_reason=mark.excuse_reason,
        )
        for mark in payload.marks
    ]
    attendance.attendance_mark(session=session, by=request.user, marks=marks)
    return _sheet(request.user, _session(request.user, session.pk))


# --- hours ---------------------------------------------------------------------------------------


class HoursOut(Schema):
    enrolment: int
    scheduled_minutes: int = Field(..., description="durée des demi-journées signées")
    attended_minutes: int = Field(..., description="temps réellement suivi (retards déduits)")
    late_minutes: int
    absent_minutes: int
    excused_minutes: int
    scheduled: str = Field(..., examples=["10 h 30"])
    attended: str = Field(..., examples=["9 h 45"])
    late: str
    absent: str
    excused: str
    rate: float | None = Field(..., description="part du temps suivi ; vide sans feuille signée")
    history: "HistoryOut" = Field(
        ...,
        description="les mois repris des tableurs de l'école avant Plombiers (historique importé), "
        "à côté des feuilles, jamais mêlés à elles",
    )


class HistoryOut(Schema):
    months: list[dt.date] = Field(..., description="premier jour de chaque mois importé")
    attended_minutes: int
    excused_minutes: int
    absent_minutes: int = Field(..., description="absences injustifiées")


HoursOut.model_rebuild()


@router.get("/enrolments/{enrolment_id}/hours", response=HoursOut)
def enrolment_hours(request, enrolment_id: Id):
    """Hours of training from the signed (locked) sheets, and apart the months of history imported
    from the school's former spreadsheets: what OPCO pay for."""
    enrolment = get_object_or_404(Enrolment.objects.visible_to(request.user), pk=enrolment_id)
    hours = attendance.enrolment_hours(enrolment)
    history = attendance.enrolment_history(enrolment)
    minutes = {
        "scheduled": hours.scheduled,
        "attended": hours.attended,
        "late": hours.late,
        "absent": hours.absent,
        "excused": hours.excused,
    }
    return {
        "enrolment": enrolment.pk,
        **{f"{name}_minutes": value for name, value in minutes.items()},
        **{name: hours.format(value) for name, value in minutes.items()},
        "rate": hours.rate,
        "history": {
            "months": history.months,
            "attended_minutes": history.attended,
            "excused_minutes": history.excused,
            "absent_minutes": history.absent,
        },
    }
