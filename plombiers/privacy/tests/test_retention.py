"""The retention rules are data, and the notice and the public page read the same table."""

import datetime as dt

import pytest
from django.urls import reverse

from plombiers.network.tests.factories import SchoolFactory
from plombiers.privacy import retention
from plombiers.privacy.models import AuditEvent, RetentionSetting
from plombiers.referrals.tests.factories import LearnerFactory
from plombiers.support.documents import consent_notice_pdf
from plombiers.support.tests.test_documents import text_of


def test_every_rule_says_what_how_long_from_when_what_then_why_and_where_from():
    assert len({rule.key for rule in retention.RULES}) == len(retention.RULES)
    for rule in retention.RULES:
        assert rule.label and rule.counted_from and rule.reason and rule.source
        assert rule.months >= rule.minimum_months >= 1
        assert rule.action in retention.RetentionAction.values
    # The defaults the notice promises: notes a year after the support, the rest anonymised at five.
    assert retention.RULES_BY_KEY["support_notes"].months == 12
    assert retention.RULES_BY_KEY["learners"].months == 60
    assert retention.RULES_BY_KEY["referrals_not_admitted"].months == 24


def test_months_before_stays_in_the_month():
    assert retention.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert retention.months_before(dt.date(2026, 1, 15), 12) == dt.date(2025, 1, 15)
    assert retention.months_before(dt.date(2026, 1, 15), 60) == dt.date(2021, 1, 15)


def test_a_network_sets_its_own_durations_never_below_the_legal_minimum(communes):
    school = SchoolFactory()
    RetentionSetting.objects.create(network=school.network, key="support_notes", months=6)
    RetentionSetting.objects.create(network=school.network, key="learners", months=24)
    assert retention.months_for(school.network, "support_notes") == 6
    assert retention.months_for(school.network, "learners") == 60  # the training controls keep it
    assert retention.months_for(school.network, "referrals_not_admitted") == 24
    rows = {row.rule.key: row for row in retention.table(school.network)}
    assert rows["support_notes"].duration == "6 mois" and rows["learners"].duration == "5 ans"


def test_the_public_page_shows_every_rule_and_its_duration(client, db):
    response = client.get(reverse("rights:retention"))
    assert response.status_code == 200
    html = response.content.decode()
    for row in retention.table():
        assert row.rule.label.replace("'", "&#x27;") in html
        fragment = html[html.index(f'id="regle-{row.rule.key}"') :]
        assert f'<td class="text-nowrap">{row.duration}</td>' in fragment[: fragment.index("</tr>")]


def test_the_footer_links_the_page(client, db):
    assert reverse("rights:retention") in client.get(reverse("account_login")).content.decode()


@pytest.mark.parametrize("own", [None, 18])
def test_the_notice_prints_the_same_table_with_the_networks_durations(communes, own):
    school = SchoolFactory(name="Plombiers Chelles")
    if own:
        RetentionSetting.objects.create(network=school.network, key="support_notes", months=own)
    _reader, text = text_of(consent_notice_pdf(learner=LearnerFactory(), school=school))
    for row in retention.table(school.network):
        assert row.rule.label.split(" ")[0] in text
        assert row.duration in text
    if own:
        assert "18 mois" in text


def test_the_network_staff_set_their_durations_never_below_the_minimum(client, cast):
    url = reverse("rights:retention_settings")
    client.force_login(cast.manager_a)
    assert client.get(url).status_code == 403
    client.force_login(cast.staff)
    assert client.get(url).status_code == 200
    data = {row.rule.key: row.months for row in retention.table(cast.network)}
    response = client.post(url, {**data, "learners": 12})
    assert response.status_code == 400 and "rien n'a été enregistré" in response.content.decode()
    assert not RetentionSetting.objects.exists()
    response = client.post(url, {**data, "support_notes": 18})
    assert response.status_code == 302
    assert retention.months_for(cast.network, "support_notes") == 18
    event = AuditEvent.objects.get(action="privacy.retention_changed")
    assert event.details == {"months": {"support_notes": 18}}
    client.post(url, data)  # back to the default: the setting goes
    assert not RetentionSetting.objects.exists()
