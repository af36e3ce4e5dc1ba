import pytest
from django.urls import reverse
from django.utils.html import escape

from plombiers.rights.register import PROCESSINGS


def test_network_staff_read_the_register_and_its_pdf(client, cast):
    client.force_login(cast.staff)
    page = client.get(reverse("rights:register")).content.decode()
    for processing in PROCESSINGS:
        assert escape(processing.name) in page
    assert "Accompagnateur·rice socio-professionnel·le" in page  # recipients named from the roles
    assert "Double authentification" in page and "totp" in page  # read from the settings
    pdf = client.get(reverse("rights:register_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "role", ["manager_a", "social_worker_a", "trainer_a", "prescriber", "funder", "learner_a", "outsider"]
)
def test_the_register_is_the_network_staffs(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("rights:register")).status_code == 404
    assert client.get(reverse("rights:register_pdf")).status_code == 404
