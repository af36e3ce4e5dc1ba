"""Which schools and organisations each role sees and edits: the same whether the request has read
the user's memberships already (their ids in the rules) or not (the rules read them in subqueries,
as an API call authenticated by a token does)."""

import pytest

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User
from plombiers.accounts.tests.factories import MembershipFactory
from plombiers.network.models import Organisation, School


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def _loaded(user) -> User:
    user = _fresh(user)
    user.membership_list  # noqa: B018 — what a page's request has read before its querysets
    return user


def _names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


EXPECTED = {
    # role: (schools seen, organisations seen, schools edited, organisations edited)
    "staff": (
        {"École A Chelles", "École B Roubaix"},
        {"ML Chelles", "Fondation A", "Fibre A", "Datacenter B"},
        {"École A Chelles", "École B Roubaix"},
        {"ML Chelles", "Fondation A", "Fibre A", "Datacenter B"},
    ),
    "staff_other": (set(), set(), set(), set()),
    "manager_a": (
        {"École A Chelles"},
        {"ML Chelles", "Fondation A", "Fibre A"},
        {"École A Chelles"},
        {"ML Chelles", "Fondation A", "Fibre A"},
    ),
    "trainer_b": ({"École B Roubaix"}, {"Datacenter B"}, set(), set()),
    "learner_a": ({"École A Chelles"}, set(), set(), set()),
    "prescriber": ({"École A Chelles"}, {"ML Chelles"}, set(), set()),
    "funder": ({"École A Chelles"}, {"Fondation A"}, set(), set()),
    "outsider": (set(), set(), set(), set()),
}


@pytest.mark.parametrize("load", [_fresh, _loaded], ids=["subqueries", "loaded"])
@pytest.mark.parametrize("who", EXPECTED)
def test_each_role_sees_and_edits_the_same_either_way(cast, who, load):
    user = load(getattr(cast, who))
    seen, partners, edited, partners_edited = EXPECTED[who]
    assert _names(School.objects.visible_to(user)) == seen
    assert _names(Organisation.objects.visible_to(user)) == partners
    assert _names(School.objects.editable_by(user)) == edited
    assert _names(Organisation.objects.editable_by(user)) == partners_edited


@pytest.mark.parametrize("load", [_fresh, _loaded], ids=["subqueries", "loaded"])
def test_a_user_with_several_roles_sees_what_each_gives(cast, load):
    # The trainer of B is also the prescriber of A's Mission Locale.
    MembershipFactory(user=cast.trainer_b, role=Role.PRESCRIBER, organisation=cast.prescriber_org)
    user = load(cast.trainer_b)
    assert _names(School.objects.visible_to(user)) == {"École A Chelles", "École B Roubaix"}
    assert _names(Organisation.objects.visible_to(user)) == {"ML Chelles", "Datacenter B"}


def test_with_the_memberships_read_a_staff_members_rules_are_one_condition(cast, django_assert_num_queries):
    user = _loaded(cast.staff)
    with django_assert_num_queries(1) as queries:
        assert School.objects.visible_to(user).count() == 2
    sql = queries.captured_queries[0]["sql"]
    assert "membership" not in sql.lower()
    assert "partnership" not in sql.lower()
    # Without them (a token's API call), the rules read the memberships in the same statement.
    user = _fresh(cast.staff)
    with django_assert_num_queries(1) as queries:
        assert School.objects.visible_to(user).count() == 2
    assert "membership" in queries.captured_queries[0]["sql"].lower()
