"""Skills-based matching of young people and offers, vectorised with numpy.

Who is matched: a young person's *current* enrolment — active, or finished less than
`JUST_FINISHED_DAYS` ago — with a commune that has coordinates; the open offers with coordinates
(copied from their commune by `offer_save`).

The rules, for one (young person, offer) pair:

- **distance**: great-circle distance from the young person's commune to the offer, at most
  `Learner.max_travel_km` (`DEFAULT_TRAVEL_KM` when unset); farther offers are left out;
- **driving licence**: an offer requiring licence B is left out for a young person without any
  licence; one whose licence is in progress keeps it, at half the score (`licence_ok` is false and
  the explanation says « permis B exigé (en cours) »);
- **dates**: a job or apprenticeship must not start before the end of the young person's cohort
  (they are free then); an internship offer fits at any time; an offer without a start date fits;
- **coverage**: the required skills the young person has acquired (current observation at
  `acquis` or `maitrise`) over the required skills; an offer requiring nothing covers 1.

score = (0.8 × coverage + 0.2 × (1 − distance / max distance)) × (½ if the licence is in progress)
— between 0 and 1; coverage weighs four times as much as proximity. Ties: the nearer first, then
the older offer (or enrolment) first.

How: the open offers become arrays (ids, coordinates in radians, licence flag, start ordinal, an
offers × skills matrix); coverage is a matrix product, the haversine distance a numpy expression.
One young person: offers are first cut in SQL by a bounding box on the indexed
`(status, latitude, longitude)` columns. Every young person (`learners_matches`): the offers are
loaded once, the young people sorted by place and scored in blocks against the offers near the
block only (distances are computed once per distinct offer location).
"""

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.network.models import Partnership
from plombiers.referrals.enums import DrivingLicence
from plombiers.skills.enums import ACQUIRED_LEVELS
from plombiers.skills.models import Observation

from .enums import OfferKind
from .models import Offer

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
DEFAULT_TRAVEL_KM = 30
JUST_FINISHED_DAYS = 92  # a young person is matched for three months after their cohort
COVERAGE_WEIGHT = 0.8
LICENCE_IN_PROGRESS_FACTOR = 0.5
# Licence of the young person, as numbers in the arrays.
NO_LICENCE, LICENCE_IN_PROGRESS, LICENCE_B = 0, 1, 2
LICENCE_CODES = {DrivingLicence.B: LICENCE_B, DrivingLicence.IN_PROGRESS: LICENCE_IN_PROGRESS}
ANY_TIME = np.iinfo(np.int32).max  # the start ordinal of an offer without a start date


@dataclass(frozen=True)
class Match:
    offer_id: int
    enrolment_id: int
    score: float  # 0–1
    skills_matched: int
    skills_required: int
    distance_km: float
    licence_ok: bool
    starts_on: dt.date | None
    explanation: str


# --- who is matched -----------------------------------------------------------------------------


def current_enrolments(queryset: QuerySet | None = None, *, today: dt.date | None = None) -> QuerySet:
    """Enrolments still matched: active, or finished less than JUST_FINISHED_DAYS ago."""
    queryset = Enrolment.objects.all() if queryset is None else queryset
    since = (today or timezone.localdate()) - dt.timedelta(days=JUST_FINISHED_DAYS)
    finished = Q(status=EnrolmentStatus.COMPLETED) & (
        Q(end_date__gte=since) | Q(end_date__isnull=True, cohort__end_date__gte=since)
    )
    return queryset.filter(Q(status=EnrolmentStatus.ACTIVE) | finished)


def is_current(enrolment: Enrolment, *, today: dt.date | None = None) -> bool:
    """The same rule as `current_enrolments`, for one enrolment already loaded (with its cohort)."""
    if enrolment.status == EnrolmentStatus.ACTIVE:
        return True
    since = (today or timezone.localdate()) - dt.timedelta(days=JUST_FINISHED_DAYS)
    ended = enrolment.end_date or enrolment.cohort.end_date
    return enrolment.status == EnrolmentStatus.COMPLETED and ended >= since


def current_enrolment_of(learner_id: int) -> Enrolment | None:
    """The enrolment a young person is matched through: their latest current one."""
    return (
        current_enrolments(Enrolment.objects.filter(learner_id=learner_id))
        .order_by("-entry_date", "-pk")
        .first()
    )


# --- arrays ------------------------------------------------------------------------------------------


@dataclass
class Offers:
    ids: np.ndarray  # int64, sorted
    lat: np.ndarray  # radians
    lon: np.ndarray
    licence: np.ndarray  # bool: licence B required
    any_time: np.ndarray  # bool: an internship offer fits whenever the young person is
    start: np.ndarray  # int32 ordinal, ANY_TIME when unknown
    company: np.ndarray  # int64 company ids
    skills: np.ndarray  # int64 skill ids: the columns of `required`
    required: np.ndarray  # float32 offers × skills, 1 where required
    required_count: np.ndarray  # float32

    def __len__(self):
        return len(self.ids)


@dataclass
class Learners:
    ids: np.ndarray  # enrolment ids, int64
    lat: np.ndarray  # radians
    lon: np.ndarray
    max_km: np.ndarray  # float64
    licence: np.ndarray  # int8: NO_LICENCE, LICENCE_IN_PROGRESS, LICENCE_B
    available: np.ndarray  # int32 ordinal: the end of the cohort
    school: np.ndarray  # int64 school ids
    acquired: np.ndarray  # float32 learners × offers.skills

    def __len__(self):
        return len(self.ids)


def _offers(queryset: QuerySet) -> Offers:
    """The offers of `queryset` (open, with coordinates) as arrays: two queries."""
    rows = list(
        queryset.order_by("pk").values_list(
            "pk", "latitude", "longitude", "driving_licence_required", "start_date", "kind", "company_id"
        )
    )
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    pairs = np.array(
        list(
            Offer.required_skills.through.objects.filter(offer__in=queryset.values("pk")).values_list(
                "offer_id", "skill_id"
            )
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    skills, columns = np.unique(pairs[:, 1], return_inverse=True)
    required = np.zeros((n, len(skills)), dtype=np.float32)
    required[np.searchsorted(ids, pairs[:, 0]), columns] = 1
    return Offers(
        ids=ids,
        lat=np.radians(np.fromiter((r[1] for r in rows), dtype=np.float64, count=n)),
        lon=np.radians(np.fromiter((r[2] for r in rows), dtype=np.float64, count=n)),
        licence=np.fromiter((r[3] for r in rows), dtype=bool, count=n),
        any_time=np.fromiter((r[5] == OfferKind.INTERNSHIP for r in rows), dtype=bool, count=n),
        start=np.fromiter((r[4].toordinal() if r[4] else ANY_TIME for r in rows), dtype=np.int32, count=n),
        company=np.fromiter((r[6] for r in rows), dtype=np.int64, count=n),
        skills=skills,
        required=required,
        required_count=required.sum(axis=1),
    )


def open_offers() -> QuerySet:
    return Offer.objects.open().filter(latitude__isnull=False, longitude__isnull=False)


def _learners(enrolments: QuerySet) -> Learners:
    """The enrolments whose young person has a located commune, as arrays (one query); their
    acquired skills come with `_acquire`."""
    rows = list(
        enrolments.filter(learner__commune__latitude__isnull=False, learner__commune__longitude__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "learner__commune__latitude",
            "learner__commune__longitude",
            "learner__max_travel_km",
            "learner__driving_licence",
            "cohort__end_date",
            "cohort__school_id",
        )
    )
    m = len(rows)
    return Learners(
        ids=np.fromiter((r[0] for r in rows), dtype=np.int64, count=m),
        lat=np.radians(np.fromiter((r[1] for r in rows), dtype=np.float64, count=m)),
        lon=np.radians(np.fromiter((r[2] for r in rows), dtype=np.float64, count=m)),
        max_km=np.fromiter(
            (DEFAULT_TRAVEL_KM if r[3] is None else r[3] for r in rows), dtype=np.float64, count=m
        ),
        licence=np.fromiter((LICENCE_CODES.get(r[4], NO_LICENCE) for r in rows), dtype=np.int8, count=m),
        available=np.fromiter((r[5].toordinal() for r in rows), dtype=np.int32, count=m),
        school=np.fromiter((r[6] for r in rows), dtype=np.int64, count=m),
        acquired=np.zeros((m, 0), dtype=np.float32),
    )


def _acquire(learners: Learners, enrolments: QuerySet, skills: np.ndarray) -> None:
    """Fill `learners.acquired` over the offers' skill columns: current observations at an
    acquired level (one query, none without skills)."""
    m = len(learners)
    learners.acquired = np.zeros((m, len(skills)), dtype=np.float32)
    if not m or not len(skills):
        return
    observed = (
        Observation.objects.filter(enrolment__in=enrolments.values("pk"), skill__in=skills.tolist())
        .current()
        .filter(level__in=ACQUIRED_LEVELS)
        .values_list("enrolment_id", "skill_id")
    )
    pairs = np.array(list(observed), dtype=np.int64).reshape(-1, 2)
    at = np.searchsorted(learners.ids, pairs[:, 0])
    known = (at < m) & (learners.ids[np.minimum(at, m - 1)] == pairs[:, 0])
    learners.acquired[at[known], np.searchsorted(skills, pairs[known, 1])] = 1


# --- scoring -------------------------------------------------------------------------------------


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance between points in radians (numpy arrays, broadcast)."""
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class Scores:
    """Learners (rows) × offers (columns) of one block; `score` is -1 where the pair is left out."""

    score: np.ndarray
    distance: np.ndarray
    matched: np.ndarray
    licence_ok: np.ndarray


def _score(
    learners: Learners, li: np.ndarray, offers: Offers, oi: np.ndarray, *, distance=None, partners=None
) -> Scores:
    """Score the learners `li` against the offers `oi`; `distance` when already known, `partners`
    a learners × offers mask of the offers their school may propose (all when None)."""
    if distance is None:
        distance = haversine_km(
            learners.lat[li, None], learners.lon[li, None], offers.lat[None, oi], offers.lon[None, oi]
        )
    max_km = learners.max_km[li, None]
    licence = learners.licence[li, None]
    required = offers.licence[None, oi]
    licence_ok = ~required | (licence == LICENCE_B)
    kept = (
        (distance <= max_km)
        & (licence_ok | (licence == LICENCE_IN_PROGRESS))
        & (offers.any_time[None, oi] | (offers.start[None, oi] >= learners.available[li, None]))
    )
    if partners is not None:
        kept &= partners
    matched = learners.acquired[li] @ offers.required[oi].T  # the coverage: a matrix product
    count = offers.required_count[None, oi]
    coverage = np.where(count > 0, matched / np.maximum(count, 1), 1.0)
    proximity = 1.0 - np.divide(distance, max_km, out=np.zeros_like(distance), where=max_km > 0)
    score = (COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * proximity) * np.where(
        licence_ok, 1.0, LICENCE_IN_PROGRESS_FACTOR
    )
    return Scores(np.where(kept, score, -1.0), distance, matched, licence_ok)


def _top(score: np.ndarray, distance: np.ndarray, ids: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` best kept entries of a vector: score down, distance up, id up."""
    kept = np.flatnonzero(score >= 0)
    if len(kept) > limit:
        threshold = np.partition(score[kept], len(kept) - limit)[len(kept) - limit]
        kept = kept[score[kept] >= threshold]  # ties at the threshold stay, the sort decides
    order = np.lexsort((ids[kept], distance[kept], -score[kept]))
    return kept[order[:limit]]


def _distance_text(km: float) -> str:
    return "à moins d'1 km" if km < 1 else f"{km:.0f} km"


def _skills_text(matched: int, required: int) -> str:
    if not required:
        return "aucune compétence exigée"
    return f"{matched} compétence{'s' if matched > 1 else ''} sur {required}"


def _licence_text(required: bool, licence_ok: bool) -> str:
    if not required:
        return "permis non requis"
    return "permis B exigé (obtenu)" if licence_ok else "permis B exigé (en cours)"


def _start_text(starts_on: dt.date | None, today: dt.date) -> str:
    if starts_on is None:
        return "date à convenir"
    return "dès maintenant" if starts_on <= today else f"dès le {starts_on:%d/%m/%Y}"


def _match(learners, i, offers, j, scores, r, c, today) -> Match:
    matched, required = int(scores.matched[r, c] + 0.5), int(offers.required_count[j])
    distance, licence_ok = float(scores.distance[r, c]), bool(scores.licence_ok[r, c])
    start = int(offers.start[j])
    starts_on = None if start == ANY_TIME else dt.date.fromordinal(start)
    return Match(
        offer_id=int(offers.ids[j]),
        enrolment_id=int(learners.ids[i]),
        score=round(float(scores.score[r, c]), 4),
        skills_matched=matched,
        skills_required=required,
        distance_km=round(distance, 1),
        licence_ok=licence_ok,
        starts_on=starts_on,
        explanation=" · ".join(
            [
                _skills_text(matched, required),
                _distance_text(distance),
                _licence_text(bool(offers.licence[j]), licence_ok),
                _start_text(starts_on, today),
            ]
        ),
    )


# --- the public interface -------------------------------------------------------------------------


def _bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """Degrees around a point that contain every point within `km` (a little more)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM) * 1.01
    widest = min(abs(lat) + dlat, 89.0)  # the parallel where a degree of longitude is shortest
    dlon = min(dlat / math.cos(math.radians(widest)), 180.0)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def learner_matches(enrolment: Enrolment, *, limit: int = 50) -> list[Match]:
    """The open offers of the companies partnered with the young person's school, best first
    (four queries)."""
    enrolments = Enrolment.objects.filter(pk=enrolment.pk)
    learners = _learners(enrolments)
    if not len(learners):
        return []  # no commune with coordinates: no distance, no match
    lat, lon = math.degrees(learners.lat[0]), math.degrees(learners.lon[0])
    south, north, west, east = _bounding_box(lat, lon, float(learners.max_km[0]))
    offers = _offers(
        open_offers().filter(
            latitude__range=(south, north),
            longitude__range=(west, east),
            company__in=Partnership.objects.filter(school_id=int(learners.school[0])).values("organisation"),
        )
    )
    if not len(offers):
        return []
    _acquire(learners, enrolments, offers.skills)
    scores = _score(learners, np.array([0]), offers, np.arange(len(offers)))
    best = _top(scores.score[0], scores.distance[0], offers.ids, limit)
    today = timezone.localdate()
    return [_match(learners, 0, offers, j, scores, 0, j, today) for j in best]


def offer_candidates(offer: Offer) -> QuerySet:
    """The young people an offer is matched with: current enrolments of its company's partner schools."""
    schools = Partnership.objects.filter(organisation_id=offer.company_id).values("school")
    return current_enrolments(Enrolment.objects.filter(cohort__school__in=schools))


def offer_matches(offer: Offer, *, limit: int = 50, among: QuerySet | None = None) -> list[Match]:
    """The young people for one open offer, best first (four queries). `among` narrows the
    enrolments (to those a user may see)."""
    offers = _offers(open_offers().filter(pk=offer.pk))
    if not len(offers):
        return []
    candidates = offer_candidates(offer)
    if among is not None:
        candidates = candidates.filter(pk__in=among.values("pk"))
    learners = _learners(candidates)
    if not len(learners):
        return []
    _acquire(learners, candidates, offers.skills)
    scores = _score(learners, np.arange(len(learners)), offers, np.array([0]))
    best = _top(scores.score[:, 0], scores.distance[:, 0], learners.ids, limit)
    today = timezone.localdate()
    return [_match(learners, i, offers, 0, scores, i, 0, today) for i in best]


def learners_matches(
    *, enrolments: QuerySet | None = None, limit: int = 50, block_size: int = 256
) -> Iterator[tuple[int, list[Match]]]:
    """Every current young person (or those of `enrolments`) with their best open offers.

    The offers are loaded once (two queries), the young people once (two queries), the
    partnerships once: a young person gets the offers of their school's partners. Offers at the
    same place share their distance, computed per block of young people and distinct place; the
    young people are sorted by place, so that a block is scored only against the offers within
    reach of one of its members.
    """
    offers = _offers(open_offers())
    enrolments = current_enrolments(enrolments)
    learners = _learners(enrolments)
    _acquire(learners, enrolments, offers.skills)
    if not len(offers):
        for i in learners.ids:
            yield int(i), []
        return
    today = timezone.localdate()
    # Which school may propose which company's offers: a schools × companies mask.
    schools, learner_school = np.unique(learners.school, return_inverse=True)
    companies, offer_company = np.unique(offers.company, return_inverse=True)
    partnered = np.zeros((len(schools), len(companies)), dtype=bool)
    links = np.array(
        list(
            Partnership.objects.filter(
                school__in=schools.tolist(), organisation__in=companies.tolist()
            ).values_list("school_id", "organisation_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    partnered[np.searchsorted(schools, links[:, 0]), np.searchsorted(companies, links[:, 1])] = True
    places, offer_place = np.unique(np.stack([offers.lat, offers.lon]), axis=1, return_inverse=True)
    offer_place = offer_place.ravel()
    by_place = np.argsort(offer_place, kind="stable")  # the offers grouped by place
    place_start = np.searchsorted(offer_place[by_place], np.arange(places.shape[1] + 1))
    # Bands of half a degree of latitude (55 km), west to east inside a band.
    order = np.lexsort((learners.lon, np.floor(np.degrees(learners.lat) * 2)))
    for start in range(0, len(order), block_size):
        li = order[start : start + block_size]
        to_place = haversine_km(
            learners.lat[li, None], learners.lon[li, None], places[0][None, :], places[1][None, :]
        )
        near = np.flatnonzero((to_place <= learners.max_km[li, None]).any(axis=0))
        counts = place_start[near + 1] - place_start[near]
        # The offers of the near places: ranges of `by_place`, concatenated without a loop.
        firsts = np.repeat(place_start[near] - np.cumsum(counts) + counts, counts)
        oi = by_place[firsts + np.arange(counts.sum())]
        scores = _score(
            learners,
            li,
            offers,
            oi,
            distance=to_place[:, offer_place[oi]],
            partners=partnered[learner_school[li, None], offer_company[None, oi]],
        )
        ids = offers.ids[oi]
        for r, i in enumerate(li):
            best = _top(scores.score[r], scores.distance[r], ids, limit)
            yield (
                int(learners.ids[i]),
                [_match(learners, i, offers, oi[c], scores, r, c, today) for c in best],
            )
