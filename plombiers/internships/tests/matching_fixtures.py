"""The hand-built matching case shared by the matching tests (engine, pages, API).

Inès lives in Chelles (77108), in school A's fibre cohort (7 Sep – 18 Dec 2026), no driving licence,
no travel distance given (30 km). Distances from Chelles, computed by hand with the spherical law of
cosines on the communes' centroids (R = 6371.0088 km): Pontault-Combault 10.847 km, Bobigny
11.784 km, Saint-Denis 18.118 km, Paris 18.826 km, Meaux 23.577 km, Montereau-Fault-Yonne 61.101 km.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.internships.enums import OfferKind, OfferStatus
from plombiers.internships.tests.factories import OfferFactory
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.skills.enums import Level
from plombiers.skills.models import Observation

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(name="frozen")
def frozen_fixture():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def observe(enrolment, skill, level, on=dt.date(2026, 10, 1)):
    return Observation.objects.create(enrolment=enrolment, skill=skill, level=level, observed_on=on)


@pytest.fixture(name="case")
def case_fixture(cast, communes, placement, frozen):
    c = communes
    enrolment = placement.enrolment
    learner = placement.learner
    learner.commune = c["77108"]
    learner.save()
    skills = list(enrolment.cohort.framework.skills.order_by("pk")[:5])
    s1, s2, s3, s4, s5 = skills
    observe(enrolment, s1, Level.ACQUIRED)
    observe(enrolment, s2, Level.MASTERED)
    observe(enrolment, s3, Level.IN_PROGRESS)
    observe(enrolment, s4, Level.ACQUIRED)
    observe(enrolment, s4, Level.IN_PROGRESS, on=dt.date(2026, 10, 20))  # a correction: not acquired now

    def offer(title, insee, required=(), **fields):
        fields.setdefault("company", cast.company_a)
        fields.setdefault("kind", OfferKind.JOB)
        made = OfferFactory(title=title, commune=c[insee], **fields)
        made.required_skills.set(required)
        return made

    offers = SimpleNamespace(
        paris=offer("Paris", "75056", [s1, s2, s3], start_date=dt.date(2027, 1, 5)),
        meaux=offer("Meaux", "77284", [s1], kind=OfferKind.INTERNSHIP, start_date=dt.date(2026, 11, 16)),
        pontault=offer("Pontault", "77373"),
        bobigny=offer(
            "Bobigny",
            "93008",
            [s1],
            driving_licence_required=True,
            kind=OfferKind.INTERNSHIP,
            start_date=dt.date(2026, 10, 26),
        ),
        montereau=offer("Montereau", "77305"),
        saint_denis=offer("Saint-Denis", "93066", start_date=dt.date(2026, 12, 1)),
        closed=offer("Chelles fermée", "77108", status=OfferStatus.CLOSED),
        chelles=offer("Chelles", "77108", [s4, s5]),
        other_school=offer("Chelles, entreprise de l'école B", "77108", company=cast.company_b),
    )
    # Other young people: Paul in Paris with the three skills of the Paris offer; Zoé in Meaux
    # (41 km from Paris); Max, who dropped out; Nina, whose cohort ended in September (just
    # finished); Léo, finished in April (more than three months ago); Bruno, of school B.
    cohort = enrolment.cohort

    def person(first_name, insee, cohort=cohort, **fields):
        someone = LearnerFactory(first_name=first_name, last_name="Test", commune=c[insee])
        return EnrolmentFactory(cohort=cohort, learner=someone, **fields)

    def past(end, school=cast.school_a):
        return CohortFactory(
            school=school,
            framework=cohort.framework,
            status="terminee",
            start_date=end - dt.timedelta(weeks=16),
            end_date=end,
        )

    paul = person("Paul", "75056")
    for skill in (s1, s2, s3):
        observe(paul, skill, Level.ACQUIRED)
    zoe = person("Zoé", "77284")
    max_ = person("Max", "75056", status="abandon", end_date=dt.date(2026, 10, 1), drop_out_reason="autre")
    september = past(dt.date(2026, 9, 30))
    nina = person("Nina", "75056", cohort=september, status="terminee", end_date=dt.date(2026, 9, 30))
    april = past(dt.date(2026, 4, 30))
    leo = person("Léo", "75056", cohort=april, status="terminee", end_date=dt.date(2026, 4, 30))
    bruno = person(
        "Bruno",
        "75056",
        cohort=CohortFactory(school=cast.school_b, framework=cohort.framework, status="en_cours"),
    )
    return SimpleNamespace(
        enrolment=enrolment,
        learner=learner,
        skills=skills,
        offers=offers,
        paul=paul,
        zoe=zoe,
        max=max_,
        nina=nina,
        leo=leo,
        bruno=bruno,
    )
