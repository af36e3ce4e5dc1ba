from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from plombiers.accounts.permissions import staff_network_ids
from plombiers.lib.api import Id, Pagination

from . import permissions, services
from .enums import OrganisationKind, SchoolStatus
from .models import Commune, Network, Organisation, School, Trade

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


class SchoolIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    trade: str = Field(..., max_length=50, description="slug du métier")
    commune: str = Field(..., max_length=9, description="code INSEE de la commune")
    address: str = Field("", max_length=250)
    default_cohort_capacity: int | None = Field(None, ge=1, le=30, description="par défaut : celle du métier")
    project_holder: Id | None = Field(None, description="l'organisation porteuse (type project_holder)")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "ecole"
    slug, n = base, 1
    while School.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@router.post("/schools", response={201: SchoolDetailOut})
def school_create(request, payload: SchoolIn):
    """A new school of the caller's network, « en projet » (network staff), as the first step of
    « Ouvrir une école »."""
    user = request.user
    if not permissions.can_create_school(user):
        raise PermissionDenied("Seule la tête de réseau ouvre une école.")
    network = Network.objects.filter(pk__in=staff_network_ids(user)).order_by("pk").first()
    if network is None:
        raise PermissionDenied("Seule la tête de réseau ouvre une école.")
    trade = Trade.objects.filter(slug=payload.trade).first()
    if trade is None:
        raise ValidationError({"trade": f"Métier inconnu « {payload.trade} »."})
    commune = Commune.objects.filter(insee_code=payload.commune.upper(), kind=Commune.Kind.COMMUNE).first()
    if commune is None:
        raise ValidationError({"commune": f"Commune inconnue (code INSEE « {payload.commune} »)."})
    holder = None
    if payload.project_holder is not None:
        holder = get_object_or_404(
            Organisation.objects.visible_to(user).filter(
                network=network, kind=OrganisationKind.PROJECT_HOLDER
            ),
            pk=payload.project_holder,
        )
    school = services.school_create(
        network=network,
        by=user,
        name=payload.name.strip(),
        slug=_unique_slug(payload.name),
        trade=trade,
        commune=commune,
        address=payload.address,
        default_cohort_capacity=payload.default_cohort_capacity or trade.default_cohort_capacity,
        project_holder=holder,
        email=payload.email,
        phone=payload.phone,
    )
    return Status(
        201,
        School.objects.select_related("trade", "commune__departement__region", "project_holder").get(
            pk=school.pk
        ),
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
