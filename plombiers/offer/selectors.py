"""What a school declares of its offer: read once for one school or for the whole instance, in a
constant number of queries (the schools, their upcoming cohorts, their upcoming information
sessions). Only what an outsider may read: no person, no learner, no staff member."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from stdnum.fr import siret

from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import School
from plombiers.referrals.models import InformationSession


@dataclass
class SchoolOffer:
    school: School
    cohorts: list[Cohort] = field(default_factory=list)
    information_sessions: list[InformationSession] = field(default_factory=list)


def declarable_schools(schools: QuerySet | None = None) -> QuerySet:
    """Open schools run by a project holder with its SIRET and its « numéro de déclaration
    d'activité » (LHEO requires both of the organisation responsible for the training)."""
    schools = School.objects.all() if schools is None else schools
    return (
        schools.filter(status=SchoolStatus.OPEN, project_holder__isnull=False)
        .exclude(project_holder__siret="")
        .exclude(project_holder__nda="")
        .select_related(
            "trade", "commune__departement__region", "project_holder__commune__departement__region"
        )
        .order_by("network__name", "name", "pk")
    )


def upcoming_cohorts(schools, today: dt.date) -> QuerySet:
    """The cohorts still to come: starting today or later, or planned and not over (a cohort
    registration is still open for). Each with its count of active enrolments, for the places left."""
    return (
        Cohort.objects.filter(school__in=schools)
        .exclude(status=CohortStatus.FINISHED)
        .filter(Q(start_date__gte=today) | Q(status=CohortStatus.PLANNED, end_date__gte=today))
        .annotate(active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE)))
        .order_by("start_date", "pk")
    )


def school_offers(schools: QuerySet | None = None, *, now: dt.datetime | None = None) -> list[SchoolOffer]:
    """The offer of each declarable school (of `schools`) that has at least one upcoming cohort."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    offers = {school.pk: SchoolOffer(school) for school in declarable_schools(schools)}
    for cohort in upcoming_cohorts(list(offers), today):
        offers[cohort.school_id].cohorts.append(cohort)
    sessions = InformationSession.objects.filter(school__in=list(offers), starts_at__gte=now).order_by(
        "starts_at", "pk"
    )
    for session in sessions:
        offers[session.school_id].information_sessions.append(session)
    return [offer for offer in offers.values() if offer.cohorts and declarable(offer.school)]


def declarable(school: School) -> bool:
    """What LHEO requires and the database does not hold for sure: the public aimed at (a FORMACODE
    code) of the trade, a 5-digit postal code, a valid SIRET and an 11-digit declaration number
    (rows written around the forms' validation are left out rather than exported invalid)."""
    holder = school.project_holder
    return bool(
        school.trade.public_codes
        and re.fullmatch(r"\d{5}", school.commune.main_postal_code)
        and siret.is_valid(holder.siret)
        and re.fullmatch(r"\d{11}", holder.nda)
    )
