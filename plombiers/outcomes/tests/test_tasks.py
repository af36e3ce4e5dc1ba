import datetime as dt

from django.core.management import call_command

from plombiers.accounts.enums import Role
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
from plombiers.outcomes import services
from plombiers.outcomes.enums import ExitType, FollowUpStatus
from plombiers.outcomes.models import FollowUp


def test_the_daily_command_expires_and_sends_the_day_s_to_do(cast, world, today, mailoutbox, capsys):
    second = UserFactory(email="cip2.a@test.example")
    MembershipFactory(user=second, role=Role.SOCIAL_WORKER, school=cast.school_a)
    exit = services.exit_record(world.enrolment, by=cast.social_worker_a, exit_type=ExitType.CDI)
    one, three = exit.follow_ups.get(horizon=1), exit.follow_ups.get(horizon=3)
    FollowUp.objects.filter(pk=one.pk).update(due_on=today - dt.timedelta(days=31))
    FollowUp.objects.filter(pk=three.pk).update(due_on=today)
    # At school B a follow-up falls due today too: its e-mail goes to school B only (nobody there).
    exit_b = services.exit_record(world.enrolment_b, by=cast.manager_b, exit_type=ExitType.INACTIVE)
    FollowUp.objects.filter(exit=exit_b, horizon=1).update(due_on=today)

    call_command("daily")

    out = capsys.readouterr().out
    assert "1 suivi(s) de sortie noté(s) « sans nouvelles »" in out
    assert "2 suivi(s) de sortie à faire aujourd'hui" in out
    one.refresh_from_db()
    assert one.status == FollowUpStatus.NO_NEWS
    (digest,) = [m for m in mailoutbox if "cip.a@test.example" in m.to]
    (link,) = [m for m in mailoutbox if "ines@example.org" in m.to]
    assert sorted(digest.to) == ["cip.a@test.example", "cip2.a@test.example"]
    assert "1 suivi de sortie arrive à échéance aujourd'hui (25/01/2027)" in digest.body
    assert "Inès A. (" in digest.body and "Arnaud" not in digest.body
    assert "/suivis/" in digest.body
    assert link.to == ["ines@example.org"]
    assert services.follow_up_link(three) in link.body
    assert len(mailoutbox) == 2  # school B's learner has no e-mail, nor social worker
