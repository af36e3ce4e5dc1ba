"""The homes at `/`: one per role, each count equal to the rows of the page it leads to, a fixed
number of queries whatever the data; the young person's space, about nobody else."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plombiers.alerts.tests.factories import alert_make
from plombiers.cohorts import attendance
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus, Period
from plombiers.cohorts.models import Cohort, Enrolment, WaitlistEntry
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.credentials.models import Attestation
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework
from plombiers.funding.enums import COMMITTED, InvoiceStatus, OpcoScheme
from plombiers.funding.models import GrantReport, OpcoFunding, OpcoInvoice
from plombiers.funding.tests.factories import GrantFactory
from plombiers.network.enums import OrganisationKind
from plombiers.network.tests.factories import OrganisationFactory
from plombiers.outcomes.enums import ExitType
from plombiers.outcomes.tests.factories import ExitFactory
from plombiers.referrals.enums import DecisionReason, ReferralStatus
from plombiers.referrals.models import Learner
from plombiers.referrals.services import referral_transition
from plombiers.referrals.tests.factories import LearnerFactory, ReferralFactory, referred_by
from plombiers.skills.models import Observation
from plombiers.support.enums import ConsentScope, EntryKind
from plombiers.support.models import Action, Barrier, BarrierCategory, Consent, JournalEntry

MONDAY = dt.date(2026, 10, 5)


@pytest.fixture(autouse=True)
def today():
    # 09:00 in Paris on Monday 5 October 2026.
    with time_machine.travel(dt.datetime(2026, 10, 5, 7, 0, tzinfo=dt.UTC), tick=False):
        yield MONDAY


def school_day(cast, *, extra: int = 0) -> SimpleNamespace:
    """At school A an ongoing cohort (Inès and classmates), today's and tomorrow's half-days, an
    open alert, referrals waiting, an ended enrolment with no exit; a planned cohort with a candidate
    waiting. `extra` adds as many of each, to show that the counts cost the same queries."""
    cohort = CohortFactory(school=cast.school_a, name="Promotion automne", status=CohortStatus.ONGOING)
    cohort.trainers.add(cast.trainer_a)
    ines = LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    mine = EnrolmentFactory(cohort=cohort, learner=ines)
    classmates = [EnrolmentFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(2 + extra)]
    referred_by(cast.prescriber, ines, cast.school_a)
    today = attendance.session_create(cohort=cohort, by=cast.trainer_a, date=MONDAY, period=Period.MORNING)
    tomorrow = attendance.session_create(
        cohort=cohort, by=cast.trainer_a, date=MONDAY + dt.timedelta(days=1), period=Period.AFTERNOON
    )
    for enrolment in classmates[: 1 + extra]:
        alert_make(enrolment, on=MONDAY)
    waiting = [
        ReferralFactory(school=cast.school_a, prescriber=cast.prescriber, status="nouvelle")
        for _ in range(1 + extra)
    ]
    planned = CohortFactory(
        school=cast.school_a,
        name="Promotion hiver",
        start_date=dt.date(2027, 1, 4),
        end_date=dt.date(2027, 4, 16),
    )
    candidate = ReferralFactory(school=cast.school_a, prescriber=cast.prescriber, status="liste_attente")
    WaitlistEntry.objects.create(cohort=planned, referral=candidate, position=1)
    past = CohortFactory(school=cast.school_a, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 6, 19))
    for _ in range(1 + extra):
        EnrolmentFactory(
            cohort=past,
            learner=LearnerFactory(),
            status=EnrolmentStatus.COMPLETED,
            end_date=dt.date(2026, 6, 19),
        )
    # Granted: school A is one the funder supports (their figures on their home).
    grant = GrantFactory(
        funder=cast.funder_org, school=cast.school_a, status=COMMITTED[0], amount_granted=Decimal("50000")
    )
    reports = [
        GrantReport.objects.create(
            grant=grant, title=f"Bilan {i}", due_on=MONDAY + dt.timedelta(days=10 - 20 * i)
        )
        for i in range(1 + extra)
    ]
    GrantReport.objects.create(grant=grant, title="Bilan lointain", due_on=MONDAY + dt.timedelta(days=90))
    return SimpleNamespace(
        reports=reports,
        cohort=cohort,
        mine=mine,
        classmates=classmates,
        today=today,
        tomorrow=tomorrow,
        waiting=waiting,
        candidate=candidate,
        planned=planned,
    )


def rows(client, url: str) -> int:
    """The number of rows the page behind a link lists."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def block(response, role: str):
    return next(b for b in response.context["blocks"] if b.role == role)


# --- each role's day -------------------------------------------------------------------------------


def test_the_trainer_sees_today_and_tomorrow_with_the_sheet_state(client, cast):
    day = school_day(cast)
    client.force_login(cast.trainer_a)
    response = client.get("/")
    page = response.content.decode()
    trainer = block(response, "trainer")
    assert [s.pk for s in trainer.today] == [day.today.pk]
    assert [s.pk for s in trainer.tomorrow] == [day.tomorrow.pk]
    assert day.today.get_absolute_url() in page and "feuille <strong>à faire</strong>" in page
    assert reverse("skills:cohort_matrix", args=[day.cohort.pk]) in page
    assert trainer.alerts == 1 == rows(client, trainer.alerts_url)
    today_page = client.get(trainer.today_url).context["sessions"]
    assert len(trainer.today) == len(today_page)


def test_the_trainer_sees_the_skills_nobody_showed_this_week(client, cast):
    frameworks_load()
    day = school_day(cast)
    framework = Framework.objects.get(trade=cast.school_a.trade)
    day.cohort.framework = framework
    day.cohort.save(update_fields=["framework"])
    skills = list(framework.skills.order_by("pk")[:2])
    level = Observation._meta.get_field("level").choices[0][0]
    Observation.objects.create(enrolment=day.mine, skill=skills[0], level=level, observed_on=MONDAY)
    Observation.objects.create(enrolment=day.classmates[0], skill=skills[0], level=level, observed_on=MONDAY)
    # Last week's, and the entry positioning, do not count for this week.
    last_week = MONDAY - dt.timedelta(days=3)
    Observation.objects.create(enrolment=day.mine, skill=skills[1], level=level, observed_on=last_week)
    Observation.objects.create(
        enrolment=day.mine, skill=skills[1], level=level, observed_on=MONDAY, is_positioning=True
    )
    client.force_login(cast.trainer_a)
    (cohort,) = block(client.get("/"), "trainer").cohorts
    assert cohort.unobserved == framework.skills.count() - 1


def test_the_sheet_state_follows_the_sheet(client, cast):
    day = school_day(cast)
    attendance.attendance_mark(
        session=day.today, by=cast.trainer_a, marks=[attendance.Mark(day.mine.pk, "present")]
    )
    client.force_login(cast.trainer_a)
    assert "feuille <strong>à signer</strong>" in client.get("/").content.decode()


def test_another_schools_trainer_sees_none_of_it(client, cast):
    day = school_day(cast)
    client.force_login(cast.trainer_b)
    response = client.get("/")
    trainer = block(response, "trainer")
    assert trainer.today == [] and trainer.tomorrow == [] and trainer.alerts == 0
    assert day.cohort.name not in response.content.decode()


def test_the_social_workers_counts_are_the_rows_of_their_pages(client, cast):
    school_day(cast)
    client.force_login(cast.social_worker_a)
    response = client.get("/")
    worker = block(response, "social_worker")
    caseload = client.get(worker.caseload_url).context
    assert worker.urgent == len(caseload["urgent"])
    assert worker.due_actions == len(caseload["due"])
    assert worker.follow_ups == rows(client, worker.follow_ups_url)


def test_the_social_worker_sees_who_was_not_seen_for_three_weeks(client, cast):
    day = school_day(cast)
    late, newcomer = (
        day.classmates[0],
        EnrolmentFactory(
            cohort=day.cohort, learner=LearnerFactory(), entry_date=MONDAY - dt.timedelta(days=5)
        ),
    )

    def note(enrolment, kind, days_ago):
        JournalEntry.objects.create(
            learner=enrolment.learner,
            school=cast.school_a,
            kind=kind,
            occurred_on=MONDAY - dt.timedelta(days=days_ago),
            text="Point d'étape",
        )

    note(day.mine, EntryKind.INTERVIEW, 20)  # seen within the three weeks
    note(late, EntryKind.CALL, 21)  # three weeks ago to the day: not within
    note(day.classmates[1], EntryKind.REFERRAL, 2)  # an orientation is not a contact
    client.force_login(cast.social_worker_a)
    worker = block(client.get("/"), "social_worker")
    assert worker.not_seen == 2 == rows(client, worker.not_seen_url)
    listed = client.get(worker.not_seen_url).context["page"].object_list
    assert {learner.pk for learner in listed} == {late.learner_id, day.classmates[1].learner_id}
    assert newcomer.learner_id not in {learner.pk for learner in listed}
    assert rows(client, worker.caseload_url) == 4  # the unfiltered caseload, everybody
    client.force_login(cast.manager_b)  # another school's team: nobody of school A
    assert rows(client, worker.not_seen_url) == 0


def test_the_social_worker_sees_whose_consent_to_ask(client, cast):
    day = school_day(cast)
    Consent.objects.create(learner=day.mine.learner, scope=ConsentScope.DATA, given=True)
    client.force_login(cast.social_worker_a)
    worker = block(client.get("/"), "social_worker")
    assert worker.no_consent == len(day.classmates)
    assert {learner.pk for learner in worker.no_consent_first} == {e.learner_id for e in day.classmates}


def test_the_managers_counts_are_the_rows_of_their_pages(client, cast):
    day = school_day(cast, extra=2)
    client.force_login(cast.manager_a)
    response = client.get("/")
    manager = block(response, "school_manager")
    for row in manager.by_status:
        assert row.count == rows(client, row.url), row.status
    assert sum(row.count for row in manager.by_status) == 3
    assert manager.to_record == 3 == rows(client, manager.to_record_url)
    assert [r.pk for r in manager.waiting] == [r.pk for r in day.waiting]  # the oldest first
    places = {c.pk: c.places_left for c in manager.cohorts}
    assert places[day.cohort.pk] == day.cohort.capacity - 5
    assert places[day.planned.pk] == day.planned.capacity


def test_the_director_sees_the_attestations_and_the_opco_invoices_to_issue(client, cast):
    frameworks_load()
    school_day(cast, extra=2)
    framework = Framework.objects.get(trade=cast.school_a.trade)
    ended = list(Enrolment.objects.filter(cohort__school=cast.school_a, status=EnrolmentStatus.COMPLETED))
    Cohort.objects.filter(pk=ended[0].cohort_id).update(framework=framework)
    assert len(ended) == 3
    Attestation.objects.create(  # a valid attestation: nothing to issue; a revoked one: to issue again
        enrolment=ended[0],
        school=cast.school_a,
        snapshot={},
        credential="{}",
        status_index=0,
        issued_at=timezone.now(),
    )
    Attestation.objects.create(
        enrolment=ended[1],
        school=cast.school_a,
        snapshot={},
        credential="{}",
        status_index=1,
        issued_at=timezone.now(),
        revoked_at=timezone.now(),
        revocation_reason="Erreur de saisie",
    )
    elsewhere = CohortFactory(school=cast.school_b, framework=framework, status=CohortStatus.FINISHED)
    EnrolmentFactory(
        cohort=elsewhere, learner=LearnerFactory(), status=EnrolmentStatus.COMPLETED, end_date=MONDAY
    )
    opco = OrganisationFactory(network=cast.network, kind=OrganisationKind.OPCO, name="OPCO (test)")
    for cohort in (ended[0].cohort, elsewhere):
        funding = OpcoFunding.objects.create(
            cohort=cohort, opco=opco, scheme=OpcoScheme.choices[0][0], hours_agreed=100, hourly_rate=12
        )
        for month, status in (
            (3, InvoiceStatus.TO_ISSUE),
            (4, InvoiceStatus.TO_ISSUE),
            (5, InvoiceStatus.PAID),
        ):
            OpcoInvoice.objects.create(
                funding=funding,
                period_start=dt.date(2026, month, 1),
                period_end=dt.date(2026, month, 28),
                attended_minutes=600,
                amount=120,
                status=status,
                number="" if status == InvoiceStatus.TO_ISSUE else "F1",
                issued_on=None if status == InvoiceStatus.TO_ISSUE else MONDAY,
                paid_on=MONDAY,
            )
    client.force_login(cast.manager_a)
    manager = block(client.get("/"), "school_manager")
    assert manager.to_issue == 2 == rows(client, manager.to_issue_url)
    listed = client.get(manager.to_issue_url).context["page"].object_list
    assert {e.pk for e in listed} == {ended[1].pk, ended[2].pk}
    assert manager.invoices == 2 == rows(client, manager.invoices_url)
    page = client.get(manager.invoices_url).content.decode()
    assert reverse("funding:cohort_opco", args=[ended[0].cohort_id]) in page
    assert reverse("funding:cohort_opco", args=[elsewhere.pk]) not in page
    # Another school's director sees none of school A's; a trainer has no invoice page.
    client.force_login(cast.manager_b)
    assert rows(client, reverse("credentials:to_issue")) == 1
    assert rows(client, reverse("funding:invoices_to_issue")) == 2
    assert str(ended[2].learner) not in client.get(reverse("credentials:to_issue")).content.decode()
    client.force_login(cast.trainer_a)
    assert client.get(reverse("funding:invoices_to_issue")).status_code == 404
    assert rows(client, reverse("credentials:to_issue")) == 0


def test_the_reports_due_to_funders_on_the_managers_and_the_funders_homes(client, cast):
    day = school_day(cast, extra=1)
    for user in (cast.manager_a, cast.funder):
        client.force_login(user)
        response = client.get("/")
        role = "school_manager" if user == cast.manager_a else "funder"
        assert [r.pk for r in block(response, role).reports] == [day.reports[1].pk, day.reports[0].pk]
        page = response.content.decode()
        assert "en retard" in page and "Bilan lointain" not in page
    client.force_login(cast.manager_b)
    assert block(client.get("/"), "school_manager").reports == []


def test_the_prescribers_referrals_by_status_and_the_way_to_refer(client, cast):
    school_day(cast)
    client.force_login(cast.prescriber)
    response = client.get("/")
    prescriber = block(response, "prescriber")
    for row in prescriber.by_status:
        assert row.count == rows(client, row.url), row.status
    assert reverse("referrals:referral_create") in response.content.decode()


def test_the_prescriber_reads_the_latest_decision_on_each_referral(client, cast):
    day = school_day(cast)
    studied, refused = (
        day.waiting[0],
        ReferralFactory(school=cast.school_a, prescriber=cast.prescriber, status="nouvelle"),
    )
    with time_machine.travel(dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        referral_transition(referral=studied, to=ReferralStatus.REVIEW, by=cast.manager_a)
    referral_transition(
        referral=refused, to=ReferralStatus.REFUSED, by=cast.manager_a, reason=DecisionReason.choices[0][0]
    )
    ReferralFactory(school=cast.school_b, status="nouvelle")  # another prescriber's: never listed
    client.force_login(cast.prescriber)
    response = client.get("/")
    rows_by_status = {row.status: row for row in block(response, "prescriber").by_status}
    for row in rows_by_status.values():
        assert len(row.latest) == min(row.count, 5) == min(rows(client, row.url), 5), row.status
    (latest,) = rows_by_status[ReferralStatus.REVIEW].latest
    assert latest.pk == studied.pk and latest.decided_by == cast.manager_a.get_full_name()
    assert latest.status_changed_at.date() == dt.date(2026, 10, 2)
    (latest,) = rows_by_status[ReferralStatus.REFUSED].latest
    assert latest.pk == refused.pk
    page = unescape(response.content.decode())
    assert f"refusée le 05/10/2026, par {cast.manager_a.get_full_name()}" in page


def test_the_network_staff_sees_the_schools_below_target_and_the_months_figures(client, cast):
    school_day(cast, extra=2)
    ended = list(Enrolment.objects.filter(cohort__school=cast.school_a, status=EnrolmentStatus.COMPLETED))
    # School A: 2 positive exits out of 3 (66.7 %, below 70 %), one of them this month.
    ExitFactory(enrolment=ended[0], exit_type=ExitType.CDI, exit_date=dt.date(2026, 10, 2))
    ExitFactory(enrolment=ended[1], exit_type=ExitType.CDI)
    ExitFactory(enrolment=ended[2], exit_type=ExitType.JOB_SEEKING)
    # School B: 1 out of 1, above; an entry this month.
    cohort_b = CohortFactory(
        school=cast.school_b, start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 6, 19)
    )
    done = EnrolmentFactory(
        cohort=cohort_b,
        learner=LearnerFactory(),
        status=EnrolmentStatus.COMPLETED,
        end_date=dt.date(2026, 6, 19),
    )
    ExitFactory(enrolment=done, exit_type=ExitType.APPRENTICESHIP)
    ongoing_b = CohortFactory(school=cast.school_b, status=CohortStatus.ONGOING)
    EnrolmentFactory(cohort=ongoing_b, learner=LearnerFactory(), entry_date=dt.date(2026, 10, 1))
    client.force_login(cast.staff)
    staff = block(client.get("/"), "network_staff")
    assert [row.label for row in staff.below_target] == [cast.school_a.name]
    target_page = client.get(staff.below_target_url).context
    assert len(staff.below_target) == target_page["group_page"].paginator.count == 1
    assert [row.label for row in target_page["group_page"].object_list] == [cast.school_a.name]
    assert target_page["group_page"].object_list[0]["positive_exit_rate"].percent == 67
    everyone = client.get(staff.impact_url).context["group_page"].paginator.count
    assert everyone == 2
    month = staff.month
    assert (month.entries, month.exits, month.positive_exits, month.hours) == (1, 1, 1, 0)


def test_the_funder_reads_the_figures_of_the_schools_they_fund_as_their_space_shows_them(client, cast):
    school_day(cast, extra=3)
    client.force_login(cast.funder)
    funder = block(client.get("/"), "funder")
    space = client.get(funder.figures_url.split("#")[0]).context["figures"]
    assert funder.figures == space
    (row,) = funder.figures
    assert row.school == cast.school_a and row.started == "10" and row.completed == "< 5"
    client.force_login(cast.manager_a)
    assert "funder" not in [b.role for b in client.get("/").context["blocks"]]


def test_the_network_staff_and_the_funder_get_their_blocks(client, cast):
    day = school_day(cast)
    client.force_login(cast.staff)
    staff = block(client.get("/"), "network_staff")
    assert staff.summary["total"] == 2
    assert staff.to_record == rows(client, staff.to_record_url)
    assert staff.attention == []
    for weeks in (1, 2):  # two past half-days whose sheet nobody locked
        attendance.session_create(
            cohort=day.cohort,
            by=cast.trainer_a,
            date=MONDAY - dt.timedelta(weeks=weeks),
            period=Period.MORNING,
        )
    staff = block(client.get("/"), "network_staff")
    assert [(row.name, row.late, row.unsigned) for row in staff.attention] == [(cast.school_a.name, 0, 2)]
    client.force_login(cast.funder)
    page = client.get("/").content.decode()
    assert reverse("funding:funder_space") in page and reverse("impact:home") in page


# session, user, memberships, the schools (not for a young person), then each block's own
# queries (listed in homes/selectors.py)
QUERIES = {
    "trainer_a": 4 + 3,  # half-days of today and tomorrow, cohorts under way, open alerts
    # blocked for 14 days, actions due, follow-ups due, consents (count, first), not seen for 3 weeks
    "social_worker_a": 4 + 6,
    # oldest waiting referrals, cohorts open, referrals by status, exits, sheets, reports,
    # attestations to issue, OPCO invoices to issue
    "manager_a": 4 + 8,
    # summary, by trade, late follow-ups, unsigned sheets (by school), exits, follow-ups; network,
    # the impact scope (two), schools below target, the month's entries, exits and hours
    "staff": 4 + 12,
    # referrals by status, their latest decisions, information sessions, organisations
    "prescriber": 4 + 4,
    # organisations, funded schools, their figures (4), reports due, organisations
    "funder": 4 + 7,
    "learner_a": 3 + 5,  # enrolment, half-days, internship, trainers, open actions
}


@pytest.mark.parametrize("who", list(QUERIES))
@pytest.mark.parametrize("extra", [0, 3])
def test_each_home_costs_the_same_queries_whatever_the_data(
    client, cast, django_assert_num_queries, who, extra
):
    school_day(cast, extra=extra)
    client.force_login(getattr(cast, who))
    with django_assert_num_queries(QUERIES[who]):
        response = client.get("/")
    assert response.status_code == 200


# --- the young person's space --------------------------------------------------------------------


def test_the_learner_lands_on_their_space_with_a_sheet_to_sign(client, cast):
    day = school_day(cast)
    client.force_login(cast.learner_a)
    page = client.get("/").content.decode()
    assert 'id="signer"' in page and "Signer ma présence" in page
    for url in [
        reverse("cohorts:cohort_calendar", args=[day.cohort.pk]),
        reverse("skills:enrolment_progress", args=[day.mine.pk]),
        reverse("credentials:attestation_list"),
        reverse("outcomes:my_follow_up"),
    ]:
        assert url in page
        assert client.get(url).status_code == 200, url


def test_no_sign_button_without_a_half_day_today(client, cast):
    day = school_day(cast)
    day.today.delete()
    client.force_login(cast.learner_a)
    page = client.get("/").content.decode()
    assert 'id="signer"' not in page and "Pas de formation aujourd'hui." in page


def test_the_cohort_page_names_no_classmate_and_no_candidate_to_a_learner(client, cast):
    day = school_day(cast)
    client.force_login(cast.learner_a)
    for url in ["/", reverse("cohorts:cohort_detail", args=[day.cohort.pk])]:
        page = client.get(url).content.decode()
        for enrolment in day.classmates:
            assert enrolment.learner.last_name not in page, url
        assert day.candidate.learner.last_name not in page
    # The school's team still sees them all.
    client.force_login(cast.manager_a)
    page = client.get(reverse("cohorts:cohort_detail", args=[day.cohort.pk])).content.decode()
    assert all(e.learner.last_name in page for e in day.classmates)


def test_the_learners_space_at_its_own_address_is_for_learners_only(client, cast):
    school_day(cast)
    client.force_login(cast.trainer_a)
    assert client.get(reverse("homes:learner")).status_code == 404
    client.force_login(cast.learner_a)
    assert client.get(reverse("homes:learner")).status_code == 200


HREF = re.compile(r'(?:href|hx-get)="(/[^"#]*)')
NOT_A_PAGE = ("/comptes/logout", "/static/", "/media/", "/api/", "/admin/")


def test_a_crawl_from_the_learners_home_shows_no_one_elses_name(client, cast):
    """Every page reachable from her home (bounded), read for the names of every other young
    person and candidate in the database."""
    school_day(cast, extra=2)
    others = [
        name
        for learner in Learner.objects.exclude(user=cast.learner_a)
        for name in (f"{learner.first_name} {learner.last_name}", f"{learner.last_name} {learner.first_name}")
    ]
    assert len(others) >= 8
    client.force_login(cast.learner_a)
    seen, queue = set(), ["/"]
    while queue and len(seen) < 60:
        url = queue.pop(0)
        if url in seen or url.startswith(NOT_A_PAGE):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), url
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = unescape(response.content.decode())
        leaked = [name for name in others if name in page]
        assert not leaked, (url, leaked)
        queue.extend(unescape(link) for link in HREF.findall(response.content.decode()))
    assert {"/", reverse("cohorts:sign_with_code"), reverse("outcomes:my_follow_up")} <= seen


def test_the_learner_reads_their_actions_never_the_teams_notes(client, cast):
    day = school_day(cast)
    category = BarrierCategory.objects.first()
    barrier = Barrier.objects.create(learner=day.mine.learner, category=category, level="bloquant")
    Action.objects.create(barrier=barrier, description="Dossier d'aide au permis", due_on=MONDAY)
    other = Barrier.objects.create(learner=day.classmates[0].learner, category=category, level="bloquant")
    Action.objects.create(barrier=other, description="Rendez-vous logement", due_on=MONDAY)
    client.force_login(cast.learner_a)
    page = client.get("/").content.decode()
    assert "Dossier d&#x27;aide au permis" in page and "Rendez-vous logement" not in page
