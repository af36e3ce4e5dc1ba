import datetime as dt

import pytest

from plombiers.api.urls import api
from plombiers.privacy.models import AuditEvent

from .conftest import pdf_text
from .test_views import KINDS, OTHERS, small  # noqa: F401 — the fixture

URL = "/api/v1/cohorts/{}/documents/{}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind(client, cast, small, kind):  # noqa: F811
    cohort, _, _ = small
    client.force_login(cast.staff)
    response = client.get(URL.format(cohort.pk, kind))
    assert response.status_code == 200
    assert response["Content-Type"] == ("application/zip" if kind == "zip" else "application/pdf")
    if kind != "zip":
        assert "Inès ARNAUD" in pdf_text(response.content) or kind == "emargement"
    assert AuditEvent.objects.filter(action="documents.download", details__kind=kind).count() == 1


def test_one_week(client, cast, small):  # noqa: F811
    cohort, _, _ = small
    client.force_login(cast.trainer_a)
    response = client.get(URL.format(cohort.pk, "emargement") + "?week=2026-09-07")
    assert response.status_code == 200
    assert "Semaine du 07/09/2026" in pdf_text(response.content)
    response = client.get(URL.format(cohort.pk, "emargement") + "?week=2026-10-12")
    assert response.status_code == 404
    assert response.json() == {"detail": "Aucune demi-journée n'est prévue la semaine du 12/10/2026."}
    assert client.get(URL.format(cohort.pk, "emargement") + "?week=demain").status_code == 422


def test_unknown_kind_is_a_french_404(client, cast, small):  # noqa: F811
    cohort, _, _ = small
    client.force_login(cast.trainer_a)
    response = client.get(URL.format(cohort.pk, "bulletins"))
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Type de document inconnu « bulletins »")


@pytest.mark.parametrize("who", OTHERS)
def test_others_get_404(client, cast, small, who):  # noqa: F811
    cohort, _, _ = small
    client.force_login(getattr(cast, who))
    for kind in ["conventions", "zip", "bulletins"]:
        response = client.get(URL.format(cohort.pk, kind))
        assert response.status_code == 404
        assert response.json() == {"detail": "Introuvable."}
    assert not AuditEvent.objects.filter(action="documents.download").exists()


def test_the_openapi_documents_the_pdf():
    operation = api.get_openapi_schema()["paths"]["/api/v1/cohorts/{cohort_id}/documents/{kind}"]["get"]
    content = operation["responses"]["200"]["content"]
    assert {"application/pdf", "application/zip"} <= set(content)
    assert "certificats-realisation" in operation["description"]
    assert dt.date  # the week parameter is a date
    assert any(p["name"] == "week" for p in operation["parameters"])
