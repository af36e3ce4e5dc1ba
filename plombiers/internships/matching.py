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
offers × skills boolean matrix, bit-packed); coverage is a boolean matrix product (AND and
popcount on words of 64 skills), the haversine distance a numpy expression. One young person: the
offers are first cut in SQL by a bounding box on the indexed `(status, latitude, longitude)`
columns (and by what excludes whatever the place: partner, licence, dates), then scored in numpy.
Every young person (`learners_matches`): the offers are loaded once, the young people sorted by
place and scored in blocks against the offers near the block only (distances are computed once
per block and distinct offer location).

A young person is matched with the offers of the companies partnered with their school, an offer
with the young people of its company's partner schools: the school can propose them.
"""

import datetime as dt
import functools
import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.db import connections
from django.db.models import CharField, IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from plombiers.accounts.models import school_staff_q
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
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


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
    required: np.ndarray  # offers × skills, bit-packed (uint64 words, see pack_bits)
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
    acquired: np.ndarray  # learners × offers.skills, bit-packed like Offers.required

    def __len__(self):
        return len(self.ids)


def _fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a `values_list` queryset straight from the cursor: Django's per-value
    conversions cost more than everything else on tens of thousands of rows."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def _without_gc():
    """Tens of thousands of fresh tuples set off the cyclic garbage collector again and again, each
    pass walking the whole heap: the time would grow faster than the rows. They hold no cycle."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _ordinals(dates) -> np.ndarray:
    """Dates (date objects, ISO strings from SQLite, or None) as int32 ordinals, ANY_TIME for None."""
    days = np.array(dates, dtype="datetime64[D]")
    ordinals = days.astype(np.int64) + EPOCH_ORDINAL
    return np.where(np.isnat(days), ANY_TIME, ordinals).astype(np.int32)


def _offers(queryset: QuerySet) -> Offers:
    with _without_gc():
        return _offer_arrays(queryset)


def _offer_arrays(queryset: QuerySet) -> Offers:
    """The offers of `queryset` (open, with coordinates) as arrays, with their required skills:
    one query, a row per (offer, required skill), in no order (numpy sorts them). The date and
    the flag are cast in SQL: SQLite's per-value converters would cost more than the rest."""
    rows = _fetch(
        queryset.order_by()
        .annotate(
            start_text=Cast("start_date", CharField()),
            licence_int=Cast("driving_licence_required", IntegerField()),
        )
        .values_list(
            "pk",
            "latitude",
            "longitude",
            "licence_int",
            "start_text",
            "kind",
            "company_id",
            "required_skills",
        )
    )
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    all_ids = np.array(columns[0], dtype=np.int64)
    ids, first, offer_of_row = np.unique(all_ids, return_index=True, return_inverse=True)
    skill_of_row = np.array(columns[7], dtype=object)
    has_skill = np.not_equal(skill_of_row, None)
    skills, at = np.unique(skill_of_row[has_skill].astype(np.int64), return_inverse=True)
    required = np.zeros((len(ids), len(skills)), dtype=bool)
    required[offer_of_row[has_skill], at] = 1

    def column(k, dtype):
        return np.array(columns[k], dtype=dtype)[first]

    return Offers(
        ids=ids,
        lat=np.radians(column(1, np.float64)),
        lon=np.radians(column(2, np.float64)),
        licence=column(3, bool),
        any_time=column(5, object) == OfferKind.INTERNSHIP.value,
        start=_ordinals(np.array(columns[4], dtype=object)[first]),
        company=column(6, np.int64),
        skills=skills,
        required=pack_bits(required),
        required_count=required.sum(axis=1, dtype=np.int64).astype(np.float32),
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
        acquired=pack_bits(np.zeros((m, 0), dtype=bool)),
    )


def _acquire(learners: Learners, enrolments: QuerySet, skills: np.ndarray) -> None:
    """Fill `learners.acquired` over the offers' skill columns: current observations at an
    acquired level (one query, none without skills)."""
    m = len(learners)
    acquired = np.zeros((m, len(skills)), dtype=bool)
    learners.acquired = pack_bits(acquired)
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
    acquired[at[known], np.searchsorted(skills, pairs[known, 1])] = True
    learners.acquired = pack_bits(acquired)


# --- scoring -------------------------------------------------------------------------------------


def pack_bits(matrix: np.ndarray) -> np.ndarray:
    """A boolean rows × skills matrix as rows × words of 64 skills (uint64)."""
    packed = np.packbits(matrix, axis=1, bitorder="little")
    packed = np.pad(packed, ((0, 0), (0, -packed.shape[1] % 8)))
    return np.ascontiguousarray(packed).view(np.uint64)


def bit_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The boolean matrix product a × bᵀ of bit-packed rows, as counts (float32): for each pair,
    the skills set in both. AND then popcount, a word of 64 skills at a time: OpenBLAS's float
    product spins its threads on such thin matrices (fifty times slower on a busy 2-core machine)."""
    counts = np.zeros((len(a), len(b)), dtype=np.uint16)
    for word in range(a.shape[1]):
        counts += np.bitwise_count(a[:, word, None] & b[None, :, word])
    return counts.astype(np.float32)


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
    """Score the learners `li` against the offers `oi` (a matrix, in float32); `distance` when
    already known, `partners` a learners × offers mask of the offers their school may propose."""
    if distance is None:
        distance = haversine_km(
            learners.lat[li, None], learners.lon[li, None], offers.lat[None, oi], offers.lon[None, oi]
        )
    distance = distance.astype(np.float32)
    max_km = learners.max_km[li, None].astype(np.float32)
    licence = learners.licence[li, None]
    licence_ok = ~offers.licence[None, oi] | (licence == LICENCE_B)
    kept = (
        (distance <= max_km)
        & (licence_ok | (licence == LICENCE_IN_PROGRESS))
        & (offers.any_time[None, oi] | (offers.start[None, oi] >= learners.available[li, None]))
    )
    if partners is not None:
        kept &= partners
    matched = bit_product(learners.acquired[li], offers.required[oi])
    count = offers.required_count[oi]
    # coverage = matched / count, 1 when nothing is required; proximity = 1 - distance / max_km.
    per_skill = np.divide(COVERAGE_WEIGHT, count, out=np.zeros_like(count), where=count > 0)
    base = (COVERAGE_WEIGHT * (count == 0) + (1 - COVERAGE_WEIGHT)).astype(np.float32)
    score = matched * per_skill[None, :] + base[None, :]
    per_km = np.divide(1 - COVERAGE_WEIGHT, max_km, out=np.zeros_like(max_km), where=max_km > 0)
    score -= distance * per_km
    score[~licence_ok] *= LICENCE_IN_PROGRESS_FACTOR
    score[~kept] = -1
    return Scores(score, distance, matched, licence_ok)


def _top(score: np.ndarray, distance: np.ndarray, ids: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` best kept entries of a vector: score down, distance up, id up."""
    kept = np.flatnonzero(score >= 0) if limit > 0 else np.zeros(0, dtype=np.int64)
    if len(kept) > limit:
        threshold = np.partition(score[kept], len(kept) - limit)[len(kept) - limit]
        kept = kept[score[kept] >= threshold]  # ties at the threshold stay, the sort decides
    order = np.lexsort((ids[kept], distance[kept], -score[kept]))
    return kept[order[:limit]]


def _distance_text(km: float) -> str:
    return "à moins d'1 km" if km < 1 else f"{km:.0f} km"


@functools.lru_cache(maxsize=4096)
def _skills_text(matched: int, required: int) -> str:
    if not required:
        return "aucune compétence exigée"
    return f"{matched} compétence{'s' if matched > 1 else ''} sur {required}"


def _licence_text(required: bool, licence_ok: bool) -> str:
    if not required:
        return "permis non requis"
    return "permis B exigé (obtenu)" if licence_ok else "permis B exigé (en cours)"


@functools.lru_cache(maxsize=4096)
def _start_text(starts_on: dt.date | None, today: dt.date) -> str:
    if starts_on is None:
        return "date à convenir"
    return "dès maintenant" if starts_on <= today else f"dès le {starts_on:%d/%m/%Y}"


_date = functools.lru_cache(maxsize=4096)(dt.date.fromordinal)


def _matches(enrolment_ids, offer_rows, r, c, offers: Offers, scores: Scores, today) -> list[Match]:
    """The Match of each pair (scores[r, c]: enrolment, offers[offer_rows]), values gathered at once."""
    required_licence = offers.licence[offer_rows].tolist()
    return [
        Match(
            offer_id=offer_id,
            enrolment_id=enrolment_id,
            score=score,
            skills_matched=matched,
            skills_required=required,
            distance_km=rounded,
            licence_ok=licence_ok,
            starts_on=None if start == ANY_TIME else _date(start),
            explanation=" · ".join(
                (
                    _skills_text(matched, required),
                    _distance_text(distance),
                    _licence_text(licence_required, licence_ok),
                    _start_text(None if start == ANY_TIME else _date(start), today),
                )
            ),
        )
        for offer_id, enrolment_id, score, matched, required, distance, rounded, licence_ok, licence_required, start in zip(
            offers.ids[offer_rows].tolist(),
            enrolment_ids,
            np.round(scores.score[r, c].astype(np.float64), 4).tolist(),
            np.rint(scores.matched[r, c]).astype(np.int64).tolist(),
            offers.required_count[offer_rows].astype(np.int64).tolist(),
            scores.distance[r, c].astype(np.float64).tolist(),
            np.round(scores.distance[r, c].astype(np.float64), 1).tolist(),
            scores.licence_ok[r, c].tolist(),
            required_licence,
            offers.start[offer_rows].tolist(),
            strict=True,
        )
    ]


# --- the public interface -------------------------------------------------------------------------


def _bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """Degrees around a point that contain every point within `km` (a little more)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM) * 1.01
    widest = min(abs(lat) + dlat, 89.0)  # the parallel where a degree of longitude is shortest
    dlon = min(dlat / math.cos(math.radians(widest)), 180.0)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def offers_near(learners: Learners, i: int = 0) -> QuerySet:
    """The open offers a young person may be proposed for, cut in SQL: the bounding box of their
    travel distance on the indexed (status, latitude, longitude), their school's partners, and
    what leaves an offer out whatever its place (no licence, a job starting too early)."""
    lat, lon = math.degrees(learners.lat[i]), math.degrees(learners.lon[i])
    south, north, west, east = _bounding_box(lat, lon, float(learners.max_km[i]))
    box = open_offers().filter(
        latitude__range=(south, north),
        longitude__range=(west, east),
        company__in=Partnership.objects.filter(school_id=int(learners.school[i])).values("organisation"),
    )
    if learners.licence[i] == NO_LICENCE:
        box = box.filter(driving_licence_required=False)
    free_on = dt.date.fromordinal(int(learners.available[i]))
    return box.filter(Q(kind=OfferKind.INTERNSHIP) | Q(start_date__isnull=True) | Q(start_date__gte=free_on))


def learner_matches(enrolment: Enrolment, *, limit: int = 50) -> list[Match]:
    """The open offers of the companies partnered with the young person's school, best first
    (three queries)."""
    enrolments = Enrolment.objects.filter(pk=enrolment.pk)
    learners = _learners(enrolments)
    if not len(learners):
        return []  # no commune with coordinates: no distance, no match
    offers = _offers(offers_near(learners))
    if not len(offers):
        return []
    _acquire(learners, enrolments, offers.skills)
    scores = _score(learners, np.array([0]), offers, np.arange(len(offers)))
    best = _top(scores.score[0], scores.distance[0], offers.ids, limit)
    zeros = np.zeros(len(best), dtype=np.int64)
    enrolment_ids = [int(learners.ids[0])] * len(best)
    return _matches(enrolment_ids, best, zeros, best, offers, scores, timezone.localdate())


def offer_candidates(offer: Offer) -> QuerySet:
    """The young people an offer is matched with: current enrolments of its company's partner schools."""
    schools = Partnership.objects.filter(organisation_id=offer.company_id).values("school")
    return current_enrolments(Enrolment.objects.filter(cohort__school__in=schools))


def offer_matches(offer: Offer, *, limit: int = 50, among: QuerySet | None = None) -> list[Match]:
    """The young people for one open offer, best first (three queries). `among` narrows the
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
    zeros = np.zeros(len(best), dtype=np.int64)
    return _matches(learners.ids[best].tolist(), zeros, best, zeros, offers, scores, timezone.localdate())


def learners_matches(
    *, enrolments: QuerySet | None = None, limit: int = 50, block_size: int = 64
) -> Iterator[tuple[int, list[Match]]]:
    """Every current young person (or those of `enrolments`) with their best open offers.

    The offers are loaded once (one query), the young people once (two queries), the
    partnerships once: a young person gets the offers of their school's partners. Offers at the
    same place share their distance, computed per block of young people and distinct place. The
    young people are sorted by place, so that a block is scored only against the offers within
    reach of one of its members: the places are first cut by the block's bounding box (places
    sorted by latitude), then by distance.
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
    # Bands of a quarter of a degree of latitude (28 km), west to east inside a band.
    order = np.lexsort((learners.lon, np.floor(np.degrees(learners.lat) * 4)))
    for start in range(0, len(order), block_size):
        li = order[start : start + block_size]
        # The places in the block's bounding box (`places` is sorted by latitude).
        reach = float(learners.max_km[li].max()) / EARTH_RADIUS_KM * 1.01
        south, north = learners.lat[li].min() - reach, learners.lat[li].max() + reach
        widest = min(max(abs(south), abs(north)), math.radians(89))
        across = min(reach / math.cos(widest), math.pi)
        west, east = learners.lon[li].min() - across, learners.lon[li].max() + across
        band = np.arange(*np.searchsorted(places[0], [south, north]))
        box = band[(places[1][band] >= west) & (places[1][band] <= east)]
        to_box = haversine_km(
            learners.lat[li, None], learners.lon[li, None], places[0][None, box], places[1][None, box]
        )
        within = (to_box <= learners.max_km[li, None] + 0.01).any(axis=0)  # float32 later: a margin
        near, to_place = box[within], np.zeros((len(li), places.shape[1]))
        to_place[:, near] = to_box[:, within]
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
        for r, enrolment_id in enumerate(learners.ids[li].tolist()):
            best = _top(scores.score[r], scores.distance[r], ids, limit)
            rows = np.full(len(best), r)
            yield (
                enrolment_id,
                _matches([enrolment_id] * len(best), oi[best], rows, best, offers, scores, today),
            )


def team_enrolments(user) -> QuerySet:
    """Enrolments of the schools the user works in or oversees (not those of a prescriber role):
    whom the matching proposes, for the pages and the API alike."""
    enrolments = Enrolment.objects.visible_to(user)
    return enrolments if user.is_superuser else enrolments.filter(school_staff_q(user, "cohort__school"))
