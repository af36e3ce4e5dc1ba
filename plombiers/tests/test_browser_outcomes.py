"""An exit and its first follow-up in a real browser: the social worker records the exit of a young
person on a tablet (a French error first, then the situation with the internship company), and
gives her the link of the 1-month follow-up; the young person answers the three questions on her
phone through that link, once. axe-core on every page visited."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.conftest import assert_accessible, login
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.tests.factories import CompanySiteFactory, ContactFactory, InternshipFactory
from plombiers.outcomes.enums import FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.tests.factories import LearnerFactory

TABLET = {"width": 820, "height": 1180, "has_touch": True}
PHONE = {"width": 390, "height": 844, "has_touch": True, "is_mobile": True}


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_exit_recorded_on_a_tablet_then_the_first_follow_up_answered_on_a_phone(new_page, cast):
    today = timezone.localdate()
    end = today - dt.timedelta(days=40)  # the 1-month follow-up fell due ten days ago
    cohort = CohortFactory(
        school=cast.school_a,
        name="Promotion fibre",
        status="terminee",
        start_date=end - dt.timedelta(weeks=15),
        end_date=end,
    )
    learner = LearnerFactory(first_name="Inès", last_name="Arnaud", email="ines@example.org")
    enrolment = EnrolmentFactory(
        cohort=cohort, learner=learner, status=EnrolmentStatus.COMPLETED, end_date=end
    )
    site = CompanySiteFactory(company=cast.company_a, name="Agence de Chelles", commune=cast.school_a.commune)
    InternshipFactory(
        enrolment=enrolment,
        site=site,
        tutor=ContactFactory(organisation=cast.company_a),
        status=InternshipStatus.FINISHED,
        start_date=end - dt.timedelta(days=25),
        end_date=end - dt.timedelta(days=14),
    )

    # The social worker's tablet: « Sorties » in the Réseau menu, the exit to record.
    tablet = new_page(**TABLET)
    login(tablet, cast.social_worker_a.email)
    tablet.get_by_role("button", name="Réseau").tap()
    tablet.get_by_role("link", name="Sorties").tap()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Sorties")
    expect(tablet.get_by_role("heading", name="Sorties à renseigner (1)")).to_be_visible()
    fits(tablet, TABLET["width"])
    assert_accessible(tablet, "sorties-liste-tablette")
    tablet.get_by_role("link", name="Renseigner la sortie d'Inès Arnaud").tap()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Sortie d'Inès Arnaud")

    # A partner employer for someone looking for a job: refused, in French, nothing written.
    tablet.get_by_label("Situation à la sortie").select_option(label="En recherche d'emploi")
    tablet.get_by_label("Employeur parmi les entreprises partenaires").select_option(label="Fibre A")
    tablet.get_by_role("button", name="Enregistrer la sortie").tap()
    expect(tablet.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    expect(tablet.get_by_role("main")).to_contain_text(
        "Un employeur ne s'indique que pour un emploi ou un contrat en alternance."
    )
    fits(tablet, TABLET["width"])
    assert_accessible(tablet, "sortie-formulaire-erreur-tablette")
    assert not Exit.objects.exists()

    tablet.get_by_label("Situation à la sortie").select_option(label="CDI")
    tablet.get_by_label("Code ROME du métier").fill("i1307")
    tablet.get_by_label("Heures par semaine").fill("35")
    tablet.get_by_role("button", name="Enregistrer la sortie").tap()
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Sortie d'Inès Arnaud")
    expect(tablet.get_by_role("status")).to_contain_text("est enregistrée (emploi durable)")
    main = tablet.get_by_role("main")
    expect(main).to_contain_text("Emploi durable")
    expect(main).to_contain_text("Oui, embauche par une entreprise de stage")
    expect(tablet.locator(".follow-up-item")).to_have_count(4)
    fits(tablet, TABLET["width"])
    assert_accessible(tablet, "sortie-detail-tablette")
    exit = Exit.objects.get()
    assert (exit.exit_type, exit.employer, exit.rome_code, exit.hired_by_internship_host) == (
        "cdi",
        cast.company_a,
        "I1307",
        True,
    )
    link = tablet.get_by_label("Lien à copier").input_value()

    # Inès, on her phone, through the link (no account needed).
    phone = new_page(**PHONE)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Bonjour Inès, que deviens-tu ?")
    expect(phone.get_by_role("main")).not_to_contain_text("Arnaud")
    fits(phone, PHONE["width"])
    assert_accessible(phone, "suivi-telephone")
    phone.get_by_role("button", name="Envoyer ma réponse").tap()
    expect(phone.get_by_role("alert")).to_contain_text("Choisis ce qui te correspond le mieux.")
    assert_accessible(phone, "suivi-telephone-erreur")
    phone.get_by_text("J'ai un CDI", exact=True).tap()
    phone.get_by_label("Chez quel employeur ou dans quel organisme ?").fill("Fibre A")
    phone.get_by_label("Un mot pour l'école ?").fill("Merci pour tout !")
    phone.get_by_role("button", name="Envoyer ma réponse").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Merci Inès !")
    fits(phone, PHONE["width"])
    assert_accessible(phone, "suivi-telephone-merci")
    one = FollowUp.objects.get(exit=exit, horizon=1)
    assert (one.status, one.situation_type, one.source, one.employer_name) == (
        FollowUpStatus.DONE,
        "cdi",
        "jeune",
        "Fibre A",
    )
    # The link takes one answer.
    phone.goto(link)
    expect(phone.get_by_role("main")).to_contain_text("Tu as déjà répondu à ce suivi")

    # Back on the tablet: the answer is on the timeline, and the to-do list is empty.
    tablet.reload()
    expect(tablet.locator(".follow-up-item").first).to_contain_text("CDI — Fibre A")
    expect(tablet.locator(".follow-up-item").first).to_contain_text("Le ou la jeune")
    tablet.goto("/suivis/")
    expect(tablet.get_by_role("status")).to_have_text("Aucun suivi à faire ce mois-ci.")
    assert_accessible(tablet, "suivis-tablette")
