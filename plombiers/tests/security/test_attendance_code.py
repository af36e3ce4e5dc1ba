"""Issue 16, point 7: the six-digit signing code could be brute-forced — 837 wrong codes in a row
on `/emargement/`, then the right one was accepted, and a learner signed the sheet from home. Now a
learner gets five tries per code; past them their code is locked for that half-day until the
trainer shows a new one (the sheet says who), and an address that typed too many wrong codes is
refused for a few minutes."""

import datetime as dt
import json
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from plombiers.accounts.enums import Role
from plombiers.accounts.tests.factories import MembershipFactory, UserFactory
from plombiers.cohorts import attendance
from plombiers.cohorts.enums import Period
from plombiers.cohorts.models import Attendance, SigningCodeAttempt, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.privacy.models import AuditEvent
from plombiers.referrals.tests.factories import LearnerFactory

MONDAY = dt.date(2026, 10, 5)
STROKES = json.dumps([[[10, 10], [50, 40], [90, 20], [140, 60]]])
SIGN = reverse("cohorts:sign_with_code")
HOME = "198.51.100.23"  # the learner at home
SCHOOL_WIFI = "203.0.113.7"  # the whole class behind the school's Wi-Fi


@pytest.fixture
def today():
    # Noon in Paris on Monday 5 October 2026.
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def cohort(cast):
    return CohortFactory(
        school=cast.school_a,
        name="Promotion automne",
        start_date=dt.date(2026, 9, 7),
        end_date=dt.date(2026, 12, 18),
    )


def learner_account(cast, cohort, first_name, user=None):
    if user is None:
        user = UserFactory()
        MembershipFactory(user=user, role=Role.LEARNER, school=cast.school_a)
    EnrolmentFactory(
        cohort=cohort, learner=LearnerFactory(first_name=first_name, last_name="Martin", user=user)
    )
    return user


@pytest.fixture
def ines(cast, cohort):
    return learner_account(cast, cohort, "Inès", cast.learner_a)


@pytest.fixture
def session(cast, cohort, ines, today):
    return attendance.session_create(cohort=cohort, by=cast.trainer_a, date=MONDAY, period=Period.MORNING)


def show_code(client, cast, session) -> str:
    """The trainer presses « Afficher le code » (or « Nouveau code ») on the sheet."""
    client.force_login(cast.trainer_a)
    assert client.post(reverse("cohorts:signing_code_issue", args=[session.pk])).status_code == 302
    return TrainingSession.objects.get(pk=session.pk).signing_code


def wrong(code: str, n: int) -> str:
    return f"{(int(code) + n) % 10**6:06d}"


def sign(client, user, code, address=HOME) -> str:
    client.force_login(user)
    response = client.post(SIGN, {"code": code, "strokes": STROKES}, REMOTE_ADDR=address)
    return response.content.decode().replace("&#x27;", "'")


def test_wrong_codes_then_the_right_one_is_refused(client, cast, session, ines):
    code = show_code(client, cast, session)
    for n in range(1, 5):
        html = sign(client, ines, wrong(code, n))
        assert "Ce code n'est pas le bon" in html and f"encore {5 - n} essai" in html
    html = sign(client, ines, wrong(code, 5))
    assert "la signature sur votre téléphone est bloquée pour cette demi-journée" in html
    # The attack: keep trying, then the right code. Refused, in French; nothing signed.
    for n in range(6, 12):
        sign(client, ines, wrong(code, n))
    html = sign(client, ines, code)
    assert (
        "Trop de codes erronés" in html
        and "Demandez à votre formateur·rice d'afficher un nouveau code" in html
    )
    assert "Merci, votre signature est enregistrée." not in html
    assert not Attendance.objects.filter(signature__isnull=False).exists()
    assert SigningCodeAttempt.objects.count() == 5, "tries on a locked code are not even compared"
    # The phone page says so at once, without the form.
    client.force_login(ines)
    html = client.get(SIGN).content.decode()
    assert 'id="code-bloque"' in html and "<canvas" not in html
    # Each wrong code and the lock are in the school's audit trail, with the address.
    events = AuditEvent.objects.filter(action__startswith="attendance.code_", school=cast.school_a)
    assert (
        sorted(events.values_list("action", flat=True))
        == ["attendance.code_locked"] + ["attendance.code_wrong"] * 5
    )
    assert {e.details["address"] for e in events} == {HOME}


def test_the_trainer_sees_who_is_locked_and_a_new_code_unlocks(client, cast, cohort, session, ines, today):
    code = show_code(client, cast, session)
    for n in range(1, 6):
        sign(client, ines, wrong(code, n))
    client.force_login(cast.trainer_a)
    html = client.get(reverse("cohorts:session_detail", args=[session.pk])).content.decode()
    assert 'id="codes-bloques"' in html and "<strong>Inès Martin</strong>" in html
    assert "Code du téléphone bloqué" in html
    today.shift(dt.timedelta(minutes=1))
    new_code = show_code(client, cast, session)
    html = client.get(reverse("cohorts:session_detail", args=[session.pk])).content.decode()
    assert 'id="codes-bloques"' not in html
    html = sign(client, ines, new_code)
    assert Attendance.objects.get().signature.user == ines


def test_the_lock_is_per_learner(client, cast, cohort, session, ines):
    bilal = learner_account(cast, cohort, "Bilal")
    code = show_code(client, cast, session)
    for n in range(1, 6):
        sign(client, ines, wrong(code, n), address=SCHOOL_WIFI)
    sign(client, bilal, code, address=SCHOOL_WIFI)
    assert Attendance.objects.get().signature.user == bilal


def test_an_address_that_typed_too_many_wrong_codes_is_refused(
    client, cast, cohort, session, ines, settings, today
):
    """One person with several learners' accounts: five tries each would add up. Whatever is typed
    from that address is refused for a while, a right code from elsewhere is not."""
    settings.PLOMBIERS_SIGNING_CODE_ADDRESS_LIMIT = (8, 10)
    accomplices = [learner_account(cast, cohort, name) for name in ("Bilal", "Chloé")]
    code = show_code(client, cast, session)
    for n in range(1, 6):
        sign(client, accomplices[0], wrong(code, n))
    for n in range(1, 4):
        sign(client, accomplices[1], wrong(code, n))
    html = sign(client, ines, code)
    assert "Trop de codes erronés depuis cette connexion" in html
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.filter(action="attendance.code_throttled", details__address=HOME).count() == 1
    # From the school's Wi-Fi, Inès signs.
    sign(client, ines, code, address=SCHOOL_WIFI)
    assert Attendance.objects.get().signature.user == ines
    # Eleven minutes later the address may try again (with the new code of the next half-hour).
    today.shift(dt.timedelta(minutes=11))
    code = show_code(client, cast, session)
    sign(client, accomplices[1], code)
    assert Attendance.objects.filter(signature__user=accomplices[1]).exists()


@pytest.mark.parametrize("locked", [1, 3])
def test_the_sheet_with_locked_learners_has_a_constant_query_count(
    client, cast, cohort, session, ines, locked, django_assert_num_queries
):
    learners = [ines] + [learner_account(cast, cohort, f"Jeune {i}") for i in range(4)]
    code = show_code(client, cast, session)
    for learner in learners[:locked]:
        for n in range(1, 6):
            sign(client, learner, wrong(code, n))
    client.force_login(cast.trainer_a)
    # session, user, memberships, half-day, learners on the sheet, marks with their signatures,
    # the learners locked out of the running code
    with django_assert_num_queries(7):
        html = client.get(reverse("cohorts:session_detail", args=[session.pk])).content.decode()
    assert html.count("Code du téléphone bloqué") == locked


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_typed_at_the_same_moment_are_all_counted(cast, cohort, session, ines):
    """Eight phones send a wrong code for the same learner at once (a script in parallel): the
    counter waits for its turn, never refuses, never lets a sixth try through."""
    code = show_code(Client(), cast, session)
    barrier = threading.Barrier(8)
    answers, errors = [], []

    def attempt(n):
        try:
            client = Client(raise_request_exception=True)
            client.force_login(ines)
            barrier.wait()
            answers.append(client.post(SIGN, {"code": wrong(code, n), "strokes": STROKES}, REMOTE_ADDR=HOME))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and [a.status_code for a in answers] == [200] * 8
    assert SigningCodeAttempt.objects.count() == 5
    # Each wrong code counted in its turn: the first to the fifth, the fifth locks, the three after
    # are refused without being counted.
    wrong_codes = AuditEvent.objects.filter(action="attendance.code_wrong").values_list(
        "details__tries", flat=True
    )
    assert sorted(wrong_codes) == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.filter(action="attendance.code_locked").count() == 1
    # Every page rendered once the fifth try is counted says the code is locked (the fifth, the
    # three after, and any earlier one whose page came last); each other page says how many tries
    # its own code left, none the same.
    texts = [a.content.decode().replace("&#x27;", "'") for a in answers]
    locked = [t for t in texts if "bloquée pour cette demi-journée" in t]
    left = sorted(re.search(r"encore (\d) essai", t).group(1) for t in texts if t not in locked)
    assert len(locked) >= 4 and len(locked) + len(left) == 8
    assert len(set(left)) == len(left) and set(left) <= {"1", "2", "3", "4"}
    assert sign(Client(), ines, code).count("Trop de codes erronés") >= 1
    assert not Attendance.objects.filter(signature__isnull=False).exists()
