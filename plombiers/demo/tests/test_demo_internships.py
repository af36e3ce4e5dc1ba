"""The placements of the demo: internships in the cohorts' internship weeks, signed conventions,
tutors' evaluations and their observations, offers around the schools, hires, Inès's internship."""

import datetime as dt
import ipaddress
import itertools
from collections import Counter, defaultdict

import pytest
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus, SessionKind
from plombiers.cohorts.models import Cohort, Enrolment, TrainingSession
from plombiers.conftest import built_once
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.internships import (
    IP_PREFIXES,
    RADIUS_KM,
    TITLES,
    InternshipsBuilder,
    demo_internship_counts,
    km,
)
from plombiers.demo.network import Builder
from plombiers.demo.skills import SkillsBuilder
from plombiers.frameworks.loader import frameworks_load
from plombiers.internships.enums import (
    SOFT_SKILLS,
    ApplicationStatus,
    ContractType,
    EvaluationOutcome,
    InternshipKind,
    InternshipStatus,
    OfferStatus,
    Party,
    Rating,
    TutorAttendance,
)
from plombiers.internships.models import (
    Application,
    CompanySite,
    ConventionSignature,
    Internship,
    Offer,
    TutorEvaluation,
)
from plombiers.network.enums import OrganisationCategory
from plombiers.network.models import Contact, Partnership
from plombiers.skills.enums import Context, Level
from plombiers.skills.models import Observation
from plombiers.surveys.enums import Audience
from plombiers.surveys.models import SurveyAnswer, SurveyInvitation

ORDER = {Level.NOT_OBSERVED: 0, Level.IN_PROGRESS: 1, Level.ACQUIRED: 2, Level.MASTERED: 3}
DOC_RANGES = [ipaddress.ip_network(prefix + "0/24") for prefix in IP_PREFIXES]
MODELS = (
    CompanySite,
    Contact,
    Internship,
    ConventionSignature,
    TutorEvaluation,
    Offer,
    Application,
    Observation,
    SurveyInvitation,
    SurveyAnswer,
)


def _build(communes):
    """The demo network with the histories of Chelles only (quicker)."""
    demo = Builder().build()
    frameworks_load()
    intake = IntakeBuilder()
    intake.save(intake.plan(demo, intake.prescribers(demo), only={"chelles"}))
    SkillsBuilder().build(demo, only={"chelles"})
    AttendanceBuilder().build(demo, only={"chelles"})
    demo.plan = InternshipsBuilder().build(demo, only={"chelles"})
    return demo


demo_built = built_once(_build)


@pytest.fixture
def demo(demo_built, db):
    return demo_built


def internship_weeks() -> dict[int, tuple[dt.date, dt.date]]:
    return {
        row["cohort"]: (row["first"], row["last"])
        for row in TrainingSession.objects.filter(kind=SessionKind.INTERNSHIP)
        .values("cohort")
        .annotate(first=Min("date"), last=Max("date"))
    }


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


def test_internships_fall_in_the_internship_weeks_with_conventions_signed_before_they_start(demo):
    today, now = timezone.localdate(), timezone.now()
    assert demo.plan is not None
    school = demo.schools["chelles"]
    weeks = internship_weeks()
    internships = list(
        Internship.objects.select_related(
            "enrolment__cohort", "enrolment__learner", "site__company", "site__commune", "tutor",
            "prescriber_organisation",
        ).prefetch_related("signatures", "objectives")
    )  # fmt: skip
    assert len(internships) > 100
    partners = set(Partnership.objects.filter(school=school).values_list("organisation", flat=True))
    statuses = Counter(i.status for i in internships)
    assert statuses[InternshipStatus.FINISHED] > 0.85 * len(internships)
    assert statuses[InternshipStatus.INTERRUPTED] >= 1
    by_learner = defaultdict(list)
    for internship in internships:
        enrolment, cohort = internship.enrolment, internship.enrolment.cohort
        by_learner[enrolment.learner_id].append(internship)
        # Dates: the cohort's two internship weeks; a PMSMP right after the cohort (a month at most).
        if internship.kind == InternshipKind.INTERNSHIP:
            assert (internship.start_date, internship.end_date) == weeks[cohort.pk]
            assert cohort.start_date <= internship.start_date <= internship.end_date <= cohort.end_date
            assert internship.prescriber_organisation is None
        else:
            assert cohort.end_date < internship.start_date
            assert internship.end_date <= cohort.end_date + dt.timedelta(days=31)
            assert (internship.end_date - internship.start_date).days < 31
            assert internship.prescriber_organisation.category == OrganisationCategory.MISSION_LOCALE
            assert internship.prescriber_organisation.pk in partners
            assert enrolment.status == EnrolmentStatus.COMPLETED
        # A partner company's site near the school, one of its tutors, the framework's skills.
        assert internship.site.company.pk in partners
        assert km(school.commune, internship.site.commune) <= RADIUS_KM
        assert internship.tutor.organisation_id == internship.site.company_id
        objectives = list(internship.objectives.all())
        assert 3 <= len(objectives) <= 6
        assert all(s.framework_id == cohort.framework_id for s in objectives)
        if enrolment.status == EnrolmentStatus.DROPPED_OUT:
            assert enrolment.end_date >= internship.start_date
        # The status follows the calendar; the convention is signed by every party before day one.
        signatures = {s.party: s for s in internship.signatures.all()}
        if internship.status in (
            InternshipStatus.FINISHED,
            InternshipStatus.INTERRUPTED,
            InternshipStatus.ONGOING,
            InternshipStatus.SIGNED,
        ):
            assert set(signatures) == set(internship.parties)
            for signature in signatures.values():
                assert signature.created_at < signature.signed_at < local_midnight(internship.start_date)
                assert signature.signed_at < now
                assert signature.signed_name
                assert any(ipaddress.ip_address(signature.ip_address) in net for net in DOC_RANGES)
        if internship.status == InternshipStatus.FINISHED:
            assert internship.end_date < today
        elif internship.status == InternshipStatus.INTERRUPTED:
            assert internship.interruption_reason
            assert internship.start_date <= today
        elif internship.status == InternshipStatus.ONGOING:
            assert internship.start_date <= today <= internship.end_date
        else:
            assert internship.start_date > today
            assert cohort.status == CohortStatus.ONGOING
            if internship.status == InternshipStatus.TO_SIGN:
                assert set(signatures) == set(internship.parties)
                waiting = [s for s in signatures.values() if s.signed_at is None]
                assert waiting and all(s.expires_at > now for s in waiting)
            elif internship.status == InternshipStatus.DRAFT:
                assert not signatures
    # Never two internships of one young person at the same time.
    for rows in by_learner.values():
        rows.sort(key=lambda i: i.start_date)
        for before, after in itertools.pairwise(rows):
            assert before.end_date < after.start_date
    assert any(i.kind == InternshipKind.PMSMP for i in internships)
    # Most young people of the finished cohorts went on internship.
    completers = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED)
    placed = completers.filter(internships__kind=InternshipKind.INTERNSHIP).distinct().count()
    assert placed >= 0.88 * completers.count()
    # Sites and tutors: one to three each, real communes, fictional people.
    sites = CompanySite.objects.filter(company__in=partners)
    assert sites.exists()
    for company in {s.company for s in sites.select_related("company")}:
        assert 1 <= company.sites.count() <= 3
    assert demo_internship_counts(demo.network)["stages"] == sum(
        i.kind == InternshipKind.INTERNSHIP for i in internships
    )

    # A second run finds everything and changes nothing.
    before = [m.objects.count() for m in MODELS]
    assert InternshipsBuilder().build(demo, only={"chelles"}) is None
    assert [m.objects.count() for m in MODELS] == before


def test_tutors_evaluate_most_internships_and_their_observations_are_at_work(demo):
    today = timezone.localdate()
    evaluations = list(
        TutorEvaluation.objects.select_related("internship__tutor", "internship__enrolment").prefetch_related(
            "internship__objectives"
        )
    )
    submitted = [e for e in evaluations if e.submitted_at is not None]
    finished = Internship.objects.filter(
        status=InternshipStatus.FINISHED, end_date__lt=today - dt.timedelta(days=14)
    )
    evaluated = finished.filter(evaluation__submitted_at__isnull=False).count()
    assert evaluated >= 0.8 * finished.count()
    ratings = Counter()
    for evaluation in submitted:
        internship = evaluation.internship
        assert internship.status in (InternshipStatus.FINISHED, InternshipStatus.INTERRUPTED)
        assert timezone.localdate(evaluation.submitted_at) >= internship.end_date
        assert evaluation.submitted_at < timezone.now()
        assert evaluation.tutor_name == internship.tutor.full_name
        assert evaluation.attendance in TutorAttendance.values
        assert set(evaluation.soft_skills) == set(SOFT_SKILLS)
        assert set(evaluation.soft_skills.values()) <= set(Rating.values)
        ratings.update(evaluation.soft_skills.values())
        expected = (
            EvaluationOutcome.COMPLETED
            if internship.status == InternshipStatus.FINISHED
            else EvaluationOutcome.PARTIAL
        )
        assert evaluation.outcome == expected
        assert not evaluation.hired_contract or evaluation.wants_to_hire is True
        assert any(ipaddress.ip_address(evaluation.ip_address) in net for net in DOC_RANGES)
    # Savoir-être mostly « bien » or « très bien », some « à travailler ».
    total = sum(ratings.values())
    assert ratings[Rating.GOOD] + ratings[Rating.VERY_GOOD] > 0.6 * total
    assert ratings[Rating.INSUFFICIENT] > 0

    # What they saw on site: observations « stage », the tutor as observer, the internship's skills,
    # never below the level the trainers had recorded before.
    by_enrolment = defaultdict(list)
    for evaluation in submitted:
        by_enrolment[evaluation.internship.enrolment_id].append(evaluation)
    tutor_rows = Observation.objects.filter(observer__isnull=True)
    assert tutor_rows.count() > len(submitted)
    assert not tutor_rows.exclude(context=Context.WORKSITE).exists()
    latest = {}
    for observation in Observation.objects.order_by("pk").only(
        "enrolment", "skill", "level", "observer", "observer_name", "observed_on", "context"
    ):
        key = (observation.enrolment_id, observation.skill_id)
        if observation.observer_id is None:
            assert ORDER[observation.level] >= ORDER[latest.get(key, Level.NOT_OBSERVED)]
            evaluations_here = by_enrolment[observation.enrolment_id]
            match = [
                e
                for e in evaluations_here
                if observation.observer_name.startswith(e.tutor_name)
                and observation.skill_id in {s.pk for s in e.internship.objectives.all()}
            ]
            assert match, observation
            internship = match[0].internship
            assert internship.start_date <= observation.observed_on <= min(internship.end_date, today)
            enrolment = internship.enrolment
            if enrolment.status == EnrolmentStatus.DROPPED_OUT:
                assert observation.observed_on <= enrolment.end_date
        latest[key] = observation.level


def test_each_tutor_who_evaluated_got_the_company_survey_by_signed_link(demo, client):
    """As `evaluation_submit` does: once per tutor and cohort, sent as they evaluated, some answered,
    and counted on the school's survey results."""
    school = demo.schools["chelles"]
    evaluated = {
        (e.internship.enrolment.cohort_id, e.internship.tutor.email.lower())
        for e in TutorEvaluation.objects.filter(submitted_at__isnull=False).select_related(
            "internship__enrolment", "internship__tutor"
        )
    }
    invitations = list(SurveyInvitation.objects.filter(audience=Audience.TUTOR))
    assert {(i.cohort_id, i.email) for i in invitations} == evaluated
    assert len(invitations) == len(evaluated) > 20
    answered = [i for i in invitations if i.answered_at]
    assert 0.4 * len(invitations) <= len(answered) <= 0.8 * len(invitations)
    assert all(i.created_at < i.answered_at < timezone.now() for i in answered)
    assert SurveyAnswer.objects.filter(invitation__in=answered).count() >= 3 * len(answered)
    assert all(i.sent_at and i.respondent_name and i.school == school for i in invitations)
    # The tutor's signed link opens their survey.
    pending = next(i for i in invitations if not i.answered_at and not i.is_expired())
    response = client.get(reverse("surveys:answer", args=[pending.token]))
    assert response.status_code == 200 and f"Bonjour {pending.addressee}" in response.content.decode()
    # Counted on the school's results page (the last twelve months).
    client.force_login(demo.users["direction@plombiers.example"])
    results = client.get(reverse("surveys:school_results", args=[school.slug])).context["results"]
    tutors = next(r for r in results if r.questionnaire.audience == Audience.TUTOR)
    recent = [i for i in invitations if i.created_at >= timezone.now() - dt.timedelta(days=365)]
    assert tutors.invited == len(recent) and tutors.answered == sum(1 for i in recent if i.answered_at)


def test_offers_around_the_school_and_about_half_the_completers_hired(demo):
    today = timezone.localdate()
    school = demo.schools["chelles"]
    offers = list(
        Offer.objects.select_related("commune", "site", "company").prefetch_related("required_skills")
    )
    assert len(offers) > 30
    statuses = Counter(o.status for o in offers)
    assert statuses[OfferStatus.OPEN] and statuses[OfferStatus.FILLED] and statuses[OfferStatus.CLOSED]
    titles = {t for t, _, _ in TITLES["fibre-optique"]}
    romes = {r for _, r, _ in TITLES["fibre-optique"]}
    partners = set(Partnership.objects.filter(school=school).values_list("organisation", flat=True))
    for offer in offers:
        assert (offer.latitude, offer.longitude) == (offer.commune.latitude, offer.commune.longitude)
        assert offer.latitude is not None
        assert offer.company_id in partners and offer.site.company_id == offer.company_id
        assert offer.commune == offer.site.commune
        assert km(school.commune, offer.commune) <= RADIUS_KM
        assert any(t in offer.title or t.lower() in offer.title for t in titles)
        assert offer.rome_code in romes
        if offer.contract == ContractType.CDD:
            assert 1 <= offer.contract_months <= 24
        skills = list(offer.required_skills.all())
        assert 3 <= len(skills) <= 6
        assert {s.framework.trade_id for s in skills} == {school.trade_id}
        assert offer.created_at < timezone.now()
    assert any(o.driving_licence_required for o in offers)
    assert any(not o.driving_licence_required for o in offers)

    applications = list(Application.objects.select_related("offer", "enrolment__cohort"))
    hires = [a for a in applications if a.status == ApplicationStatus.HIRED]
    assert len({a.enrolment_id for a in hires}) == len(hires)  # hired once
    internships = defaultdict(list)
    for internship in Internship.objects.select_related("site", "evaluation"):
        internships[internship.enrolment_id].append(internship)
    with_company = 0
    for application in hires:
        enrolment = application.enrolment
        assert enrolment.status == EnrolmentStatus.COMPLETED
        assert enrolment.cohort.end_date < application.hired_on < today
        assert application.created_at.date() <= application.hired_on
        assert application.offer.status in (OfferStatus.FILLED, OfferStatus.OPEN)
        own = [
            i
            for i in internships[enrolment.pk]
            if i.kind == InternshipKind.INTERNSHIP and i.site.company_id == application.offer.company_id
        ]
        if own:
            with_company += 1
            # The tutor said so: « souhaite recruter », with the contract that was signed.
            evaluation = own[0].evaluation
            assert evaluation.wants_to_hire is True
            assert evaluation.hired_contract == application.offer.contract
    assert with_company > 0.5 * len(hires)
    for offer in offers:
        if offer.status == OfferStatus.FILLED:
            assert any(a.offer_id == offer.pk for a in hires)
        if offer.status == OfferStatus.CLOSED:
            assert not any(a.offer_id == offer.pk for a in hires)

    # About half the completers of the cohorts finished long enough ago were hired.
    ended = Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, cohort__end_date__lt=today - dt.timedelta(days=120)
    )
    hired = ended.filter(applications__status=ApplicationStatus.HIRED).distinct().count()
    assert 0.4 <= hired / ended.count() <= 0.72


def test_ines_internship_and_the_graduate_hired_by_their_internship_company(demo):
    today = timezone.localdate()
    ines = demo.users["jeune@plombiers.example"]
    internship = Internship.objects.select_related("enrolment__cohort", "site__commune").get(
        enrolment__learner__user=ines
    )
    cohort = internship.enrolment.cohort
    assert cohort.status == CohortStatus.ONGOING
    assert (internship.start_date, internship.end_date) == internship_weeks()[cohort.pk]
    assert km(cohort.school.commune, internship.site.commune) <= 15  # she travels 15 km at most
    signatures = {s.party: s for s in internship.signatures.all()}
    # Her cohort went to the companies in its 6th and 7th weeks: done, and evaluated by her tutor.
    assert internship.end_date < today and internship.status == InternshipStatus.FINISHED
    assert {p for p, s in signatures.items() if s.signed_at} == {Party.LEARNER, Party.COMPANY, Party.SCHOOL}
    evaluation = internship.evaluation
    assert evaluation.submitted_at is not None and evaluation.soft_skills
    assert Observation.objects.filter(
        enrolment=internship.enrolment,
        context=Context.WORKSITE,
        observer_name__contains=internship.tutor.full_name,
    ).exists()

    # The graduate of the previous Chelles cohort, sent by Thomas: a CDI with the internship company.
    previous = (
        Cohort.objects.filter(school=cohort.school, status=CohortStatus.FINISHED)
        .order_by("-start_date")
        .first()
    )
    thomas = demo.users["prescription@plombiers.example"]
    graduate = (
        Enrolment.objects.filter(
            cohort=previous, status=EnrolmentStatus.COMPLETED, referral__prescriber=thomas
        )
        .order_by("pk")
        .first()
    )
    hire = Application.objects.select_related("offer").get(enrolment=graduate, status=ApplicationStatus.HIRED)
    assert hire.offer.contract == ContractType.CDI
    placed = Internship.objects.get(enrolment=graduate, kind=InternshipKind.INTERNSHIP)
    assert placed.status == InternshipStatus.FINISHED
    assert placed.site.company_id == hire.offer.company_id
    assert placed.evaluation.wants_to_hire is True
    assert placed.evaluation.hired_contract == ContractType.CDI
