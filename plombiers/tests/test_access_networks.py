"""Several networks on one instance, probed: the network staff of another network (`staff_other`)
opens every page and every API operation that takes no object, and finds nothing of the cast's
network in any answer; every API operation on one of the cast's objects answers them 404.

The access tests (`test_access_*.py`, each app's) prove every rule object by object with
`staff_other` among their roles; these probes walk the whole URL table and the whole OpenAPI
document, so that a page or an operation added tomorrow is probed too."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from plombiers.accounts.services import api_token_create
from plombiers.cohorts.blocks import school_cohorts
from plombiers.frameworks.models import Framework
from plombiers.internships.tests.conftest import placement  # noqa: F401 — a fixture
from plombiers.internships.tests.offers_fixtures import offers_fixture  # noqa: F401 — the `offers` fixture
from plombiers.network.models import Organisation
from plombiers.network.permissions import manages_school
from plombiers.referrals.tests.factories import ReferralFactory
from plombiers.support.tests.test_views import support_make
from plombiers.tests import access
from plombiers.tests.test_access_urls import _patterns

pytestmark = pytest.mark.django_db

#: Shared by every network by design: the trades' frameworks (as the trades), and the training offer
#: of a school in LHEO (public: what a Carif-Oref collects, `offer:school_lheo` is public too).
SHARED_OPERATIONS = {"/api/v1/frameworks/{framework_id}", "/api/v1/schools/{school_id}/lheo"}


@pytest.fixture
def world(cast, communes, offers):
    """The cast's network with a young person's support file, a referral, cohorts, offers and
    applications on both schools; the words that would betray any of it."""
    support = support_make(cast, communes)
    referral = ReferralFactory(school=cast.school_a)
    objects = {
        "school_id": cast.school_a.pk,
        "learner_id": support.learner.pk,
        "cohort_id": offers.placement.cohort.pk,
        "enrolment_id": offers.placement.enrolment.pk,
        "offer_id": offers.offer_a.pk,
        "application_id": offers.application_a.pk,
        "framework_id": Framework.objects.get(trade__slug="fibre-optique").pk,
        "kind": "emargement",
    }
    assert referral.school == cast.school_a
    # The names the fixtures chose (never a random one, which another account could share).
    markers = [
        cast.network.name,
        cast.school_a.name,
        cast.school_b.name,
        *Organisation.objects.filter(network=cast.network).values_list("name", flat=True),
        support.learner.last_name,
        support.other.last_name,
        offers.placement.learner.last_name,
        offers.enrolment_b.learner.last_name,
        offers.offer_a.title,
        offers.offer_b.title,
    ]
    return objects, markers


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _betrayed(body: str, markers: list[str]) -> list[str]:
    return [m for m in markers if re.search(rf"\b{re.escape(m)}\b", body)]


def test_every_page_without_an_object_shows_nothing_of_another_network(client, cast, world):
    _objects, markers = world
    client.force_login(cast.staff_other)
    probed = 0
    for name, pattern in _patterns():
        if "<" in pattern or name in access.PUBLIC or name.startswith(tuple(access.EXCLUDED)):
            continue
        response = client.get(reverse(name))
        assert response.status_code in {200, 302, 400, 403, 404, 405}, (name, response.status_code)
        assert _betrayed(_body(response), markers) == [], name
        probed += 1
    assert probed >= 40  # the probe walked the table (lists, dashboards, forms, exports)


def test_every_api_operation_shows_nothing_of_another_network(client, cast, world):
    objects, markers = world
    _token, raw = api_token_create(user=cast.staff_other)
    headers = {"Authorization": f"Bearer {raw}"}
    document = client.get("/api/v1/openapi.json").json()
    lists = on_objects = 0
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        response = client.get(path.format(**{n: objects.get(n, 1) for n in names}), headers=headers)
        assert response.status_code != 500, path
        if names and all(n in objects for n in names) and path not in SHARED_OPERATIONS:
            assert response.status_code == 404, (path, response.status_code)  # one of the cast's
            on_objects += 1
        if response.status_code == 200:
            assert _betrayed(_body(response), markers) == [], path
            lists += 0 if names else 1
    assert lists >= 15 and on_objects >= 15, (lists, on_objects)


def test_another_networks_staff_manage_none_of_its_schools(cast):
    """The predicates behind the pages ask for the staff of *the school's* network, not of any."""
    assert manages_school(cast.staff, cast.school_a) and not manages_school(cast.staff_other, cast.school_a)
    assert school_cohorts(SimpleNamespace(user=cast.staff), cast.school_a)[1]["can_create"]
    assert school_cohorts(SimpleNamespace(user=cast.staff_other), cast.school_a) is None
