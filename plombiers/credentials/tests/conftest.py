import datetime as dt

import pytest

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.documents.tests.conftest import course, frozen  # noqa: F401 — shared fixtures


@pytest.fixture
def ended(course, frozen):  # noqa: F811
    """The course's cohort has ended: Inès completed it, Bilal left early (skills F1 in progress only)."""
    course.cohort.status = "terminee"
    course.cohort.save(update_fields=["status"])
    course.ines.status, course.ines.end_date = EnrolmentStatus.COMPLETED, dt.date(2026, 12, 18)
    course.ines.save(update_fields=["status", "end_date"])
    course.ines.learner.email = "ines.arnaud@example.org"
    course.ines.learner.save(update_fields=["email"])
    course.bilal.status, course.bilal.end_date = EnrolmentStatus.DROPPED_OUT, dt.date(2026, 11, 6)
    course.bilal.drop_out_reason = "emploi"
    course.bilal.save(update_fields=["status", "end_date", "drop_out_reason"])
    return course


@pytest.fixture(scope="session")
def reference():
    """Digital Bazaar's verifier (Node.js, `verifier/`), started once per test process and fed
    every document of the session. `make test` installs it (`npm ci`)."""
    from plombiers.credentials.reference import ReferenceVerifier

    with ReferenceVerifier() as verifier:
        yield verifier
