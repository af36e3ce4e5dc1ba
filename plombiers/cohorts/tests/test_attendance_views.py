"""The attendance pages: the calendar, the tablet sheet, the phone signature, today's half-days."""

import datetime as dt
import json
import re
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plombiers.cohorts import attendance as svc
from plombiers.cohorts.enums import AttendanceStatus, Period, SessionKind, SignatureMethod
from plombiers.cohorts.models import Attendance, AttendanceAmendment, Signature, TrainingSession
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.referrals.tests.factories import LearnerFactory

MONDAY = dt.date(2026, 10, 5)
STROKES = json.dumps([[[10, 10], [50, 40], [90, 20], [140, 60]]])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def today():
    # Noon in Paris on Monday 5 October 2026.
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        yield MONDAY


@pytest.fixture
def cohort(cast):
    return CohortFactory(
        school=cast.school_a,
        name="Promotion automne",
        start_date=dt.date(2026, 9, 7),
        end_date=dt.date(2026, 12, 18),
    )


@pytest.fixture
def three(cohort, cast):
    ines = LearnerFactory(first_name="Inès", last_name="Arnaud", user=cast.learner_a)
    return [
        EnrolmentFactory(cohort=cohort, learner=ines),
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Bilal", last_name="Benali")),
        EnrolmentFactory(cohort=cohort, learner=LearnerFactory(first_name="Chloé", last_name="Caron")),
    ]


@pytest.fixture
def session(cohort, cast, three):
    return svc.session_create(cohort=cohort, by=cast.trainer_a, date=MONDAY, period=Period.MORNING)


def sheet_url(session, name="cohorts:session_detail"):
    return reverse(name, args=[session.pk])


def section(html: str, start: str) -> str:
    """The HTML of the element opened by `start`, up to its matching closing tag."""
    begin = html.index(start)
    tag = re.match(r"<(\w+)", start).group(1)
    depth, position = 0, begin
    for match in re.finditer(rf"<(/?){tag}\b", html[begin:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = begin + match.start()
            break
    return html[begin : html.index(">", position) + 1]


def text(response) -> str:
    return unescape(response.content.decode())


def normalise(html: str) -> str:
    """Without the per-response CSRF mask and the blank lines around a tag left out by `{% if %}`."""
    html = CSRF.sub('name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r">\s+<", "><", html).strip()


# --- calendar ------------------------------------------------------------------------------------


def test_the_team_generates_the_calendar_from_a_week_template(client, cast, cohort, today):
    client.force_login(cast.trainer_a)
    data = {
        "weekdays": ["0", "1", "2", "3"],
        "morning_start": "09:00",
        "morning_end": "12:30",
        "afternoon_start": "",
        "afternoon_end": "",
        "internship_weeks": "18/11/2026",
        "kind": SessionKind.THEORY,
        "trainer": cast.trainer_a.pk,
    }
    response = client.post(reverse("cohorts:schedule_generate", args=[cohort.pk]), data, follow=True)
    html = response.content.decode()
    created = TrainingSession.objects.filter(cohort=cohort)
    # 15 weeks of 4 days, minus 11 November (a Wednesday): mornings only.
    assert created.count() == 15 * 4 - 1
    assert set(created.values_list("period", flat=True)) == {Period.MORNING}
    assert created.filter(kind=SessionKind.INTERNSHIP).count() == 4
    assert "Calendrier généré : 59 demi-journées ajoutées" in html
    # The page of the current week opens: 05/10/2026 is in it, with its sheet to do.
    assert "Semaine du 05/10/2026 au 11/10/2026" in html
    assert "Lundi 05/10/2026" in html and "À faire" in html


def test_a_bad_week_template_says_why_in_french_and_creates_nothing(client, cast, cohort, today):
    client.force_login(cast.trainer_a)
    data = {"morning_start": "09:00", "internship_weeks": "lundi prochain", "kind": SessionKind.PLATFORM}
    response = client.post(reverse("cohorts:schedule_generate", args=[cohort.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez au moins un jour de la semaine." in html
    assert "« lundi prochain » n&#x27;est pas une date" in html
    assert "Indiquez le début et la fin du matin." in html
    assert not TrainingSession.objects.exists()


def test_the_calendar_is_read_only_for_the_social_worker_and_the_learner(client, cast, session):
    for user, sees_sheet in ((cast.social_worker_a, True), (cast.learner_a, False)):
        client.force_login(user)
        html = client.get(reverse("cohorts:cohort_calendar", args=[session.cohort_id])).content.decode()
        assert "Lundi 05/10/2026" in html
        assert "Générer le calendrier" not in html and "Ajouter une demi-journée" not in html
        assert "Supprimer" not in html
        assert (sheet_url(session) in html) == sees_sheet


@pytest.mark.parametrize("weeks", [1, 4])
def test_the_calendar_query_count_is_constant(client, cast, cohort, three, django_assert_num_queries, weeks):
    for week in range(weeks):
        for day in range(5):
            date = dt.date(2026, 9, 7) + dt.timedelta(weeks=week, days=day)
            for period in Period.values:
                svc.session_create(cohort=cohort, by=cast.trainer_a, date=date, period=period)
    client.force_login(cast.trainer_a)
    url = reverse("cohorts:cohort_calendar", args=[cohort.pk]) + "?page=1"
    # session, user, memberships, cohort, weeks, half-days of the page, trainers of the form
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("Feuille<span") == weeks * 10


def test_add_edit_and_delete_a_half_day(client, cast, cohort):
    client.force_login(cast.trainer_a)
    add = reverse("cohorts:session_create", args=[cohort.pk])
    response = client.post(
        add, {"date": "2026-10-06", "period": Period.AFTERNOON, "kind": SessionKind.THEORY}
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302 and session.start_time == dt.time(13, 30)
    response = client.post(
        add, {"date": "2026-10-06", "period": Period.AFTERNOON, "kind": SessionKind.THEORY}
    )
    assert "Cette demi-journée existe déjà" in response.content.decode()
    assert TrainingSession.objects.count() == 1

    edit = reverse("cohorts:session_edit", args=[session.pk])
    data = {"date": "2026-10-06", "period": Period.AFTERNOON, "start_time": "14:00", "end_time": "17:00"}
    response = client.post(edit, {**data, "kind": SessionKind.PLATFORM})
    session.refresh_from_db()
    assert (session.start_time, session.duration_minutes, session.kind) == (
        dt.time(14),
        180,
        SessionKind.PLATFORM,
    )
    response = client.post(edit, {**data, "end_time": "13:00", "kind": SessionKind.PLATFORM})
    assert "L&#x27;heure de fin doit suivre" in response.content.decode()
    session.refresh_from_db()
    assert session.end_time == dt.time(17)

    # Deleting asks first: the calendar links to a confirmation page; a POST without the
    # confirmation (a stale form, a double tap) only shows that page again.
    delete = reverse("cohorts:session_delete", args=[session.pk])
    calendar = client.get(reverse("cohorts:cohort_calendar", args=[cohort.pk])).content.decode()
    assert f'href="{delete}"' in calendar
    for response in (client.get(delete), client.post(delete)):
        html = response.content.decode()
        assert response.status_code == 200 and "Confirmer la suppression" in html
        assert "Supprimer la demi-journée du Mardi 06/10/2026, après-midi ?" in html
        assert TrainingSession.objects.exists()
    response = client.post(delete, {"confirm": "1"}, follow=True)
    assert "Demi-journée du 06/10/2026, après-midi supprimée." in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_a_half_day_with_marks_is_not_deleted(client, cast, session, three, today):
    svc.attendance_mark(
        session=session, by=cast.trainer_a, marks=[svc.Mark(three[0].pk, AttendanceStatus.PRESENT)]
    )
    client.force_login(cast.trainer_a)
    response = client.post(
        reverse("cohorts:session_delete", args=[session.pk]), {"confirm": "1"}, follow=True
    )
    assert "déjà des présences" in response.content.decode()
    assert TrainingSession.objects.filter(pk=session.pk).exists()


# --- the sheet on the tablet ---------------------------------------------------------------------


def test_the_sheet_lists_the_learners_with_big_buttons(client, cast, session, today):
    client.force_login(cast.trainer_a)
    html = client.get(sheet_url(session)).content.decode()
    for name in ("Inès Arnaud", "Bilal Benali", "Chloé Caron"):
        assert name in html
    assert "Tous présents" in html and "Afficher le code" in html
    assert html.count("Présence pas encore notée") == 3
    assert "Signer et verrouiller la feuille" in html


def test_one_row_saved_through_htmx_is_the_sheet_a_reload_shows(client, cast, session, three, today):
    client.force_login(cast.trainer_a)
    data = {"enrolment": three[1].pk, "status": AttendanceStatus.LATE, "late_minutes": "20"}
    fragment = client.post(
        sheet_url(session, "cohorts:attendance_mark"), data, headers={"HX-Request": "true"}
    )
    fragment = fragment.content.decode()
    assert "<html" not in fragment
    assert "Enregistré — Bilal Benali : en retard." in fragment
    mark = Attendance.objects.get()
    assert (mark.enrolment, mark.status, mark.late_minutes) == (three[1], AttendanceStatus.LATE, 20)
    full = client.get(sheet_url(session)).content.decode()
    without_notice = re.sub(r'\s*<div class="alert alert-success" role="status">[^<]*</div>', "", fragment)
    assert normalise(without_notice) == normalise(section(full, '<section id="feuille"'))
    # An htmx reload of the sheet gives the same fragment.
    again = client.get(sheet_url(session), headers={"HX-Request": "true"}).content.decode()
    assert normalise(again) == normalise(section(full, '<section id="feuille"'))


def test_all_present_keeps_what_another_tablet_marked(client, cast, session, three, today):
    """The other tablet marked Bilal absent after this page was loaded: « Tous présents » only
    marks the learners still without a mark."""
    svc.attendance_mark(
        session=session, by=cast.manager_a, marks=[svc.Mark(three[1].pk, AttendanceStatus.ABSENT)]
    )
    client.force_login(cast.trainer_a)
    response = client.post(
        sheet_url(session, "cohorts:attendance_mark"), {"tous": "1"}, headers={"HX-Request": "true"}
    )
    assert "2 jeunes notés présent·es." in response.content.decode()
    statuses = dict(Attendance.objects.values_list("enrolment_id", "status"))
    assert statuses == {
        three[0].pk: AttendanceStatus.PRESENT,
        three[1].pk: AttendanceStatus.ABSENT,
        three[2].pk: AttendanceStatus.PRESENT,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": AttendanceStatus.LATE, "late_minutes": ""}, "indiquez le retard en minutes"),
        ({"status": AttendanceStatus.EXCUSED, "excuse_reason": " "}, "indiquez le motif"),
        ({"status": "bof"}, "Sélectionnez un choix valide"),
        ({"status": AttendanceStatus.PRESENT, "enrolment": "other"}, "pas sur la feuille"),
    ],
)
def test_a_bad_mark_is_explained_in_french_and_writes_nothing(
    client, cast, session, three, today, data, message
):
    other = EnrolmentFactory(cohort=CohortFactory(school=cast.school_a), learner=LearnerFactory())
    data = {"enrolment": three[0].pk, **data}
    if data["enrolment"] == "other":
        data["enrolment"] = other.pk
    client.force_login(cast.trainer_a)
    response = client.post(
        sheet_url(session, "cohorts:attendance_mark"), data, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in html and message in html
    assert not Attendance.objects.exists()


def test_a_refused_line_and_a_refused_lock_keep_what_was_entered(client, cast, session, three, today):
    client.force_login(cast.trainer_a)
    # « Retard » without its minutes: refused, the choice stays (and its minutes field shown).
    response = client.post(
        sheet_url(session, "cohorts:attendance_mark"),
        {"enrolment": three[1].pk, "status": AttendanceStatus.LATE, "late_minutes": ""},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Rien n'a été enregistré" in html
    assert "Présence d&#x27;Inès Arnaud" in html and "Présence de Bilal Benali" in html  # elided
    assert re.search(rf'value="retard" id="statut-{three[1].pk}-retard" autocomplete="off" checked', html)
    assert f'id="statut-{three[0].pk}-retard" autocomplete="off" checked' not in html
    assert re.search(
        rf'<div data-pour="retard">\s*<label class="form-label mb-1" for="retard-{three[1].pk}"', html
    )
    # An excused absence without its reason, typed minutes kept likewise.
    html = client.post(
        sheet_url(session, "cohorts:attendance_mark"),
        {"enrolment": three[2].pk, "status": AttendanceStatus.LATE, "late_minutes": "900"},
    ).content.decode()
    assert f'id="retard-{three[2].pk}" min="1" max="210" inputmode="numeric" value="900"' in html
    # The trainer's signature comes back on the pad when locking is refused (nobody has signed).
    strokes = [[[10.0, 10.0], [50.0, 40.0], [90.0, 20.0], [140.0, 60.0]]]
    html = client.post(
        sheet_url(session, "cohorts:sheet_lock"), {"strokes": json.dumps(strokes)}
    ).content.decode()
    assert "Présence à indiquer pour" in html
    assert "Signature de la formatrice ou du formateur" in html and "formateur·rice</h2>" not in html
    (kept,) = re.findall(r'name="strokes" value="([^"]+)"', html)
    assert json.loads(unescape(kept)) == strokes


def test_an_excused_absence_with_a_proof(client, cast, session, three, today):
    client.force_login(cast.trainer_a)
    proof = SimpleUploadedFile("certificat.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf")
    data = {
        "enrolment": three[2].pk,
        "status": AttendanceStatus.EXCUSED,
        "excuse_reason": "Rendez-vous médical",
        "proof": proof,
    }
    response = client.post(sheet_url(session, "cohorts:attendance_mark"), data)
    assert response.status_code == 302
    mark = Attendance.objects.get()
    assert mark.excuse_reason == "Rendez-vous médical" and mark.proof.name.endswith(".pdf")
    html = client.get(sheet_url(session)).content.decode()
    assert (
        'Absence justifiée</span> : Rendez-vous médical (<a href="'
        + reverse("cohorts:attendance_proof", args=[mark.pk])
        in html
    )


def test_a_learner_signs_on_the_tablet(client, cast, session, three, today):
    client.force_login(cast.trainer_a)
    url = sheet_url(session, "cohorts:attendance_sign")
    response = client.post(url, {"enrolment": three[0].pk, "strokes": STROKES}, follow=True)
    html = response.content.decode()
    assert "Signature d&#x27;Inès Arnaud enregistrée." in html
    signature = Attendance.objects.get(enrolment=three[0]).signature
    assert signature.method == SignatureMethod.TABLET and signature.user == cast.trainer_a
    # The stored SVG, built by the server, is shown on the sheet.
    assert signature.svg in html and "Signé à 12:00" in html
    # An empty pad, a forged drawing or a second signature: a French error, nothing written.
    for enrolment, strokes, message in (
        (three[1], "", "La signature est vide"),
        (three[1], json.dumps([[[1, 1], [1000, 1], [2, 2]]]), "La signature sort du cadre."),
        (three[0], STROKES, "a déjà signé"),
    ):
        response = client.post(url, {"enrolment": enrolment.pk, "strokes": strokes})
        assert message in text(response)
    assert Signature.objects.count() == 1


def test_the_code_is_shown_big_with_its_qr_code(client, cast, session, today):
    client.force_login(cast.trainer_a)
    html = text(client.post(sheet_url(session, "cohorts:signing_code_issue"), follow=True))
    session.refresh_from_db()
    code = session.signing_code
    assert f"{code[:3]} {code[3:]}" in html
    assert "Valable jusqu'à 12:10." in html
    assert f"http://testserver/emargement/?code={code}" in html
    assert '<svg width="' in section(html, '<div class="qr-code"')
    # The social worker reads the sheet, never the code.
    client.force_login(cast.social_worker_a)
    html = client.get(sheet_url(session)).content.decode()
    assert code not in html and "Lecture seule" in html and "Tous présents" not in html


def test_the_trainer_signs_last_the_sheet_locks_and_an_amendment_is_traced(
    client, cast, session, three, today
):
    client.force_login(cast.trainer_a)
    marks = [
        svc.Mark(three[0].pk, AttendanceStatus.PRESENT),
        svc.Mark(three[1].pk, AttendanceStatus.ABSENT),
        svc.Mark(three[2].pk, AttendanceStatus.PRESENT),
    ]
    svc.attendance_mark(session=session, by=cast.trainer_a, marks=marks)
    svc.attendance_sign(session=session, enrolment=three[0], strokes=json.loads(STROKES), by=cast.trainer_a)
    lock = sheet_url(session, "cohorts:sheet_lock")
    html = client.post(lock, {"strokes": STROKES}).content.decode()
    assert "Signature manquante pour : Chloé Caron" in html
    session.refresh_from_db()
    assert not session.is_locked
    svc.attendance_sign(session=session, enrolment=three[2], strokes=json.loads(STROKES), by=cast.trainer_a)
    html = client.post(lock, {"strokes": STROKES}, follow=True).content.decode()
    session.refresh_from_db()
    assert session.is_locked
    name = cast.trainer_a.get_full_name()
    assert f"Signée par {name} le 05/10/2026 à 12:00." in html
    assert "Tous présents" not in html and "Faire signer" not in html and "Modifier (avec motif)" in html

    amend = sheet_url(session, "cohorts:attendance_amend")
    data = {
        "enrolment": three[1].pk,
        "status": AttendanceStatus.EXCUSED,
        "excuse_reason": "Maladie",
        "reason": "",
    }
    html = client.post(amend, data).content.decode()
    assert "Le motif de la modification est obligatoire." in html
    assert not AttendanceAmendment.objects.exists()
    data["reason"] = "Certificat médical reçu le lendemain"
    html = client.post(amend, data, follow=True).content.decode()
    assert AttendanceAmendment.objects.count() == 1
    history = section(html, '<section id="historique"')
    assert "Bilal Benali" in history and name in history and "05/10/2026 à 12:00" in history
    assert "Absent·e" in history and "Absence justifiée — Maladie" in history
    assert "Certificat médical reçu le lendemain" in history
    # Marking a locked sheet directly is refused in French.
    html = client.post(sheet_url(session, "cohorts:attendance_mark"), {"tous": "1"}).content.decode()
    assert "seule une modification motivée" in html


def test_the_sheet_query_count_is_constant(
    client, cast, cohort, session, three, today, django_assert_num_queries
):
    svc.attendance_mark(
        session=session, by=cast.trainer_a, marks=[svc.Mark(e.pk, AttendanceStatus.PRESENT) for e in three]
    )
    for enrolment in three:
        svc.attendance_sign(
            session=session, enrolment=enrolment, strokes=json.loads(STROKES), by=cast.trainer_a
        )
    client.force_login(cast.trainer_a)
    # session, user, memberships, half-day, learners on the sheet, marks with their signatures
    with django_assert_num_queries(6):
        client.get(sheet_url(session))
    for _ in range(5):
        enrolment = EnrolmentFactory(cohort=cohort, learner=LearnerFactory())
        svc.attendance_mark(
            session=session, by=cast.trainer_a, marks=[svc.Mark(enrolment.pk, AttendanceStatus.PRESENT)]
        )
        svc.attendance_sign(
            session=session, enrolment=enrolment, strokes=json.loads(STROKES), by=cast.trainer_a
        )
    with django_assert_num_queries(6):
        response = client.get(sheet_url(session))
    assert response.content.decode().count("Signé à") == 8


# --- the learner's phone -------------------------------------------------------------------------


def issue_code(session, cast):
    return svc.signing_code_issue(session=session, by=cast.trainer_a).signing_code


def test_a_learner_signs_on_their_phone_with_the_code(client, cast, session, three, today):
    code = issue_code(session, cast)
    client.force_login(cast.learner_a)
    url = reverse("cohorts:sign_with_code")
    html = client.get(f"{url}?code={code}").content.decode()
    assert f'value="{code}"' in html and "Lundi 05/10/2026, matin" in html
    assert "Bilal" not in html, "the phone page names nobody else"
    response = client.post(url, {"code": code, "strokes": STROKES}, follow=True)
    html = response.content.decode()
    assert "Merci, votre signature est enregistrée." in html and "Vous avez signé à 12:00." in html
    signature = Attendance.objects.get(enrolment=three[0]).signature
    assert signature.method == SignatureMethod.PHONE and signature.user == cast.learner_a


@pytest.mark.parametrize("spacing", ["{} {}", "{}\u00a0{}", " {}  {} ", "{}\u202f{}"])
def test_the_code_is_accepted_as_the_tablet_shows_it(client, cast, session, three, today, spacing):
    code = issue_code(session, cast)
    client.force_login(cast.learner_a)
    typed = spacing.format(code[:3], code[3:])  # « 324 119 », as on the trainer's screen
    response = client.post(
        reverse("cohorts:sign_with_code"), {"code": typed, "strokes": STROKES}, follow=True
    )
    assert "Merci, votre signature est enregistrée." in response.content.decode()
    assert Attendance.objects.get(enrolment=three[0]).signature.method == SignatureMethod.PHONE


def test_the_service_accepts_the_code_with_spaces(cast, session, three, today):
    code = issue_code(session, cast)
    svc.attendance_sign(
        session=session,
        enrolment=three[0],
        strokes=json.loads(STROKES),
        by=cast.learner_a,
        method=SignatureMethod.PHONE,
        code=f"{code[:3]} {code[3:]}",
    )
    assert Attendance.objects.get(enrolment=three[0]).signature_id


@pytest.mark.parametrize("case", ["forged", "expired", "no_code_yet", "empty_pad"])
def test_a_bad_code_or_an_empty_pad_signs_nothing(client, cast, session, three, today, case):
    code = "123456" if case == "no_code_yet" else issue_code(session, cast)
    if case == "forged":
        code = f"{(int(code) + 1) % 10**6:06d}"
    client.force_login(cast.learner_a)
    data = {"code": code, "strokes": "" if case == "empty_pad" else STROKES}
    moment = dt.datetime(2026, 10, 5, 10, 11 if case == "expired" else 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        html = client.post(reverse("cohorts:sign_with_code"), data).content.decode().replace("&#x27;", "'")
    expected = {
        "forged": "Ce code n'est pas le bon",
        "no_code_yet": "Ce code n'est pas le bon",
        "expired": "Ce code a expiré",
        "empty_pad": "La signature est vide",
    }[case]
    assert expected in html and "rien n'a été enregistré" in html
    assert not Attendance.objects.exists() and not Signature.objects.exists()


def test_the_code_survives_the_login(client, cast, session, today):
    response = client.get(reverse("cohorts:sign_with_code") + "?code=123456")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/login/?next=/emargement/%3Fcode%3D123456"


def test_no_half_day_today_nothing_to_sign(client, cast, three):
    client.force_login(cast.learner_a)
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        html = client.get(reverse("cohorts:sign_with_code")).content.decode()
    assert "rien à signer" in html and "<canvas" not in html


# --- today and hours -----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 3])
def test_today_lists_the_half_days_of_the_school(
    client, cast, session, today, extra, django_assert_num_queries
):
    svc.session_create(cohort=session.cohort, by=cast.trainer_a, date=MONDAY, period=Period.AFTERNOON)
    for _ in range(extra):
        other = CohortFactory(
            school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 12, 18)
        )
        svc.session_create(cohort=other, by=cast.trainer_a, date=MONDAY, period=Period.MORNING)
    b = CohortFactory(school=cast.school_b, name="Promotion Roubaix")
    svc.session_create(cohort=b, by=cast.trainer_b, date=MONDAY, period=Period.MORNING)
    svc.session_create(
        cohort=session.cohort, by=cast.trainer_a, date=MONDAY + dt.timedelta(days=1), period="matin"
    )
    client.force_login(cast.trainer_a)
    # session, user, memberships, today's half-days
    with django_assert_num_queries(4):
        html = client.get(reverse("cohorts:sessions_today")).content.decode()
    assert html.count('class="btn btn-outline-primary btn-lg w-100 text-start today-link"') == 2 + extra
    assert "Promotion Roubaix" not in html and sheet_url(session) in html
    assert 'href="/demi-journees/aujourdhui/">Émargement</a>' in html


def test_the_cohort_page_shows_hours_from_signed_sheets(client, cast, cohort, session, three, today):
    svc.attendance_mark(
        session=session,
        by=cast.trainer_a,
        marks=[
            svc.Mark(three[0].pk, AttendanceStatus.LATE, 45),
            svc.Mark(three[1].pk, AttendanceStatus.ABSENT),
            svc.Mark(three[2].pk, AttendanceStatus.PRESENT),
        ],
    )
    for enrolment in (three[0], three[2]):
        svc.attendance_sign(
            session=session, enrolment=enrolment, strokes=json.loads(STROKES), by=cast.trainer_a
        )
    svc.sheet_lock(session=session, by=cast.trainer_a, strokes=json.loads(STROKES))
    client.force_login(cast.trainer_a)
    hours = section(
        client.get(cohort.get_absolute_url()).content.decode(), '<section aria-labelledby="titre-heures"'
    )
    assert re.search(
        r"Inès Arnaud</th>\s*<td[^>]*>2 h 45</td>\s*<td[^>]*>3 h 30</td>\s*<td[^>]*>45 min</td>", hours
    )
    assert re.search(r"Bilal Benali</th>\s*<td[^>]*>0 h</td>\s*<td[^>]*>3 h 30</td>", hours)
    # The learner sees their own hours only.
    client.force_login(cast.learner_a)
    hours = section(
        client.get(cohort.get_absolute_url()).content.decode(), '<section aria-labelledby="titre-heures"'
    )
    assert "Inès Arnaud" in hours and "Bilal Benali" not in hours
