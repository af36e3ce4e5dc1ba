from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.privacy.models import AuditEvent
from plombiers.support.enums import ConsentScope
from plombiers.support.models import Consent

SHARE = ConsentScope.SHARE_PRESCRIBER


def _barriers_for_the_prescriber(client, cast, learner):
    _token, raw = api_token_create(user=cast.prescriber)
    return client.get(f"/api/v1/learners/{learner.pk}/barriers", headers={"Authorization": f"Bearer {raw}"})


def test_withdrawing_a_consent_takes_effect_at_once(client, cast, person):
    assert _barriers_for_the_prescriber(client, cast, person.learner).status_code == 200
    client.force_login(cast.learner_a)
    page = client.get(reverse("rights:my_data")).content.decode()
    withdraw = reverse("rights:my_consent_withdraw", args=[SHARE])
    assert withdraw in page
    confirm = client.get(withdraw)
    assert confirm.status_code == 200 and "Oui, je retire mon accord" in confirm.content.decode()
    assert Consent.objects.filter(given=False).count() == 0, "the confirmation page writes nothing"
    response = client.post(withdraw, follow=True)
    assert "Votre accord est retiré" in response.content.decode()
    latest = Consent.objects.filter(learner=person.learner, scope=SHARE).order_by("-given_on", "-pk").first()
    assert (latest.given, latest.recorded_by) == (False, cast.learner_a)
    assert AuditEvent.objects.filter(action="support.consent.withdraw", actor=cast.learner_a).count() == 1
    client.logout()
    refused = _barriers_for_the_prescriber(client, cast, person.learner)
    assert refused.status_code == 403 and "retiré" in refused.json()["detail"]


def test_a_consent_not_given_cannot_be_withdrawn(client, cast, person):
    client.force_login(cast.learner_a)
    response = client.post(reverse("rights:my_consent_withdraw", args=[ConsentScope.DATA]), follow=True)
    assert "rien à retirer" in response.content.decode()
    assert not Consent.objects.filter(scope=ConsentScope.DATA).exists()
    assert client.post(reverse("rights:my_consent_withdraw", args=["inconnu"])).status_code == 404


def test_only_the_young_person_withdraws_their_consent(client, cast, person):
    for role in ("social_worker_a", "manager_a", "prescriber"):
        client.force_login(getattr(cast, role))
        assert client.post(reverse("rights:my_consent_withdraw", args=[SHARE])).status_code == 404
    assert not Consent.objects.filter(given=False).exists()
