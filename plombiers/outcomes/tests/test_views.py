import datetime as dt

import pytest
from django.urls import reverse

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory
from plombiers.internships.enums import InternshipStatus
from plombiers.internships.tests.factories import InternshipFactory
from plombiers.outcomes import services
from plombiers.outcomes.enums import ExitType, FollowUpStatus
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.privacy.models import AuditEvent

from .conftest import END, ended


def record(enrolment, by, **fields):
    fields.setdefault("exit_type", ExitType.CDI)
    return services.exit_record(enrolment, by=by, **fields)


# --- the exit form -------------------------------------------------------------------------


def test_the_social_worker_records_an_exit_on_the_page(client, cast, world):
    InternshipFactory(
        enrolment=world.enrolment, site=world.site, tutor=world.tutor, status=InternshipStatus.FINISHED
    )
    client.force_login(cast.social_worker_a)
    url = reverse("outcomes:exit_create", args=[world.enrolment.pk])
    page = client.get(url).content.decode()
    assert "Sortie d&#x27;Inès Arnaud" in page
    assert 'value="2026-12-18"' in page  # the end of the enrolment
    assert "Fibre A" in page  # a partner company to choose
    assert "Datacenter B" not in page  # not a partner of this school
    response = client.post(
        url,
        {
            "exit_type": "cdi",
            "exit_date": "2026-12-18",
            "employer": cast.company_a.pk,
            "rome_code": "i1307",
            "weekly_hours": "35",
        },
    )
    exit = Exit.objects.get()
    assert response.status_code == 302 and response.url == exit.get_absolute_url()
    assert exit.hired_by_internship_host  # computed from the internship
    assert exit.rome_code == "I1307"
    page = client.get(exit.get_absolute_url()).content.decode()
    assert "Emploi durable" in page and "Oui, embauche par une entreprise de stage" in page
    assert "Suivi à 1 mois" in page and "échéance le 18/01/2027" in page
    assert "Lien du suivi à 1 mois" in page  # the link to send: the 1-month follow-up is open


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"exit_type": "recherche_emploi", "employer": "A"}, "Un employeur ne s'indique que pour un emploi"),
        ({"exit_type": "cdi", "rome_code": "X12"}, "Un code ROME s'écrit d'une lettre et quatre chiffres"),
        ({"exit_type": "cdi", "weekly_hours": "80"}, "Indiquez entre 1 et 60 heures par semaine."),
        ({"exit_type": "", "weekly_hours": "35"}, "Choisissez la situation à la sortie."),
        (
            {"exit_type": "cdi", "exit_date": "2027-03-01"},
            "La date de sortie ne peut pas être dans le futur.",
        ),
    ],
)
def test_bad_input_is_a_french_form_error_and_nothing_is_written(client, cast, world, data, message):
    client.force_login(cast.manager_a)
    data = {"exit_date": "2026-12-18", **data}
    if data.get("employer") == "A":
        data["employer"] = cast.company_a.pk
    response = client.post(reverse("outcomes:exit_create", args=[world.enrolment.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message.replace("'", "&#x27;") in page
    assert "rien n'a été enregistré" in page
    assert not Exit.objects.exists() and not FollowUp.objects.exists()


def test_an_active_enrolment_has_no_exit_form(client, cast):
    enrolment = ended(cast.school_a, status=EnrolmentStatus.ACTIVE)
    client.force_login(cast.social_worker_a)
    response = client.get(reverse("outcomes:exit_create", args=[enrolment.pk]), follow=True)
    assert "Ce parcours n&#x27;est pas terminé" in response.content.decode()
    assert not Exit.objects.exists()


def test_a_second_exit_leads_to_the_first(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    client.force_login(cast.social_worker_a)
    response = client.post(
        reverse("outcomes:exit_create", args=[world.enrolment.pk]), {"exit_type": "inactif"}
    )
    assert response.url == exit.get_absolute_url()
    assert Exit.objects.get().exit_type == "cdi"


def test_a_correction_on_the_page(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a, exit_type=ExitType.JOB_SEEKING)
    client.force_login(cast.manager_a)
    url = reverse("outcomes:exit_edit", args=[exit.pk])
    data = {"exit_type": "cdd_moins_6_mois", "exit_date": "2026-12-18", "employer": cast.company_a.pk}
    response = client.post(url, data)
    assert "Indiquez le motif de la correction." in response.content.decode()
    response = client.post(
        url, {**data, "reason": "Contrat signé le dernier jour.", "hired_by_internship_host": "non"}
    )
    assert response.status_code == 302
    exit.refresh_from_db()
    assert (exit.exit_type, exit.employer, exit.employer_name) == (
        "cdd_moins_6_mois",
        cast.company_a,
        "Fibre A",
    )
    assert AuditEvent.objects.get(action="exit.update").details["reason"] == "Contrat signé le dernier jour."


# --- follow-ups on the pages --------------------------------------------------------------------


def test_the_to_do_list_and_its_form(client, cast, world, today):
    exit = record(world.enrolment, cast.social_worker_a)
    client.force_login(cast.social_worker_a)
    page = client.get(reverse("outcomes:follow_up_list")).content.decode()
    assert "Inès Arnaud</a> — suivi à 1 mois" in page
    assert "suivi à 3 mois" not in page  # due in March
    assert "<strong>En retard</strong>" in page
    one = exit.follow_ups.get(horizon=1)
    response = client.post(
        reverse("outcomes:follow_up_record", args=[one.pk]),
        {
            f"suivi-{one.pk}-situation_type": "cdi",
            f"suivi-{one.pk}-employer_name": "Fibre A",
            "next": "suivis",
        },
    )
    assert response.status_code == 302 and response.url == reverse("outcomes:follow_up_list")
    one.refresh_from_db()
    assert (one.status, one.source, one.answered_by) == (
        FollowUpStatus.DONE,
        "accompagnement",
        cast.social_worker_a,
    )
    assert (
        "Aucun suivi à faire ce mois-ci." in client.get(reverse("outcomes:follow_up_list")).content.decode()
    )


def test_the_prescriber_reports_from_the_exit_page(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    client.force_login(cast.prescriber)
    page = client.get(exit.get_absolute_url()).content.decode()
    assert "Signaler sa situation" in page
    assert "Corriger la sortie" not in page and "Lien du suivi" not in page
    one = exit.follow_ups.get(horizon=1)
    response = client.post(
        reverse("outcomes:follow_up_record", args=[one.pk]),
        {f"suivi-{one.pk}-situation_type": "sans_nouvelles"},
    )
    assert response.status_code == 400  # « sans nouvelles » is not the prescriber's to say
    response = client.post(
        reverse("outcomes:follow_up_record", args=[one.pk]),
        {f"suivi-{one.pk}-situation_type": "formation_qualifiante", f"suivi-{one.pk}-employer_name": "AFPA"},
    )
    assert response.status_code == 302
    one.refresh_from_db()
    assert (one.source, one.category) == ("prescripteur", "sortie_positive")


def test_the_cohort_and_progress_pages_show_the_exit(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a, employer=cast.company_a)
    other = ended(cast.school_a, cohort=world.enrolment.cohort)
    client.force_login(cast.social_worker_a)
    page = client.get(reverse("cohorts:cohort_detail", args=[world.enrolment.cohort_id])).content.decode()
    assert f'<a href="{exit.get_absolute_url()}">CDI</a>' in page
    assert "Emploi durable</span>" in page
    assert reverse("outcomes:exit_create", args=[other.pk]) in page
    # The button is outcomes' own rule (`can_record`), asked by its fragment: a trainer reads the
    # cohort but records no exit.
    client.force_login(cast.trainer_a)
    page = client.get(reverse("cohorts:cohort_detail", args=[world.enrolment.cohort_id])).content.decode()
    assert reverse("outcomes:exit_create", args=[other.pk]) not in page
    assert "Sortie à renseigner" in page
    client.force_login(cast.learner_a)
    page = client.get(reverse("skills:enrolment_progress", args=[world.enrolment.pk])).content.decode()
    assert f'<a href="{exit.get_absolute_url()}">CDI</a>' in page


def test_the_learner_sees_their_follow_up_on_the_home_page(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    client.force_login(cast.learner_a)
    assert reverse("outcomes:my_follow_up") in client.get("/").content.decode()
    page = client.get(reverse("outcomes:my_follow_up")).content.decode()
    assert "Répondre au suivi à 1 mois" in page
    assert services.follow_up_link(exit.follow_ups.get(horizon=1)) in page
    services.follow_up_record(exit.follow_ups.get(horizon=1), by=None, source="jeune", situation_type="cdi")
    fragment = client.get(reverse("outcomes:my_follow_up"), headers={"HX-Request": "true"})
    assert fragment.content.decode().strip() == ""


def test_my_follow_up_opened_directly_is_a_page_not_a_blank(client, cast, world):
    client.force_login(cast.learner_a)
    page = client.get(reverse("outcomes:my_follow_up")).content.decode()
    assert "<h1" in page
    assert "Rien à remplir pour l'instant." in page


# --- the young person's link ------------------------------------------------------------------


def test_the_link_takes_one_answer(client, cast, world):
    exit = record(world.enrolment, cast.social_worker_a)
    one = exit.follow_ups.get(horizon=1)
    url = services.follow_up_link(one)
    page = client.get(url).content.decode()
    assert "Bonjour Inès, que deviens-tu ?" in page
    assert "Arnaud" not in page
    assert "jusqu'au 17/02/2027" in page
    response = client.post(url, {"employer_name": "Fibre A"})
    assert response.status_code == 400
    assert "Choisis ce qui te correspond le mieux." in response.content.decode()
    response = client.post(url, {"situation_type": "cdi", "employer_name": "Fibre A", "comment": "Merci !"})
    assert response.status_code == 302
    one.refresh_from_db()
    assert (one.status, one.source, one.situation_type, one.comment) == (
        "renseigne",
        "jeune",
        "cdi",
        "Merci !",
    )
    response = client.post(url, {"situation_type": "recherche_emploi"})
    assert "Tu as déjà répondu à ce suivi" in response.content.decode()
    one.refresh_from_db()
    assert one.situation_type == "cdi"


def test_an_expired_link_and_a_tampered_one(client, cast, world, today):
    exit = record(world.enrolment, cast.social_worker_a)
    one = exit.follow_ups.get(horizon=1)
    FollowUp.objects.filter(pk=one.pk).update(due_on=today - dt.timedelta(days=31))
    url = services.follow_up_link(one)
    response = client.post(url, {"situation_type": "cdi"})
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.content.decode()
    one.refresh_from_db()
    assert one.status == FollowUpStatus.DUE
    token = services.follow_up_token(one)
    assert client.get(reverse("outcomes:answer", args=[token[:-2] + "xx"])).status_code == 404
    three = exit.follow_ups.get(horizon=3)
    assert "C'est un peu tôt" in client.get(services.follow_up_link(three)).content.decode()


# --- pinned query counts ----------------------------------------------------------------------


def _exits(cast, count):
    cohort = CohortFactory(school=cast.school_a, start_date=dt.date(2026, 9, 7), end_date=END)
    for _ in range(count):
        record(ended(cast.school_a, cohort=cohort), cast.social_worker_a)
        ended(cast.school_a, cohort=cohort, status=EnrolmentStatus.DROPPED_OUT)


@pytest.mark.parametrize("rows", [1, 6])
def test_the_exit_list_query_count_is_pinned(client, cast, django_assert_num_queries, rows):
    _exits(cast, rows)
    client.force_login(cast.social_worker_a)
    client.get(reverse("outcomes:exit_list"))
    # session, user, memberships; the user's schools (is there only one?); to record: the first
    # 10, their count; exits: count, page; the filter's options: schools, the school's cohorts.
    with django_assert_num_queries(10):
        response = client.get(reverse("outcomes:exit_list") + "?category=emploi_durable")
    assert len(response.context["page"].object_list) == rows
    assert len(response.context["pending"]) == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_the_follow_up_list_query_count_is_pinned(client, cast, django_assert_num_queries, rows):
    _exits(cast, rows)
    client.force_login(cast.social_worker_a)
    client.get(reverse("outcomes:follow_up_list"))
    # session, user, memberships; the user's schools (is there only one?); count, page; the
    # filter's options: schools, the school's cohorts.
    with django_assert_num_queries(8):
        response = client.get(reverse("outcomes:follow_up_list"))
    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_the_exit_page_query_count_is_pinned(client, cast, world, django_assert_num_queries, rows):
    exit = record(world.enrolment, cast.social_worker_a)
    for follow_up in exit.follow_ups.all()[:1]:
        services.follow_up_record(
            follow_up, by=cast.social_worker_a, source="accompagnement", situation_type="cdi"
        )
    _exits(cast, rows)
    client.force_login(cast.social_worker_a)
    client.get(exit.get_absolute_url())
    # session, user, memberships; the exit with its enrolment, school and employer; its follow-ups.
    with django_assert_num_queries(5):
        client.get(exit.get_absolute_url())
