import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.accounts.services import api_token_create
from plombiers.invitations import services
from plombiers.invitations.models import TeamInvitation
from plombiers.privacy.models import AuditEvent

PASSWORD = "Ch3lles-fibre-optique"


def _link(message) -> str:
    return re.search(r"https?://\S+(/invitation/\S+/)", message.body).group(1)


@pytest.fixture
def invited(cast):
    return services.invitation_create(
        network=cast.network,
        school=cast.school_a,
        email="Nouvelle.Formatrice@test.example",
        role=Role.TRAINER,
        by=cast.staff,
    )


def test_an_invitation_is_mailed_through_the_queue_and_accepted_once(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            network=cast.network,
            school=cast.school_a,
            email="nouvelle@test.example",
            role=Role.TRAINER,
            by=cast.staff,
        )
    assert invitation.email == "nouvelle@test.example"
    assert [m.to for m in mail.outbox] == [["nouvelle@test.example"]]
    link = _link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Rejoindre l'école École A Chelles" in page.content.decode()
    # A weak password is refused in French, nothing is written.
    weak = client.post(
        link, {"first_name": "Nadia", "last_name": "B", "password1": "1234", "password2": "1234"}
    )
    assert weak.status_code == 400
    assert "Ce mot de passe est trop court" in weak.content.decode()
    assert not User.objects.filter(email="nouvelle@test.example").exists()
    done = client.post(
        link, {"first_name": "Nadia", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert done.status_code == 302
    # A trainer must set up two-factor authentication: the login lands on its setup page.
    assert done["Location"] == reverse("accounts:mfa_setup")
    user = User.objects.get(email="nouvelle@test.example")
    assert user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user, role=Role.TRAINER, school=cast.school_a).exists()
    assert set(AuditEvent.objects.filter(object_id=str(invitation.pk)).values_list("action", flat=True)) == {
        "invitation.create",
        "invitation.accept",
    }
    # Used: the same link is gone (410), with a clear page.
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "déjà été acceptée" in again.content.decode()


def test_an_expired_link_is_gone_and_a_resent_one_replaces_it(
    client, cast, invited, django_capture_on_commit_callbacks
):
    old = reverse("invitations:accept", args=[invited.token()])
    TeamInvitation.objects.filter(pk=invited.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    expired = client.get(old)
    assert expired.status_code == 410
    assert "a expiré" in expired.content.decode()
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitations:invitation_resend", args=[invited.pk]))
    invited.refresh_from_db()
    assert invited.expires_at > timezone.now() + dt.timedelta(days=6)
    client.logout()
    # The old link names the old nonce: it no longer exists.
    assert client.get(old).status_code == 404
    assert client.get(_link(mail.outbox[-1])).status_code == 200


def test_a_revoked_or_forged_link_is_not_a_500(client, cast, invited):
    link = reverse("invitations:accept", args=[invited.token()])
    services.invitation_revoke(invitation=invited, by=cast.staff)
    revoked = client.get(link)
    assert revoked.status_code == 410
    assert "annulée" in revoked.content.decode()
    assert client.get(reverse("invitations:accept", args=["pas-un-lien"])).status_code == 404
    # Accepting a revoked invitation by POST is refused too.
    post = client.post(
        link, {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert post.status_code == 410
    assert not User.objects.filter(email=invited.email).exists()


def test_the_list_shows_each_state(client, cast, invited):
    expired = services.invitation_create(
        network=cast.network,
        school=cast.school_a,
        email="vieux@test.example",
        role=Role.SOCIAL_WORKER,
        by=cast.staff,
    )
    TeamInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(cast.manager_a)
    page = client.get(reverse("invitations:invitation_list")).content.decode()
    assert "En attente" in page and "Expirée" in page
    assert invited.email in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("manager_a", 200),
        ("manager_b", 200),
        ("trainer_a", 404),
        ("prescriber", 404),
        ("outsider", 404),
    ],
)
def test_who_opens_the_invitation_list(client, cast, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("invitations:invitation_list")).status_code == status


@pytest.mark.parametrize("name", ["invitation_resend", "invitation_revoke"])
def test_another_school_s_invitation_is_404(client, cast, invited, name):
    url = reverse(f"invitations:{name}", args=[invited.pk])
    for who in ("manager_b", "trainer_a", "trainer_b", "outsider"):
        client.force_login(getattr(cast, who))
        assert client.post(url).status_code == 404, who
    client.force_login(cast.manager_a)
    assert client.post(url).status_code == 302


def test_a_manager_invites_their_school_s_team_only(client, cast):
    client.force_login(cast.manager_a)
    url = reverse("invitations:invitation_list")
    refused = client.post(url, {"email": "x@test.example", "role": Role.TRAINER, "school": cast.school_b.pk})
    assert refused.status_code == 400
    assert not TeamInvitation.objects.exists()
    manager = client.post(
        url, {"email": "x@test.example", "role": Role.SCHOOL_MANAGER, "school": cast.school_a.pk}
    )
    assert manager.status_code == 400
    ok = client.post(url, {"email": "x@test.example", "role": Role.TRAINER, "school": cast.school_a.pk})
    assert ok.status_code == 302
    assert TeamInvitation.objects.get().school == cast.school_a


def test_an_existing_member_is_not_invited_twice(cast):
    with pytest.raises(Exception, match="déjà ce rôle"):
        services.invitation_create(
            network=cast.network,
            school=cast.school_a,
            email=cast.trainer_a.email,
            role=Role.TRAINER,
            by=cast.staff,
        )


# --- the API --------------------------------------------------------------------------------------


def _headers(user):
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def test_api_invites_and_answers_4xx(client, cast, django_capture_on_commit_callbacks):
    headers = _headers(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/invitations",
            {"email": "api@test.example", "role": "trainer", "school": cast.school_b.pk},
            content_type="application/json",
            headers=headers,
        )
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "pending"
    assert mail.outbox[-1].to == ["api@test.example"]
    bad = client.post(
        "/api/v1/invitations",
        {"email": "pas une adresse", "role": "trainer", "school": cast.school_b.pk},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == "Saisissez une adresse e-mail valide."
    no_school = client.post(
        "/api/v1/invitations",
        {"email": "b@test.example", "role": "trainer"},
        content_type="application/json",
        headers=headers,
    )
    assert no_school.status_code == 422
    unknown = client.post(
        "/api/v1/invitations",
        {"email": "b@test.example", "role": "trainer", "school": 10**9},
        content_type="application/json",
        headers=headers,
    )
    assert unknown.status_code == 404
    manager = client.post(
        "/api/v1/invitations",
        {"email": "b@test.example", "role": "trainer", "school": cast.school_a.pk},
        content_type="application/json",
        headers=_headers(cast.manager_a),
    )
    assert manager.status_code == 403


def test_unanswered_invitations_are_purged_after_their_retention(cast, invited):
    accepted = services.invitation_create(
        network=cast.network, school=cast.school_a, email="oui@test.example", role=Role.TRAINER, by=cast.staff
    )
    services.invitation_accept(invitation=accepted, first_name="A", last_name="B", password=PASSWORD)
    long_ago = timezone.now() - dt.timedelta(days=200)
    TeamInvitation.objects.update(expires_at=long_ago)
    fresh = services.invitation_create(
        network=cast.network,
        school=cast.school_a,
        email="neuf@test.example",
        role=Role.TRAINER,
        by=cast.staff,
    )
    assert services.invitations_purge() == 1
    assert set(TeamInvitation.objects.values_list("pk", flat=True)) == {accepted.pk, fresh.pk}
