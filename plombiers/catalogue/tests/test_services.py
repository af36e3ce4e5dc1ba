import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plombiers.catalogue.services import self_referral_create
from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.referrals.models import Referral
from plombiers.referrals.services import referral_create


def person(**changes):
    import datetime as dt

    return {
        "first_name": "Noé", "last_name": "Martin", "birth_date": dt.date(2005, 1, 2),
        "phone": "0612345678", "highest_diploma": "aucun", **changes,
    }  # fmt: skip


def test_without_an_account_only_a_self_referral_is_made(cast):
    with pytest.raises(PermissionDenied):
        referral_create(by=None, school=cast.school_a, learner_data=person())
    assert not Referral.objects.exists()


def test_a_self_referral_needs_the_consent_to_be_contacted(cast):
    cohort = CohortFactory(school=cast.school_a)
    with pytest.raises(ValidationError):
        self_referral_create(cohort=cohort, learner_data=person(), expectations="", contact_consent=False)
    assert not Referral.objects.exists()


def test_a_closed_school_takes_no_self_referral(cast):
    from plombiers.network.enums import SchoolStatus

    cohort = CohortFactory(school=cast.school_a)
    cast.school_a.status = SchoolStatus.CLOSED
    cast.school_a.save(update_fields=["status"])
    with pytest.raises(PermissionDenied):
        self_referral_create(cohort=cohort, learner_data=person(), expectations="", contact_consent=True)
    assert not Referral.objects.exists()
