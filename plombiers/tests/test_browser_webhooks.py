"""The Mission Locale's counsellor subscribes their tool to the decisions on their referrals, copies
the secret shown once, and reads in the delivery log that a decision was delivered. axe-core reports
no violation."""

from playwright.sync_api import expect

from plombiers.conftest import assert_accessible, login
from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.services import referral_transition
from plombiers.webhooks.models import Subscription
from plombiers.webhooks.tests.conftest import Receiver, interview


def test_a_prescriber_subscribes_and_reads_the_delivery_log(new_page, cast, settings):
    settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = True  # the receiver is on this machine
    receiver = Receiver()
    receiver.thread.start()
    try:
        page = new_page()
        login(page, cast.prescriber.email)
        page.goto("/webhooks/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        page.get_by_label("Adresse de réception").fill(receiver.url)
        page.get_by_label("Décision sur une prescription").check()
        page.get_by_role("button", name="Créer l'abonnement").click()
        expect(page.get_by_text("il ne sera plus jamais affiché")).to_be_visible()
        secret = page.get_by_label("Secret de signature").input_value()
        assert secret == Subscription.objects.get().secret
        assert_accessible(page, "webhooks-liste")

        referral_transition(referral=interview(cast), to=ReferralStatus.ADMITTED, by=cast.manager_a)
        assert len(receiver.requests) == 1

        page.goto("/webhooks/")
        expect(page.get_by_text(secret)).to_have_count(0)
        page.get_by_role("link", name=receiver.url).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Journal des livraisons")
        expect(page.get_by_role("cell", name="Livrée")).to_be_visible()
        assert_accessible(page, "webhooks-journal")
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
