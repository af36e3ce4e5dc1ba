from datetime import date
from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from plombiers.lib.api import Id, Pagination

from .enums import OrganisationKind, SchoolStatus
from .models import Commune, Organisation, School

router = Router(tags=["network"])


class CommuneOut(Schema):
    id: int
    insee_code: str
    name: str
    kind: str
    postal_codes: list[str]
    departement: str | None = Field(None, alias="departement.code")
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_postal_codes(obj):
        return obj.postal_codes.split() if obj.postal_codes else []


class CommuneRef(Schema):
    name: str
    insee_code: str


class SchoolOut(Schema):
    id: int
    name: str
    slug: str
    trade: str = Field(..., alias="trade.name")
    commune: CommuneRef
    region: str | None = None
    status: SchoolStatus
    opened_on: date | None
    default_cohort_capacity: int

    @staticmethod
    def resolve_region(obj):
        departement = obj.commune.departement
        return departement.region.name if departement else None


class SchoolDetailOut(SchoolOut):
    address: str
    platform_description: str
    project_holder: str | None = Field(None, alias="project_holder.name")
    email: str
    phone: str


class SchoolFilter(FilterSchema):
    trade: Annotated[str | None, FilterLookup("trade__slug"), Field(description="slug du métier")] = None
    status: SchoolStatus | None = None
    region: Annotated[
        str | None,
        FilterLookup("commune__departement__region__code"),
        Field(description="code INSEE de la région"),
    ] = None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    category: str
    siret: str
    commune: CommuneRef | None


class OrganisationFilter(FilterSchema):
    kind: OrganisationKind | None = None
    q: Annotated[str | None, FilterLookup("name__icontains")] = None


@router.get("/schools", response=list[SchoolOut])
@paginate(Pagination)
def school_list(request, filters: Query[SchoolFilter]):
    schools = School.objects.visible_to(request.user).select_related("trade", "commune__departement__region")
    return filters.filter(schools).order_by("name")


@router.get("/schools/{school_id}", response=SchoolDetailOut)
def school_detail(request, school_id: Id):
    return get_object_or_404(
        School.objects.visible_to(request.user).select_related(
            "trade", "commune__departement__region", "project_holder"
        ),
        pk=school_id,
    )


@router.get("/organisations", response=list[OrganisationOut])
@paginate(Pagination)
def organisation_list(request, filters: Query[OrganisationFilter]):
    organisations = Organisation.objects.visible_to(request.user).select_related("commune")
    return filters.filter(organisations).order_by("name")


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def organisation_detail(request, organisation_id: Id):
    return get_object_or_404(
        Organisation.objects.visible_to(request.user).select_related("commune"), pk=organisation_id
    )


@router.get("/communes", response=list[CommuneOut])
@paginate(Pagination)
def commune_list(request, q: str = ""):
    """Communes by the start of their name, a postal code or an INSEE code (public reference data)."""
    communes = Commune.objects.search(q) if q else Commune.objects.filter(Q(kind=Commune.Kind.COMMUNE))
    return communes.select_related("departement").ranked()
