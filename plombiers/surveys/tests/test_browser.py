"""A learner answers on a phone; the school reads the results; every page checked by axe-core."""

import re

from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.surveys.models import SurveyAnswer

from .factories import SurveyInvitationFactory, answer

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
CHOICES = {
    "content·e de la formation": "Tout à fait",
    "gestes du métier": "Plutôt",
    "bien expliqué": "Tout à fait",
    "vos soucis": "Plutôt pas",
    "découvrir le métier": "Plutôt",
    "après la formation": "Pas du tout",
}


def test_a_learner_answers_on_a_phone(new_page, cast, cohort):
    invitation = SurveyInvitationFactory(enrolment=cohort.completed[0])
    page = new_page(**PHONE)
    page.goto(invitation.get_answer_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre avis sur la formation")
    expect(page.get_by_text("Bonjour Inès,")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    assert_accessible(page, "enquete-jeune-telephone")

    # Sent with two questions left out: French errors, nothing recorded.
    for question, word in list(CHOICES.items())[:4]:
        page.get_by_role("group", name=re.compile(question)).get_by_label(word, exact=True).tap()
    page.get_by_role("button", name="Envoyer mes réponses").tap()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Il manque des réponses")
    expect(alert.get_by_role("listitem")).to_have_count(3)
    expect(
        page.get_by_role("group", name=re.compile("gestes du métier")).get_by_label("Plutôt", exact=True)
    ).to_be_checked()
    assert not SurveyAnswer.objects.exists()
    assert_accessible(page, "enquete-jeune-erreurs")

    for question, word in list(CHOICES.items())[4:]:
        page.get_by_role("group", name=re.compile(question)).get_by_label(word, exact=True).tap()
    page.get_by_role("group", name=re.compile("Recommanderiez-vous")).get_by_label("Oui").tap()
    page.get_by_label(re.compile("Un mot pour l'équipe")).fill("Les formateurs sont patients.")
    box = page.get_by_role("button", name="Envoyer mes réponses").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a big target for a thumb
    page.get_by_role("button", name="Envoyer mes réponses").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci Inès !")
    expect(page.get_by_role("status")).to_have_text("Vos réponses sont bien enregistrées.")
    assert_accessible(page, "enquete-jeune-merci")
    answers = dict(SurveyAnswer.objects.filter(value__isnull=False).values_list("question", "value"))
    assert answers == {
        "overall": 4,
        "gestures": 3,
        "trainers": 4,
        "support": 2,
        "internship": 3,
        "next_step": 1,
        "recommend": 1,
    }
    assert SurveyAnswer.objects.get(question="comment").text == "Les formateurs sont patients."

    # Opened again: thanks, nothing to answer twice.
    page.goto(invitation.get_answer_url())
    expect(page.get_by_role("status")).to_have_text("Vos réponses sont bien enregistrées.")
    expect(page.get_by_role("button", name="Envoyer mes réponses")).to_have_count(0)


def test_the_school_reads_its_results_and_shows_a_qr_code(new_page, cast, cohort):
    for enrolment, (overall, text) in zip(
        cohort.completed[:2], [(4, "Super équipe."), (2, "Trop de trajets.")], strict=True
    ):
        answer(
            SurveyInvitationFactory(enrolment=enrolment),
            overall=overall,
            gestures=3,
            recommend=1,
            comment=text,
        )
    pending = SurveyInvitationFactory(enrolment=cohort.completed[2])
    page = new_page(width=1024, height=768)
    login(page, cast.manager_a.email)

    page.goto(f"/enquetes/ecoles/{cast.school_a.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("École A Chelles")
    assert_accessible(page, "enquetes-ecole")
    page.get_by_role("link", name="Promotion automne 2025").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Promotion automne 2025")
    main = page.get_by_role("main")
    expect(main).to_contain_text("2 réponses sur 3 invitations")
    expect(main).to_contain_text("50\u00a0%")  # satisfied: one of two
    expect(main).to_contain_text("« Trop de trajets. »")
    assert_accessible(page, "enquetes-promotion")

    page.get_by_role("link", name="Invitations et liens").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invitations")
    assert_accessible(page, "enquetes-invitations")
    page.get_by_role("link", name="Lien et QR code de Léa Martin").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(page.get_by_label("Lien à copier")).to_have_value(
        re.compile(re.escape(pending.get_answer_url()) + "$")
    )
    assert_accessible(page, "enquetes-lien-qr")

    public = new_page(**PHONE)
    public.goto(f"/ecoles/{cast.school_a.slug}/resultats/")
    expect(public.get_by_role("heading", level=1)).to_have_text("Nos résultats — École A Chelles")
    expect(public.get_by_text("Pas encore assez de réponses")).to_have_count(3)
    assert_accessible(public, "resultats-publics")
