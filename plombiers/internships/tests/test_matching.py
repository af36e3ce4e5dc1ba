"""Matching on a hand-built case: distances and coverage computed by hand (see matching_fixtures)."""

import datetime as dt

import numpy as np
import pytest

from plombiers.internships import matching
from plombiers.internships.enums import OfferStatus
from plombiers.internships.tests.factories import OfferFactory
from plombiers.internships.tests.matching_fixtures import case_fixture, frozen_fixture  # noqa: F401
from plombiers.referrals.enums import DrivingLicence

pytestmark = pytest.mark.usefixtures("frozen")


def by_offer(matches):
    return {m.offer_id: m for m in matches}


def test_the_offers_of_a_young_person_ranked_and_explained(case, django_assert_num_queries):
    o = case.offers
    # 1 the young person, 2 the offers in the box with their required skills, 3 the acquired skills
    with django_assert_num_queries(3):
        matches = matching.learner_matches(case.enrolment)
    assert [m.offer_id for m in matches] == [o.pontault.pk, o.meaux.pk, o.paris.pk, o.chelles.pk]
    found = by_offer(matches)

    pontault = found[o.pontault.pk]  # requires nothing: coverage 1; 10.847 km
    assert pontault.score == pytest.approx(0.8 + 0.2 * (1 - 10.847 / 30), abs=1e-3)
    assert (pontault.skills_matched, pontault.skills_required) == (0, 0)
    assert pontault.distance_km == pytest.approx(10.8, abs=0.05)
    assert pontault.explanation == "aucune compétence exigée · 11 km · permis non requis · date à convenir"

    meaux = found[o.meaux.pk]  # an internship offer (any time), 1 skill of 1, 23.577 km
    assert meaux.score == pytest.approx(0.8 + 0.2 * (1 - 23.577 / 30), abs=1e-3)
    assert meaux.explanation == "1 compétence sur 1 · 24 km · permis non requis · dès le 16/11/2026"

    # A job after the cohort: acquis and maîtrisé count, « en cours » does not: 2 of 3; 18.826 km.
    paris = found[o.paris.pk]
    assert (paris.skills_matched, paris.skills_required) == (2, 3)
    assert paris.score == pytest.approx(0.8 * 2 / 3 + 0.2 * (1 - 18.826 / 30), abs=1e-3)
    assert paris.distance_km == pytest.approx(18.8, abs=0.05)
    assert paris.licence_ok and paris.starts_on == dt.date(2027, 1, 5)
    assert paris.enrolment_id == case.enrolment.pk
    assert paris.explanation == "2 compétences sur 3 · 19 km · permis non requis · dès le 05/01/2027"

    # Same commune; the skill acquired then corrected to « en cours » is not acquired: 0 of 2.
    chelles = found[o.chelles.pk]
    assert (chelles.skills_matched, chelles.skills_required, chelles.distance_km) == (0, 2, 0)
    assert chelles.score == pytest.approx(0.2)
    assert chelles.explanation.startswith("0 compétence sur 2 · à moins d'1 km · ")

    # Left out: licence required (no licence), 61 km away, a job starting before the cohort ends,
    # a closed offer, the offer of a company that is not a partner of the school.
    for left_out in (o.bobigny, o.montereau, o.saint_denis, o.closed, o.other_school):
        assert left_out.pk not in found


def test_the_haversine_distances(communes):
    chelles, paris, meaux = communes["77108"], communes["75056"], communes["77284"]
    rad = np.radians
    km = matching.haversine_km(
        rad(chelles.latitude),
        rad(chelles.longitude),
        rad(np.array([paris.latitude, meaux.latitude])),
        rad(np.array([paris.longitude, meaux.longitude])),
    )
    assert km == pytest.approx([18.826, 23.577], abs=1e-3)


def test_a_licence_in_progress_halves_the_score_a_licence_b_counts_in_full(case):
    learner, bobigny = case.learner, case.offers.bobigny
    learner.driving_licence = DrivingLicence.IN_PROGRESS
    learner.save()
    match = by_offer(matching.learner_matches(case.enrolment))[bobigny.pk]
    full = 0.8 + 0.2 * (1 - 11.784 / 30)
    assert match.score == pytest.approx(full / 2, abs=1e-3)
    assert not match.licence_ok
    assert match.explanation == "1 compétence sur 1 · 12 km · permis B exigé (en cours) · dès maintenant"
    learner.driving_licence = DrivingLicence.B
    learner.save()
    match = by_offer(matching.learner_matches(case.enrolment))[bobigny.pk]
    assert match.score == pytest.approx(full, abs=1e-3) and match.licence_ok
    assert "permis B exigé (obtenu)" in match.explanation


def test_the_travel_distance_of_the_young_person(case):
    learner, o = case.learner, case.offers
    learner.max_travel_km = 70
    learner.save()
    montereau = by_offer(matching.learner_matches(case.enrolment))[o.montereau.pk]
    assert montereau.distance_km == pytest.approx(61.1, abs=0.05)
    assert montereau.score == pytest.approx(0.8 + 0.2 * (1 - 61.101 / 70), abs=1e-3)
    learner.max_travel_km = 15
    learner.save()
    assert [m.offer_id for m in matching.learner_matches(case.enrolment)] == [o.pontault.pk, o.chelles.pk]


def test_limit_and_ties(case, cast, communes):
    """Equal scores: the nearer first, then the older offer."""
    twin = OfferFactory(
        title="Pontault bis", commune=communes["77373"], company=cast.company_a, kind="emploi"
    )
    matches = matching.learner_matches(case.enrolment, limit=2)
    assert [m.offer_id for m in matches] == [case.offers.pontault.pk, twin.pk]
    assert matching.learner_matches(case.enrolment, limit=0) == []


def test_no_commune_no_match(case):
    case.learner.commune = None
    case.learner.save()
    assert matching.learner_matches(case.enrolment) == []


def test_the_young_people_of_an_offer(case, django_assert_num_queries):
    # 1 the offer with its required skills, 2 the young people, 3 their acquired skills
    with django_assert_num_queries(3):
        matches = matching.offer_matches(case.offers.paris)
    # Paul: 3/3 in Paris; Inès 2/3 at 18.8 km; Nina (just finished) 0/3 in Paris. Zoé is 41 km away,
    # Max dropped out, Léo finished in April, Bruno is in school B (not a partner of the company).
    assert [m.enrolment_id for m in matches] == [case.paul.pk, case.enrolment.pk, case.nina.pk]
    paul, ines, nina = matches
    assert paul.score == pytest.approx(1.0)
    assert paul.explanation == "3 compétences sur 3 · à moins d'1 km · permis non requis · dès le 05/01/2027"
    assert ines.score == pytest.approx(0.8 * 2 / 3 + 0.2 * (1 - 18.826 / 30), abs=1e-3)
    assert nina.score == pytest.approx(0.2) and nina.skills_matched == 0
    assert {m.offer_id for m in matches} == {case.offers.paris.pk}
    assert matching.offer_matches(case.offers.paris, limit=1) == [paul]


def test_an_offer_no_longer_open_has_no_candidates(case):
    offer = case.offers.paris
    offer.status = OfferStatus.FILLED
    offer.save()
    assert matching.offer_matches(offer) == []


def test_the_batch_gives_what_each_single_call_gives(case):
    """All young people at once (in blocks) ≡ one by one."""
    batch = dict(matching.learners_matches(block_size=2))
    current = {case.enrolment.pk, case.paul.pk, case.zoe.pk, case.nina.pk, case.bruno.pk}
    assert set(batch) == current
    for enrolment in (case.enrolment, case.paul, case.zoe, case.nina, case.bruno):
        assert batch[enrolment.pk] == matching.learner_matches(enrolment), enrolment.learner.first_name
    assert [m.offer_id for m in batch[case.bruno.pk]] == [case.offers.other_school.pk], "school B's partner"
    assert len(batch[case.paul.pk]) >= 2


def test_current_enrolment_of_a_young_person(case):
    assert matching.current_enrolment_of(case.learner.pk) == case.enrolment
    assert matching.current_enrolment_of(case.nina.learner_id) == case.nina
    assert matching.current_enrolment_of(case.leo.learner_id) is None
    assert matching.current_enrolment_of(case.max.learner_id) is None
    current = {case.enrolment, case.paul, case.zoe, case.nina, case.bruno}
    for enrolment in (*current, case.leo, case.max):
        assert matching.is_current(enrolment) is (enrolment in current)
