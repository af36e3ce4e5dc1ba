"""The internships API: internships and their workflow, offers of partner companies, applications.

The same querysets (`visible_to`) and services as the pages. A body that does not fit its schema is
a 422; a refusal of a service, a 400 (409 for a move the workflow does not allow); an object the
user may not see, a 404; one they see but may not change, a 403.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import AfterValidator

from plombiers.cohorts.models import Enrolment
from plombiers.frameworks.models import Skill
from plombiers.lib.api import ErrorOut, Id, Pagination
from plombiers.network.models import Commune, Contact, Organisation

from .. import permissions, services
from ..enums import (
    ApplicationStatus,
    ContractType,
    InternshipKind,
    InternshipStatus,
    OfferKind,
    OfferStatus,
    Party,
)
from ..models import Application, CompanySite, ConventionSignature, Internship, Offer

router = Router(tags=["internships"])

# Identifiers a database column can hold: anything bigger is a 422, not an overflow.
SkillCode = Annotated[str, Field(min_length=1, max_length=20)]

NOT_TEAM = "Seule l'équipe de l'école prépare les stages et propose des candidatures."


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Ce champ ne contient que du texte.")
    return value.strip()


def _required(value: str) -> str:
    if not value:
        raise ValueError("Ce champ est obligatoire.")
    return value


# Free text: no NUL character (the database refuses it), spaces around trimmed.
Note = Annotated[str, Field(max_length=5000), AfterValidator(_text)]
LongText = Annotated[str, Field(max_length=10000), AfterValidator(_text)]
Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text), AfterValidator(_required)]


# --- schemas -----------------------------------------------------------------------------------


class CommuneRef(Schema):
    id: int
    name: str
    insee_code: str


class SkillRef(Schema):
    id: int
    code: str
    title: str


class InternshipOut(Schema):
    id: int
    kind: InternshipKind
    status: InternshipStatus
    enrolment: int = Field(..., alias="enrolment_id")
    cohort: int = Field(..., alias="enrolment.cohort_id")
    school: int = Field(..., alias="enrolment.cohort.school_id")
    learner: int = Field(..., alias="enrolment.learner_id")
    learner_name: str
    company: int = Field(..., alias="site.company_id")
    company_name: str = Field(..., alias="site.company.name")
    site: int = Field(..., alias="site_id")
    site_name: str = Field(..., alias="site.name")
    commune: CommuneRef = Field(..., alias="site.commune")
    tutor: int = Field(..., alias="tutor_id")
    tutor_name: str = Field(..., alias="tutor.full_name")
    start_date: dt.date
    end_date: dt.date
    weekly_hours: float

    @staticmethod
    def resolve_learner_name(obj):
        return str(obj.enrolment.learner)


class ConventionSignatureOut(Schema):
    """Where each party stands: never the link, which is theirs alone."""

    party: Party
    name: str
    signed_at: dt.datetime | None


class InternshipDetailOut(InternshipOut):
    prescriber_organisation: int | None = Field(None, alias="prescriber_organisation_id")
    prescriber_organisation_name: str | None
    renewal_of: int | None = Field(None, alias="renewal_of_id")
    objectives: list[SkillRef]
    activities: str
    interruption_reason: str
    signatures: list[ConventionSignatureOut] = Field(
        ..., description="les parties de la convention (une fois envoyée à la signature)"
    )
    created_at: dt.datetime

    @staticmethod
    def resolve_prescriber_organisation_name(obj):
        return obj.prescriber_organisation.name if obj.prescriber_organisation_id else None

    @staticmethod
    def resolve_objectives(obj):
        return list(obj.objectives.all())

    @staticmethod
    def resolve_signatures(obj):
        return list(obj.signatures.all())


class InternshipFilter(FilterSchema):
    status: InternshipStatus | None = None
    kind: InternshipKind | None = None
    cohort: Annotated[Id | None, FilterLookup("enrolment__cohort_id")] = None
    enrolment: Annotated[Id | None, FilterLookup("enrolment_id")] = None


class InternshipIn(Schema):
    enrolment: Id = Field(..., description="le parcours du ou de la jeune dans sa promotion")
    kind: InternshipKind = InternshipKind.INTERNSHIP
    site: Id = Field(..., description="site d'une entreprise partenaire de l'école")
    tutor: Id = Field(..., description="contact de l'entreprise d'accueil")
    start_date: dt.date
    end_date: dt.date
    weekly_hours: Annotated[Decimal, Field(gt=0, le=48, max_digits=3, decimal_places=1)] = Decimal(35)
    objectives: list[Id | SkillCode] = Field(
        default_factory=list,
        max_length=100,
        description="compétences visées : identifiants ou codes (ex. FO-RAC-02) du référentiel de la promotion",
    )
    activities: Note = ""
    prescriber_organisation: Id | None = Field(None, description="obligatoire pour une PMSMP")
    renewal_of: Id | None = Field(None, description="la PMSMP que celle-ci renouvelle")


class TransitionIn(Schema):
    to: InternshipStatus
    reason: Note = Field("", description="motif, obligatoire pour une interruption")


class OfferOut(Schema):
    id: int
    title: str
    kind: OfferKind
    status: OfferStatus
    company: int = Field(..., alias="company_id")
    company_name: str = Field(..., alias="company.name")
    site: int | None = Field(None, alias="site_id")
    rome_code: str
    contract: ContractType | None
    contract_months: int | None
    commune: CommuneRef
    latitude: float | None
    longitude: float | None
    start_date: dt.date | None
    driving_licence_required: bool
    required_skills: list[SkillRef]
    description: str
    created_at: dt.datetime

    @staticmethod
    def resolve_contract(obj):
        return obj.contract or None

    @staticmethod
    def resolve_required_skills(obj):
        return list(obj.required_skills.all())


class OfferFilter(FilterSchema):
    status: OfferStatus | None = None
    kind: OfferKind | None = None
    contract: ContractType | None = None
    company: Annotated[Id | None, FilterLookup("company_id")] = None


class OfferIn(Schema):
    company: Id = Field(..., description="entreprise partenaire d'une de vos écoles")
    site: Id | None = Field(None, description="un site de cette entreprise")
    title: Title
    kind: OfferKind = OfferKind.JOB
    rome_code: str = Field("", pattern=r"^([A-N][0-9]{4})?$", description="code ROME, ex. F1605")
    contract: ContractType | None = None
    contract_months: int | None = Field(None, ge=1, le=120, description="obligatoire pour un CDD")
    commune: Id = Field(..., description="identifiant de la commune (GET /api/v1/communes?q=…)")
    start_date: dt.date | None = None
    required_skills: list[Id] = Field(
        default_factory=list,
        max_length=100,
        description="identifiants des compétences demandées (GET /api/v1/frameworks/{id}) : "
        "des identifiants plutôt que des codes, qu'une offre peut puiser dans plusieurs référentiels "
        "et qu'une nouvelle version d'un référentiel reprend",
    )
    driving_licence_required: bool = False
    description: LongText = ""
    status: OfferStatus = OfferStatus.OPEN


class ApplicationOut(Schema):
    id: int
    offer: int = Field(..., alias="offer_id")
    offer_title: str = Field(..., alias="offer.title")
    company_name: str = Field(..., alias="offer.company.name")
    enrolment: int = Field(..., alias="enrolment_id")
    learner: int = Field(..., alias="enrolment.learner_id")
    learner_name: str
    status: ApplicationStatus
    note: str | None = Field(
        ..., description="la note de l'équipe de l'école : null pour le ou la jeune et le prescripteur"
    )
    shared_note: str = Field(..., description="le message de l'école au ou à la jeune et au prescripteur")
    hired_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_learner_name(obj):
        return str(obj.enrolment.learner)

    @staticmethod
    def resolve_note(obj, context):
        return obj.note if permissions.reads_team_note(context["request"].user, obj) else None


class ApplicationFilter(FilterSchema):
    status: ApplicationStatus | None = None
    offer: Annotated[Id | None, FilterLookup("offer_id")] = None
    enrolment: Annotated[Id | None, FilterLookup("enrolment_id")] = None


class ApplicationIn(Schema):
    offer: Id
    enrolment: Id
    note: Note = Field("", description="pour l'équipe de l'école seulement")
    shared_note: Note = Field("", description="lu par le ou la jeune et son prescripteur")


class ApplicationTransitionIn(Schema):
    to: ApplicationStatus
    note: Note = Field("", description="pour l'équipe de l'école seulement")
    shared_note: Note = Field("", description="lu par le ou la jeune et son prescripteur")
    hired_on: dt.date | None = Field(None, description="pour une embauche ; vide : aujourd'hui")


# --- internships -------------------------------------------------------------------------------


def _internships(user):
    return Internship.objects.visible_to(user).with_list_related_data()


def _internship_detail(user, pk: int) -> Internship:
    return get_object_or_404(
        _internships(user)
        .select_related("prescriber_organisation")
        .prefetch_related(
            Prefetch("objectives", queryset=Skill.objects.order_by("code", "pk")),
            Prefetch(
                "signatures",
                queryset=ConventionSignature.objects.only("internship_id", "party", "name", "signed_at"),
            ),
        ),
        pk=pk,
    )


@router.get("/internships", response=list[InternshipOut])
@paginate(Pagination)
def internship_list(request, filters: Query[InternshipFilter]):
    """The internships the user may see, the latest first."""
    return filters.filter(_internships(request.user)).order_by("-start_date", "pk")


@router.get("/internships/{internship_id}", response=InternshipDetailOut)
def internship_detail(request, internship_id: Id):
    """One internship, its objectives and where each party stands with the convention."""
    return _internship_detail(request.user, internship_id)


def _objectives(enrolment: Enrolment, refs: list) -> list[Skill] | None:
    """The skills named by id or code in the cohort's framework; None when one is not there."""
    if not refs:
        return []
    ids = {ref for ref in refs if isinstance(ref, int)}
    codes = {ref for ref in refs if isinstance(ref, str)}
    framework_id = enrolment.cohort.framework_id
    if framework_id is None:
        return None
    skills = list(Skill.objects.filter(Q(pk__in=ids) | Q(code__in=codes), framework_id=framework_id))
    found_ids = {skill.pk for skill in skills}
    found_codes = {skill.code for skill in skills}
    if ids - found_ids or codes - found_codes:
        return None
    return skills


@router.post(
    "/internships",
    response={201: InternshipDetailOut, 404: ErrorOut},
)
def internship_create(request, payload: InternshipIn):
    """A draft internship (or PMSMP) of a young person in a partner company; 400 with the reason when
    the dates fall outside the cohort or overlap another internship, the company is not a partner…"""
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("cohort__school", "learner"),
        pk=payload.enrolment,
    )
    if not permissions.can_manage_internships(request.user, enrolment.cohort.school):
        raise PermissionDenied(NOT_TEAM)
    site = (
        CompanySite.objects.visible_to(request.user).select_related("company").filter(pk=payload.site).first()
    )
    if site is None:
        raise HttpError(422, "Ce site d'entreprise n'existe pas ou n'est pas celui d'un partenaire.")
    tutor = Contact.objects.filter(pk=payload.tutor, organisation_id=site.company_id).first()
    if tutor is None:
        raise HttpError(422, "Le tuteur ou la tutrice doit être un contact de l'entreprise d'accueil.")
    prescriber = None
    if payload.prescriber_organisation is not None:
        prescriber = (
            Organisation.objects.visible_to(request.user).filter(pk=payload.prescriber_organisation).first()
        )
        if prescriber is None:
            raise HttpError(422, "Cette structure prescriptrice n'existe pas.")
    renewal_of = None
    if payload.renewal_of is not None:
        renewal_of = (
            Internship.objects.visible_to(request.user)
            .select_related("enrolment")
            .filter(pk=payload.renewal_of)
            .first()
        )
        if renewal_of is None:
            raise HttpError(422, "La PMSMP à renouveler n'existe pas.")
    objectives = _objectives(enrolment, payload.objectives)
    if objectives is None:
        raise HttpError(422, "Les compétences visées sont celles du référentiel de la promotion.")
    internship = services.internship_create(
        enrolment=enrolment,
        by=request.user,
        site=site,
        tutor=tutor,
        start_date=payload.start_date,
        end_date=payload.end_date,
        kind=payload.kind,
        weekly_hours=payload.weekly_hours,
        objectives=objectives,
        activities=payload.activities,
        prescriber_organisation=prescriber,
        renewal_of=renewal_of,
    )
    return Status(201, _internship_detail(request.user, internship.pk))


@router.post(
    "/internships/{internship_id}/transitions",
    response={200: InternshipDetailOut, 409: ErrorOut},
)
def internship_transition(request, internship_id: Id, payload: TransitionIn):
    """Move an internship along its workflow: brouillon → a_signer (each party gets a personal link)
    → signee (reached only by the last party's signature, never here) → en_cours (from its first
    day) → terminee, or interrompue with a reason. 409 for a move the workflow does not allow."""
    internship = get_object_or_404(Internship.objects.visible_to(request.user), pk=internship_id)
    services.internship_transition(
        internship=internship, to=payload.to, by=request.user, reason=payload.reason
    )
    return _internship_detail(request.user, internship.pk)


# --- offers --------------------------------------------------------------------------------------


def _offers(user):
    return (
        Offer.objects.visible_to(user)
        .select_related("company", "commune")
        .prefetch_related(Prefetch("required_skills", queryset=Skill.objects.order_by("code", "pk")))
    )


@router.get("/offers", response=list[OfferOut])
@paginate(Pagination)
def offer_list(request, filters: Query[OfferFilter]):
    """Offers of the companies partnered with the user's schools, the latest first."""
    return filters.filter(_offers(request.user)).order_by("-created_at", "-pk")


@router.get("/offers/{offer_id}", response=OfferOut)
def offer_detail(request, offer_id: Id):
    return get_object_or_404(_offers(request.user), pk=offer_id)


@router.post("/offers", response={201: OfferOut, 404: ErrorOut})
def offer_create(request, payload: OfferIn):
    """An internship, job or apprenticeship offer of a partner company (its coordinates are its
    commune's, for the matching)."""
    company = get_object_or_404(Organisation.objects.visible_to(request.user), pk=payload.company)
    if not permissions.can_manage_offers(request.user, company):
        raise PermissionDenied("Seules les écoles partenaires de l'entreprise gèrent ses offres.")
    site = None
    if payload.site is not None:
        site = CompanySite.objects.filter(pk=payload.site, company=company).first()
        if site is None:
            raise HttpError(422, "Ce site n'est pas celui de l'entreprise.")
    commune = Commune.objects.filter(pk=payload.commune).first()
    if commune is None:
        raise HttpError(422, "Cette commune n'existe pas.")
    if payload.contract == ContractType.CDD and payload.contract_months is None:
        raise HttpError(422, "Un CDD a une durée : indiquez-la en mois.")
    skills = list(Skill.objects.filter(pk__in=set(payload.required_skills)))
    if len(skills) != len(set(payload.required_skills)):
        raise HttpError(422, "Une compétence demandée n'existe pas.")
    offer = Offer(
        company=company,
        site=site,
        title=payload.title,
        kind=payload.kind,
        rome_code=payload.rome_code,
        contract=payload.contract or "",
        contract_months=payload.contract_months,
        commune=commune,
        start_date=payload.start_date,
        driving_licence_required=payload.driving_licence_required,
        description=payload.description,
        status=payload.status,
    )
    offer = services.offer_save(by=request.user, offer=offer, required_skills=skills)
    return Status(201, get_object_or_404(_offers(request.user), pk=offer.pk))


# --- applications --------------------------------------------------------------------------------


def _applications(user):
    return Application.objects.visible_to(user).select_related(
        "offer__company", "enrolment__learner", "enrolment__cohort__school"
    )


@router.get("/applications", response=list[ApplicationOut])
@paginate(Pagination)
def application_list(request, filters: Query[ApplicationFilter]):
    """The young people proposed for offers, and what came of it; the latest first."""
    return filters.filter(_applications(request.user)).order_by("-created_at", "-pk")


@router.get("/applications/{application_id}", response=ApplicationOut)
def application_detail(request, application_id: Id):
    return get_object_or_404(_applications(request.user), pk=application_id)


@router.post("/applications", response={201: ApplicationOut, 404: ErrorOut})
def application_create(request, payload: ApplicationIn):
    """The school proposes a young person for an open offer of one of its partner companies."""
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("cohort__school"), pk=payload.enrolment
    )
    if not permissions.can_manage_internships(request.user, enrolment.cohort.school):
        raise PermissionDenied(NOT_TEAM)
    offer = get_object_or_404(
        Offer.objects.visible_to(request.user).select_related("company"), pk=payload.offer
    )
    application = services.application_create(
        offer=offer,
        enrolment=enrolment,
        by=request.user,
        note=payload.note,
        shared_note=payload.shared_note,
    )
    return Status(201, get_object_or_404(_applications(request.user), pk=application.pk))


@router.post(
    "/applications/{application_id}/transitions",
    response={200: ApplicationOut, 409: ErrorOut},
)
def application_transition(request, application_id: Id, payload: ApplicationTransitionIn):
    """proposé → entretien → retenu (with the hiring date) or non retenu; 409 for any other move."""
    application = get_object_or_404(Application.objects.visible_to(request.user), pk=application_id)
    services.application_transition(
        application=application,
        to=payload.to,
        by=request.user,
        note=payload.note,
        shared_note=payload.shared_note,
        hired_on=payload.hired_on,
    )
    return get_object_or_404(_applications(request.user), pk=application.pk)
