"""Imports: the school's manager and the network staff only; another school's import is 404."""

import pytest
from django.urls import reverse

from plombiers.imports.enums import ImportKind, ImportStatus
from plombiers.imports.models import ImportJob
from plombiers.imports.tests.files import csv_bytes, people
from plombiers.referrals.models import Learner

from .access import MANAGERS, NETWORK_STAFF, ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(cast):
    def make(school, by):
        return ImportJob.objects.create(
            school=school,
            kind=ImportKind.LEARNERS,
            filename="jeunes.csv",
            content=csv_bytes(people(2)),
            by=by,
        )

    return {"a": make(cast.school_a, cast.manager_a), "b": make(cast.school_b, cast.manager_b)}


def test_anonymous_goes_to_the_login(client, jobs):
    for url in [reverse("imports:job_list"), reverse("imports:job_detail", args=[jobs["a"].pk])]:
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, cast, jobs, role):
    client.force_login(getattr(cast, role))
    page = client.get(reverse("imports:job_list"))
    assert page.status_code == (200 if role in MANAGERS or role in NETWORK_STAFF else 404)
    if page.status_code == 200:  # the list and the upload form: the schools one manages
        listed = {job.pk for job in page.context["page"].object_list}
        assert listed == {job.pk for school, job in jobs.items() if school in MANAGERS.get(role, set())}
        schools = set(page.context["form"].fields["school"].queryset)
        assert (cast.school_a in schools, cast.school_b in schools) == (
            "a" in MANAGERS.get(role, set()),
            "b" in MANAGERS.get(role, set()),
        )
    for school, job in jobs.items():
        expected = 200 if school in MANAGERS.get(role, set()) else 404
        assert client.get(reverse("imports:job_detail", args=[job.pk])).status_code == expected
        progress = client.get(reverse("imports:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
        assert progress.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_writes(client, cast, jobs, role):
    client.force_login(getattr(cast, role))
    for school, job in jobs.items():
        allowed = school in MANAGERS.get(role, set())
        mapping = {"last_name": "Nom", "first_name": "Prénom", "birth_date": "Date de naissance"}
        response = client.post(reverse("imports:job_check", args=[job.pk]), mapping)
        assert response.status_code == (302 if allowed else 404)
        response = client.post(reverse("imports:job_start", args=[job.pk]))
        assert response.status_code == (302 if allowed else 404)
        response = client.post(reverse("imports:job_undo", args=[job.pk]))
        assert response.status_code == (302 if allowed else 404)
        job.refresh_from_db()
        assert job.status == (ImportStatus.UNDONE if allowed else ImportStatus.UPLOADED)
    assert not Learner.objects.exists()
