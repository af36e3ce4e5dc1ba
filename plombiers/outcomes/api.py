"""The outcomes API: exits (with their official category) and follow-ups.

The same querysets (`visible_to`) and services as the pages. A body that does not fit its schema is
a 422; a refusal of a service, a 400; an object the user may not see, a 404; one they see but may
not change, a 403.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import AfterValidator

from plombiers.cohorts.models import Enrolment
from plombiers.lib.api import ErrorOut, Id, Pagination
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation

from . import permissions, services
from .enums import ExitCategory, ExitType, FollowUpHorizon, FollowUpSource, FollowUpStatus
from .models import Exit, FollowUp

router = Router(tags=["outcomes"])


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Ce champ ne contient que du texte.")
    return value.strip()


Name = Annotated[str, Field(max_length=200), AfterValidator(_text)]
Note = Annotated[str, Field(max_length=5000), AfterValidator(_text)]


# --- schemas -----------------------------------------------------------------------------------


class ExitOut(Schema):
    id: int
    type: ExitType = Field(..., alias="exit_type", description="la situation détaillée")
    category: ExitCategory = Field(..., description="sa catégorie officielle (une seule par situation)")
    learner: int = Field(..., alias="enrolment.learner_id")
    enrolment: int = Field(..., alias="enrolment_id")
    cohort: int = Field(..., alias="enrolment.cohort_id")
    school: int = Field(..., alias="enrolment.cohort.school_id")
    exit_date: dt.date
    employer: int | None = Field(
        None, alias="employer_id", description="entreprise partenaire, s'il y a lieu"
    )
    employer_name: str
    rome_code: str
    weekly_hours: Decimal | None
    hired_by_internship_host: bool


class _Situation(Schema):
    """A follow-up's situation: empty strings in the database, null in the API."""

    @staticmethod
    def resolve_type(obj):
        return obj.situation_type or None

    @staticmethod
    def resolve_category(obj):
        return obj.category or None

    @staticmethod
    def resolve_source(obj):
        return obj.source or None


class FollowUpOut(_Situation):
    id: int
    exit: int = Field(..., alias="exit_id")
    enrolment: int = Field(..., alias="exit.enrolment_id")
    learner: int = Field(..., alias="exit.enrolment.learner_id")
    school: int = Field(..., alias="exit.enrolment.cohort.school_id")
    horizon: FollowUpHorizon = Field(..., description="mois après la sortie : 1, 3, 6 ou 12")
    due_on: dt.date
    status: FollowUpStatus
    type: ExitType | None = Field(None, description="la situation, une fois renseignée")
    category: ExitCategory | None
    employer_name: str
    source: FollowUpSource | None
    answered_at: dt.datetime | None


class FollowUpInExit(_Situation):
    id: int
    horizon: FollowUpHorizon
    due_on: dt.date
    status: FollowUpStatus
    type: ExitType | None
    category: ExitCategory | None
    source: FollowUpSource | None


class ExitDetailOut(ExitOut):
    comment: str
    recorded_at: dt.datetime
    follow_ups: list[FollowUpInExit]

    @staticmethod
    def resolve_follow_ups(obj):
        return list(obj.follow_ups.all())


class ExitFilter(FilterSchema):
    category: ExitCategory | None = None
    type: Annotated[ExitType | None, FilterLookup("exit_type")] = None
    school: Annotated[Id | None, FilterLookup("enrolment__cohort__school_id")] = None
    cohort: Annotated[Id | None, FilterLookup("enrolment__cohort_id")] = None
    year: Annotated[int | None, Field(None, ge=2000, le=2100), FilterLookup("exit_date__year")] = None


class ExitIn(Schema):
    type: ExitType = Field(..., description="la situation détaillée à la sortie")
    exit_date: dt.date | None = Field(None, description="par défaut, la fin de l'inscription")
    employer: Id | None = Field(None, description="entreprise partenaire (emploi ou alternance)")
    employer_name: Name = Field("", description="employeur ou organisme hors partenaires")
    rome_code: Annotated[str, Field(max_length=10), AfterValidator(_text)] = ""
    weekly_hours: Annotated[Decimal, Field(gt=0, le=99, max_digits=4, decimal_places=1)] | None = None
    hired_by_internship_host: bool | None = Field(
        None, description="vide : déduit des stages du parcours dans l'entreprise employeuse"
    )
    comment: Note = ""


class FollowUpFilter(FilterSchema):
    status: FollowUpStatus | None = None
    horizon: FollowUpHorizon | None = None
    due_before: Annotated[dt.date | None, FilterLookup("due_on__lte")] = Field(
        None, description="à échéance ce jour-là ou avant"
    )
    exit: Annotated[Id | None, FilterLookup("exit_id")] = None
    school: Annotated[Id | None, FilterLookup("exit__enrolment__cohort__school_id")] = None


class FollowUpIn(Schema):
    type: ExitType = Field(..., description="la situation à cette échéance")
    employer_name: Name = ""
    comment: Note = ""


# --- exits -------------------------------------------------------------------------------------


@router.get("/exits", response=list[ExitOut])
@paginate(Pagination)
def exit_list(request, filters: Query[ExitFilter]):
    """The exits the user may see, the latest first; each with its detailed `type` and `category`."""
    return (
        filters.filter(Exit.objects.visible_to(request.user))
        .select_related("enrolment__cohort")
        .order_by("-exit_date", "-pk")
    )


def _exit_detail(user, pk: int) -> Exit:
    return get_object_or_404(
        Exit.objects.visible_to(user)
        .select_related("enrolment__cohort")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("horizon"))),
        pk=pk,
    )


@router.get("/exits/{exit_id}", response=ExitDetailOut)
def exit_detail(request, exit_id: Id):
    """One exit and its four follow-ups."""
    return _exit_detail(request.user, exit_id)


@router.post(
    "/enrolments/{enrolment_id}/exit",
    response={201: ExitDetailOut},
)
def exit_create(request, enrolment_id: Id, payload: ExitIn):
    """Record the exit of an enrolment that ended (and its follow-ups at 1, 3, 6 and 12 months);
    400 with the reason when the enrolment is under way, already has an exit, or a field does not
    fit the situation (an employer for job-seeking, a bad ROME code…)."""
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("cohort__school"), pk=enrolment_id
    )
    if not permissions.can_record(request.user, enrolment.cohort.school):
        raise PermissionDenied(services.NOT_TEAM)
    employer = _company(request.user, payload.employer)
    if employer is False:
        raise HttpError(422, "Cet employeur n'est pas une entreprise partenaire.")
    exit = services.exit_record(
        enrolment,
        by=request.user,
        exit_type=payload.type,
        exit_date=payload.exit_date,
        employer=employer,
        employer_name=payload.employer_name,
        rome_code=payload.rome_code,
        weekly_hours=payload.weekly_hours,
        hired_by_internship_host=payload.hired_by_internship_host,
        comment=payload.comment,
    )
    return Status(201, _exit_detail(request.user, exit.pk))


class ExitPatch(Schema):
    """A correction: the fields to change (the others stay), and why."""

    reason: Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_text)] = Field(
        ..., description="le motif de la correction (gardé au journal)"
    )
    type: ExitType | None = None
    exit_date: dt.date | None = None
    employer: Id | None = None
    employer_name: Name | None = None
    rome_code: Annotated[str, Field(max_length=10), AfterValidator(_text)] | None = None
    weekly_hours: Annotated[Decimal, Field(gt=0, le=99, max_digits=4, decimal_places=1)] | None = None
    hired_by_internship_host: bool | None = None
    comment: Note | None = None


def _company(user, pk: int | None) -> Organisation | None:
    """A partner company the user sees, or None; `False` when `pk` names none."""
    if pk is None:
        return None
    employer = Organisation.objects.visible_to(user).filter(pk=pk, kind=OrganisationKind.COMPANY).first()
    return employer or False


@router.patch("/exits/{exit_id}", response=ExitDetailOut)
def exit_correct(request, exit_id: Id, payload: ExitPatch):
    """Correct an exit (the school's manager or social worker): only the fields sent change, with
    the reason, audited; `null` empties an optional field (employer, hours). A new exit date moves
    the follow-ups still to do. 400 with the reason when nothing changes or a field does not fit the
    situation."""
    exit = _exit_detail(request.user, exit_id)
    if not permissions.can_record(request.user, exit.enrolment.cohort.school):
        raise PermissionDenied(services.NOT_TEAM)
    sent = payload.model_dump(exclude_unset=True)
    reason = sent.pop("reason")
    if "type" in sent:
        sent["exit_type"] = sent.pop("type")
    for required in ("exit_type", "exit_date"):
        if required in sent and sent[required] is None:
            raise HttpError(422, "La situation et la date de sortie ne peuvent pas être vides.")
    for text in ("employer_name", "rome_code", "comment"):
        if text in sent and sent[text] is None:
            sent[text] = ""
    if "employer" in sent:
        sent["employer"] = _company(request.user, sent["employer"])
        if sent["employer"] is False:
            raise HttpError(422, "Cet employeur n'est pas une entreprise partenaire.")
    services.exit_update(exit, by=request.user, reason=reason, data=sent)
    return _exit_detail(request.user, exit.pk)


# --- follow-ups ----------------------------------------------------------------------------------


@router.get("/follow-ups", response=list[FollowUpOut])
@paginate(Pagination)
def follow_up_list(request, filters: Query[FollowUpFilter]):
    """The follow-ups the user may see, by due date (`status=a_faire&due_before=…`: the to-do)."""
    return _follow_ups(request.user, filters)


def _follow_ups(user, filters: FollowUpFilter):
    return (
        filters.filter(FollowUp.objects.visible_to(user))
        .select_related("exit__enrolment__cohort")
        .order_by("due_on", "pk")
    )


@router.put(
    "/follow-ups/{follow_up_id}",
    response=FollowUpOut,
)
def follow_up_record(request, follow_up_id: Id, payload: FollowUpIn):
    """Report the situation at one horizon: the school's team (also after « sans nouvelles », or to
    correct), the young person's prescriber or the young person (a follow-up still to do)."""
    user = request.user
    follow_up = get_object_or_404(
        FollowUp.objects.visible_to(user).select_related(
            "exit__enrolment__cohort__school", "exit__enrolment__learner"
        ),
        pk=follow_up_id,
    )
    enrolment = follow_up.exit.enrolment
    if permissions.can_record(user, enrolment.cohort.school):
        source = FollowUpSource.SOCIAL_WORKER
    elif permissions.is_prescriber_of(user, enrolment):
        source = FollowUpSource.PRESCRIBER
    elif enrolment.learner.user_id == user.pk:
        source = FollowUpSource.LEARNER
    else:
        raise PermissionDenied(
            "Seuls l'équipe de l'école, le prescripteur et le ou la jeune renseignent un suivi."
        )
    services.follow_up_record(
        follow_up,
        by=user,
        source=source,
        situation_type=payload.type,
        employer_name=payload.employer_name,
        comment=payload.comment,
    )
    return FollowUp.objects.select_related("exit__enrolment__cohort").get(pk=follow_up.pk)


# --- the paths of the issue: POST /exits and /followups ----------------------------------------


class ExitCreateIn(ExitIn):
    enrolment: Id = Field(..., description="l'inscription terminée (ou interrompue)")


@router.post(
    "/exits",
    response={201: ExitDetailOut, 404: ErrorOut},
)
def exit_create_from_body(request, payload: ExitCreateIn):
    """The same as `POST /enrolments/{id}/exit`, the enrolment named in the body."""
    return exit_create(request, payload.enrolment, ExitIn(**payload.dict(exclude={"enrolment"})))


@router.get("/followups", response=list[FollowUpOut])
@paginate(Pagination)
def followups_list(request, filters: Query[FollowUpFilter]):
    """The same list as `GET /follow-ups`."""
    return _follow_ups(request.user, filters)


class FollowUpCreateIn(FollowUpIn):
    exit: Id = Field(..., description="la sortie suivie")
    horizon: FollowUpHorizon = Field(..., description="1, 3, 6 ou 12 (mois après la sortie)")


@router.post("/followups", response={200: FollowUpOut, 404: ErrorOut})
def followups_record(request, payload: FollowUpCreateIn):
    """Report the situation of an exit at one horizon (the same as `PUT /follow-ups/{id}`)."""
    follow_up = get_object_or_404(
        FollowUp.objects.visible_to(request.user), exit_id=payload.exit, horizon=payload.horizon
    )
    return follow_up_record(request, follow_up.pk, FollowUpIn(**payload.dict(exclude={"exit", "horizon"})))
