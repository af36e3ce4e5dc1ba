import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import (
    Attendance,
    AttendanceAmendment,
    Cohort,
    Enrolment,
    Signature,
    TrainingSession,
    WaitlistEntry,
)
from plombiers.demo.attendance import AttendanceBuilder
from plombiers.demo.intake import IntakeBuilder
from plombiers.demo.internships import InternshipsBuilder
from plombiers.demo.network import ACCOUNTS, Builder
from plombiers.demo.outcomes import OutcomesBuilder
from plombiers.demo.skills import SkillsBuilder
from plombiers.demo.support import SupportBuilder
from plombiers.frameworks.loader import frameworks_load
from plombiers.frameworks.models import Framework, Skill
from plombiers.impact import rollup
from plombiers.impact.models import RollupRun
from plombiers.internships.enums import ApplicationStatus, InternshipKind, InternshipStatus, OfferStatus
from plombiers.internships.models import (
    Application,
    CompanySite,
    ConventionSignature,
    Internship,
    Offer,
    TutorEvaluation,
)
from plombiers.network.models import Contact, Organisation, Partnership, School
from plombiers.outcomes.enums import POSITIVE_CATEGORIES
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.models import InformationSession, Invitation, Learner, Referral, ReferralEvent
from plombiers.skills.models import Evidence, Observation
from plombiers.support.models import Action, Barrier, Consent, JournalEntry, PartnerService

MODELS = (
    School, Organisation, Partnership, Contact, User, Membership,
    Learner, Referral, ReferralEvent, InformationSession, Invitation, Cohort, Enrolment, WaitlistEntry,
    Framework, Skill, Observation, Evidence,
    PartnerService, Barrier, Action, JournalEntry, Consent,
    TrainingSession, Attendance, Signature, AttendanceAmendment,
    CompanySite, Internship, ConventionSignature, TutorEvaluation, Offer, Application,
    Exit, FollowUp,
)  # fmt: skip


def counts():
    return [m.objects.count() for m in MODELS]


def test_demo_network_is_the_story_of_demo_md(communes):
    demo = Builder().build()
    schools = School.objects.select_related("trade", "commune")
    assert schools.count() == 18
    assert schools.filter(trade__slug="technicien-data-center").count() == 3
    assert schools.filter(trade__slug="fibre-optique").count() == 15
    first = schools.order_by("opened_on").first()
    assert (first.commune.name, first.trade.slug, first.opened_on.year, first.opened_on.month) == (
        "Chelles",
        "fibre-optique",
        2017,
        9,
    )
    assert schools.get(commune__insee_code="59512").trade.slug == "technicien-data-center"
    for school in schools:
        kinds = set(school.partners.values_list("kind", flat=True))
        assert {"project_holder", "company", "funder", "opco", "prescriber", "social_service"} <= kinds
        assert 2 <= school.partners.filter(kind="company").count() <= 5
        assert school.memberships.filter(role=Role.SCHOOL_MANAGER).exists()
    for email, _first_name, role, _scope in ACCOUNTS:
        assert Membership.objects.filter(user__email=email, role=role).exists()
    funded = set(
        School.objects.filter(
            partnerships__organisation__memberships__user__email="financeur@plombiers.example"
        ).values_list("commune__name", flat=True)
    )
    assert funded == {"Chelles", "Montpellier"}
    assert demo.users["jeune@plombiers.example"].first_name == "Inès"
    holders = {s.slug: s.project_holder for s in schools.select_related("project_holder")}
    assert all(re.fullmatch(r"\d{11}", h.nda) for h in holders.values())
    assert holders["plombiers-chelles"].nda[:4] == "1177"  # Île-de-France, Seine-et-Marne
    assert User.objects.get(email="reseau@plombiers.example").check_password("demo-plombiers")


def load(only=frozenset({"chelles"})):
    """What `plombiers demo` does (the observation histories of a few schools: quicker)."""
    demo = Builder().build()
    frameworks_load()
    IntakeBuilder().build(demo)
    SkillsBuilder().build(demo, only=set(only))
    SupportBuilder().build(demo, only=set(only))
    AttendanceBuilder().build(demo, only=set(only))
    InternshipsBuilder().build(demo, only=set(only))
    OutcomesBuilder().build(demo, only=set(only))


def test_demo_twice_changes_nothing(communes):
    load()
    before = counts()
    assert all(before)
    load()
    assert counts() == before
    assert not Cohort.objects.filter(framework=None).exists()


@pytest.mark.full_demo
@pytest.mark.django_db(transaction=True)
def test_demo_command_loads_communes_and_the_network(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "18 écoles" in out
    assert "promotions" in out
    assert "observations" in out
    assert "Accompagnement :" in out
    assert "Émargement :" in out and "feuilles signées" in out
    assert "Stages et emploi :" in out and "embauches" in out
    assert "Webhooks : 1 abonnement(s)" in out
    # The dashboards read a complete rollup from the start, equal to the records.
    assert "Indicateurs consolidés :" in out
    assert RollupRun.objects.filter(complete=True).exists() and rollup.refresh().corrected == 0
    # The whole network: about half the completers of the cohorts ended long enough ago hired,
    # with honest differences between schools; PMSMPs and interrupted internships here and there.
    ended = Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, cohort__end_date__lt=timezone.localdate() - dt.timedelta(days=120)
    )
    hired = ended.filter(applications__status=ApplicationStatus.HIRED).distinct().count()
    assert 0.48 <= hired / ended.count() <= 0.62
    assert Internship.objects.filter(kind=InternshipKind.PMSMP).count() >= 18
    assert Internship.objects.filter(status=InternshipStatus.INTERRUPTED).count() >= 10
    assert 300 <= Offer.objects.count() <= 1200
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() >= 50
    assert Attendance.objects.filter(session__cohort__school__slug="plombiers-roubaix").exists()
    assert Observation.objects.filter(is_positioning=True).exists()
    assert Evidence.objects.filter(kind="sor").count() == 1
    # Exits: about seven in ten positive over the network, some schools under 60 %, some over 80 %.
    assert "Sorties et suivis :" in out
    counted = Exit.objects.counted()
    assert 0.65 <= counted.positive().count() / counted.count() <= 0.76
    by_school = {
        row["enrolment__cohort__school"]: row["positive"] / row["n"]
        for row in counted.values("enrolment__cohort__school").annotate(
            n=Count("pk"), positive=Count("pk", filter=Q(category__in=POSITIVE_CATEGORIES))
        )
    }
    assert min(by_school.values()) < 0.6 < 0.8 < max(by_school.values())
    assert "reseau@plombiers.example" in out
    assert School.objects.filter(network__slug="demo").count() == 18
    # The second network (demo/second_network.py): two schools, its staff account listed.
    assert "Second réseau" in out and "reseau.sud@plombiers.example" in out
    assert School.objects.filter(network__slug="demo-sud").count() == 2
