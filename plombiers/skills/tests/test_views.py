import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.tests.factories import CohortFactory, EnrolmentFactory
from plombiers.lib.evidence import MAX_SIZE
from plombiers.referrals.tests.factories import LearnerFactory, referred_by
from plombiers.skills import services
from plombiers.skills.enums import Level
from plombiers.skills.models import Evidence, Observation
from plombiers.skills.tests.images import JPEG

PDF = b"%PDF-1.4\n" + b"0" * 64
SOR = b"Map\x00\x00\x00" + b"\x00" * 64
HTMX = {"HX-Request": "true"}


def _matrix(cohort):
    return reverse("skills:cohort_matrix", args=[cohort.pk])


def _observe(cohort):
    return reverse("skills:observation_create", args=[cohort.pk])


def _cell(html: str, enrolment, skill) -> str:
    match = re.search(rf'<div id="cellule-{enrolment.pk}-{skill.pk}"[^>]*>.*?</div>', html, re.S)
    assert match, "the cell is on the page"
    return match.group(0)


def _media_files(settings):
    media = settings.MEDIA_ROOT
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- the matrix -------------------------------------------------------------------------------------


def test_matrix_shows_levels_with_text_and_icon_grouped_by_block(client, cast, training):
    cohort, (first, second, _third) = training
    splice = cohort.framework.skills.get(code="FO-RAC-02")
    services.observation_record(enrolment=first, skill=splice, level=Level.IN_PROGRESS, by=cast.trainer_a)
    services.observation_record(enrolment=first, skill=splice, level=Level.ACQUIRED, by=cast.trainer_a)
    client.force_login(cast.trainer_a)
    response = client.get(_matrix(cohort))
    assert response.status_code == 200
    html = response.content.decode()
    cell = _cell(html, first, splice)
    assert "●" in cell and "Acquis" in cell and "En cours" not in cell, "the latest observation wins"
    assert "Pas encore observé" in _cell(html, second, splice)
    for block in cohort.framework.blocks.all():
        assert escape(block.title) in html
    assert "(geste de sécurité)" in html
    assert 'class="cell-button"' in html and "Exercice de groupe" in html
    assert f'<span id="acquis-{first.pk}">1</span> acquis sur' in html


class _MatrixParser(HTMLParser):
    """The matrix table's header cells (id, scope, headers, text) and data cells, row by row."""

    def __init__(self):
        super().__init__()
        self.rows, self.in_table, self.current = [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "matrix" in (attrs.get("class") or ""):
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("th", "td"):
            self.current = {"tag": tag, "text": "", **attrs}
            self.rows[-1].append(self.current)

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        elif tag in ("th", "td"):
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data


def test_every_matrix_cell_names_its_learner_block_and_skill_headers(client, cast, training):
    """WCAG H43: two levels of column headers, so each data cell lists the ids of its row header,
    its block header and its skill header."""
    cohort, enrolments = training
    client.force_login(cast.trainer_a)
    parser = _MatrixParser()
    parser.feed(client.get(_matrix(cohort)).content.decode())
    blocks_row, skills_row, *body = parser.rows
    by_id = {c["id"]: c for row in parser.rows for c in row if c["tag"] == "th" and c.get("id")}
    # The columns: each skill's block, from the colspans of the first header row.
    block_of_column = []
    for th in blocks_row[1:]:
        assert th["scope"] == "colgroup"
        block_of_column += [th["id"]] * int(th["colspan"])
    assert len(block_of_column) == len(skills_row) == cohort.framework.skills.count()
    for column, th in enumerate(skills_row):
        assert th["scope"] == "col" and th["headers"] == block_of_column[column]
    assert len(body) == len(enrolments)
    for row in body:
        row_header, *cells = row
        assert row_header["scope"] == "row" and row_header["id"] in by_id
        assert len(cells) == len(skills_row)
        for column, td in enumerate(cells):
            assert td["tag"] == "td"
            assert td["headers"].split() == [
                row_header["id"],
                block_of_column[column],
                skills_row[column]["id"],
            ]
    assert all(by_id[i]["text"].strip() for i in block_of_column)


def test_social_worker_reads_the_matrix_without_buttons(client, cast, training):
    cohort, _ = training
    client.force_login(cast.social_worker_a)
    html = client.get(_matrix(cohort)).content.decode()
    assert "Consultation seule" in html
    assert "cell-button" not in html and "Exercice de groupe" not in html


def test_matrix_cells_escape_the_names_they_carry(client, cast, training):
    """The cells are written in Python (issue 23: a template per cell was most of the page's time):
    a name is text there as everywhere else, never markup."""
    cohort, (first, *_) = training
    first.learner.last_name = '<b onmouseover="x">Dupont & fils</b>'
    first.learner.save(update_fields=["last_name"])
    skill = cohort.framework.skills.get(code="FO-RAC-02")
    client.force_login(cast.trainer_a)
    html = client.get(_matrix(cohort)).content.decode()
    assert "<b onmouseover" not in html
    cell = _cell(html, first, skill)
    assert f"observer {escape(str(first.learner))}, FO-RAC-02</span>" in cell
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Dupont &amp; fils&lt;/b&gt;" in cell


def test_a_cohort_without_framework_says_so(client, cast):
    cohort = CohortFactory(school=cast.school_a)
    client.force_login(cast.trainer_a)
    response = client.get(_matrix(cohort))
    assert "n'est rattachée à aucun référentiel" in response.content.decode()
    assert client.get(_observe(cohort)).status_code == 404


def test_dropped_out_learners_leave_the_matrix(client, cast, training):
    cohort, (first, *_) = training
    first.status, first.drop_out_reason, first.end_date = "abandon", "sante", first.entry_date
    first.save()
    client.force_login(cast.trainer_a)
    response = client.get(_matrix(cohort))
    assert len(response.context["rows"]) == 2
    skill = cohort.framework.skills.first()
    assert client.get(_observe(cohort), {"enrolment": first.pk, "skill": skill.pk}).status_code == 404


@pytest.mark.parametrize(("learners", "history"), [(2, 1), (12, 3)])
def test_matrix_query_count_is_constant(
    client, cast, frameworks, django_assert_num_queries, learners, history
):
    cohort = CohortFactory(school=cast.school_a, framework=frameworks["fibre-optique"], capacity=12)
    skills = list(cohort.framework.skills.all())
    enrolments = [EnrolmentFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(learners)]
    levels = list(Level)
    Observation.objects.bulk_create(
        Observation(
            enrolment=enrolment,
            skill=skill,
            level=levels[(i + round_) % 4],
            observed_on=enrolment.entry_date + dt.timedelta(days=round_),
        )
        for enrolment in enrolments
        for i, skill in enumerate(skills if learners > 2 else skills[:2])
        for round_ in range(history)
    )
    client.force_login(cast.trainer_a)
    # session, user, memberships, the cohort (school, framework), skills with blocks,
    # learners of the cohort, current levels (one query over the whole history)
    with django_assert_num_queries(7):
        response = client.get(_matrix(cohort))
    assert response.status_code == 200
    assert len(response.context["rows"]) == learners
    assert len(response.context["skills"]) == len(skills) >= 18


# --- the quick form ---------------------------------------------------------------------------------


def test_quick_form_fragment_has_large_level_buttons_and_camera_input(client, cast, training):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.get(code="FO-RAC-02")
    client.force_login(cast.trainer_a)
    response = client.get(_observe(cohort), {"enrolment": first.pk, "skill": skill.pk}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html, "htmx gets the fragment"
    assert html.count('type="radio" name="level"') == 4
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'accept=".pdf,.sor,application/pdf"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html, "today by default"
    assert escape(skill.criteria[0]) in html
    # Without JavaScript the same URL is a whole page, reached from the cell's button too.
    page = client.get(_observe(cohort), {"cellule": f"{first.pk}-{skill.pk}"})
    assert "<html" in page.content.decode() and "Retour à la grille" in page.content.decode()


def test_htmx_post_swaps_the_cell_as_a_reload_shows_it(client, cast, training):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.get(code="FO-RAC-02")
    client.force_login(cast.trainer_a)
    data = {
        "enrolment": first.pk,
        "skill": skill.pk,
        "level": Level.ACQUIRED,
        "observed_on": timezone.localdate().isoformat(),
        "context": "plateau",
        "comment": "Soudure propre",
    }
    response = client.post(_observe(cohort), data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html and "Observation enregistrée" in html
    swapped = _cell(html, first, skill).replace(' hx-swap-oob="true"', "")
    assert "Acquis" in swapped
    reloaded = client.get(_matrix(cohort)).content.decode()
    assert _cell(reloaded, first, skill) == swapped, "the swap gives what a reload shows"
    assert f'<span id="acquis-{first.pk}" hx-swap-oob="true">1</span>' in html
    assert f'<span id="acquis-{first.pk}">1</span> acquis sur' in reloaded
    observation = Observation.objects.get()
    assert (observation.level, observation.comment, observation.observer) == (
        Level.ACQUIRED,
        "Soudure propre",
        cast.trainer_a,
    )


def test_post_without_javascript_redirects_to_the_matrix(client, cast, training):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.first()
    client.force_login(cast.trainer_a)
    response = client.post(
        _observe(cohort),
        {
            "enrolment": first.pk,
            "skill": skill.pk,
            "level": Level.IN_PROGRESS,
            "observed_on": timezone.localdate().isoformat(),
            "context": "plateau",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_matrix(cohort)}#cellule-{first.pk}-{skill.pk}"
    assert Observation.objects.get().level == Level.IN_PROGRESS


def test_errors_come_back_in_french_and_nothing_is_written(client, cast, training):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.first()
    client.force_login(cast.trainer_a)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        _observe(cohort),
        {"enrolment": first.pk, "skill": skill.pk, "observed_on": future, "context": "plateau"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Choisissez le niveau observé." in html and "rien n'a été enregistré" in html
    response = client.post(
        _observe(cohort),
        {
            "enrolment": first.pk,
            "skill": skill.pk,
            "level": "acquis",
            "observed_on": future,
            "context": "plateau",
        },
        headers=HTMX,
    )
    assert "ne peut pas être dans le futur" in response.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        ("document", SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/pdf"), "n'est pas accepté"),
        (
            "photo",
            SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>", "image/jpeg"),
            "ne contient pas un vrai",
        ),
        ("document", SimpleUploadedFile("trace.pdf", JPEG, "application/pdf"), "ne contient pas un vrai"),
        (
            "photo",
            SimpleUploadedFile("grosse.jpg", JPEG + b"\x00" * MAX_SIZE, "image/jpeg"),
            "trop volumineux",
        ),
    ],
)
def test_bad_uploads_through_the_page_store_nothing(client, cast, training, settings, field, upload, message):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.first()
    client.force_login(cast.trainer_a)
    data = {
        "enrolment": first.pk,
        "skill": skill.pk,
        "level": "acquis",
        "observed_on": timezone.localdate().isoformat(),
        "context": "plateau",
        field: upload,
    }
    if field == "document":
        data["photo"] = SimpleUploadedFile("bonne.jpg", JPEG, "image/jpeg")
    response = client.post(_observe(cohort), data, headers=HTMX)
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert not Observation.objects.exists() and not Evidence.objects.exists()
    assert not _media_files(settings)


def test_a_photo_and_a_trace_are_stored_with_the_observation(client, cast, training, settings):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.get(code="FO-MES-02")
    client.force_login(cast.trainer_a)
    response = client.post(
        _observe(cohort),
        {
            "enrolment": first.pk,
            "skill": skill.pk,
            "level": "acquis",
            "observed_on": timezone.localdate().isoformat(),
            "context": "plateau",
            "photo": SimpleUploadedFile("soudure.jpg", JPEG, "image/jpeg"),
            "document": SimpleUploadedFile("mesure.sor", SOR, "application/octet-stream"),
        },
        headers=HTMX,
    )
    assert "Observation enregistrée" in response.content.decode()
    assert sorted(Evidence.objects.values_list("kind", flat=True)) == ["jpeg", "sor"]
    assert len(_media_files(settings)) == 2


# --- group exercise ---------------------------------------------------------------------------------


def test_group_exercise_records_for_the_ticked_learners(client, cast, training):
    cohort, enrolments = training
    skill = cohort.framework.skills.get(code="FO-RAC-01")
    client.force_login(cast.trainer_a)
    url = reverse("skills:observation_group", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert page.count('name="enrolments"') == 3 and page.count("checked") == 3, "all ticked by default"
    response = client.post(
        url,
        {
            "skill": skill.pk,
            "level": "en_cours",
            "enrolments": [e.pk for e in enrolments[:2]],
            "observed_on": timezone.localdate().isoformat(),
            "context": "plateau",
            "comment": "Atelier clivage",
        },
        follow=True,
    )
    assert "Exercice enregistré pour 2 jeunes" in response.content.decode()
    assert set(Observation.objects.values_list("enrolment", flat=True)) == {e.pk for e in enrolments[:2]}


def test_group_exercise_errors_are_french_and_all_or_nothing(client, cast, training):
    cohort, enrolments = training
    client.force_login(cast.trainer_a)
    url = reverse("skills:observation_group", args=[cohort.pk])
    response = client.post(url, {"observed_on": timezone.localdate().isoformat(), "context": "plateau"})
    html = response.content.decode()
    assert "Choisissez la compétence." in html and "Choisissez au moins un ou une jeune." in html
    other = CohortFactory(school=cast.school_a, framework=cohort.framework)
    stranger = EnrolmentFactory(cohort=other, learner=LearnerFactory())
    response = client.post(
        url,
        {
            "skill": cohort.framework.skills.first().pk,
            "level": "acquis",
            "enrolments": [enrolments[0].pk, stranger.pk],
            "observed_on": timezone.localdate().isoformat(),
            "context": "plateau",
        },
    )
    assert escape("n'est pas dans la promotion") in response.content.decode()
    assert not Observation.objects.exists()


# --- progress ---------------------------------------------------------------------------------------


@pytest.fixture
def history(cast, training):
    cohort, (first, *_) = training
    first.learner.user = cast.learner_a
    first.learner.save()
    referred_by(cast.prescriber, first.learner, cast.school_a)
    sec = cohort.framework.skills.get(code="FO-SEC-01")
    services.observation_record(
        enrolment=first, skill=sec, level=Level.NOT_OBSERVED, by=cast.trainer_a, is_positioning=True
    )
    services.observation_record(
        enrolment=first,
        skill=sec,
        level=Level.ACQUIRED,
        by=cast.trainer_a,
        comment="Balisage impeccable",
        files=[SimpleUploadedFile("chantier.jpg", JPEG, "image/jpeg"), SimpleUploadedFile("pv.pdf", PDF)],
    )
    return first


def test_progress_page_shows_blocks_positioning_and_timeline(client, cast, history):
    client.force_login(cast.trainer_a)
    response = client.get(reverse("skills:enrolment_progress", args=[history.pk]))
    html = response.content.decode()
    assert "<strong>1</strong> compétence acquise sur" in html
    assert 'role="progressbar"' in html and 'aria-valuenow="1"' in html and "1 acquis sur" in html
    assert "Progrès depuis le positionnement" in html and "Non observé" in html and "Non obs." not in html
    assert "Balisage impeccable" in html
    image, pdf = Evidence.objects.order_by("pk")
    assert f'<img src="{image.get_absolute_url()}"' in html
    assert f'href="{pdf.get_absolute_url()}"' in html and "Document PDF" in html


def test_prescriber_reads_the_summary_only(client, cast, history):
    client.force_login(cast.prescriber)
    response = client.get(reverse("skills:enrolment_progress", args=[history.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Vue résumée" in html and "1 acquis sur" in html
    assert "Balisage impeccable" not in html and "/preuves/" not in html and "Historique" not in html


def test_the_learner_reads_their_own_progress(client, cast, history):
    client.force_login(cast.learner_a)
    html = client.get(reverse("skills:enrolment_progress", args=[history.pk])).content.decode()
    assert "Balisage impeccable" in html


@pytest.mark.parametrize("rounds", [1, 6])
def test_progress_query_count_is_constant(client, cast, history, django_assert_num_queries, rounds):
    skills = list(history.cohort.framework.skills.all())
    for skill in skills[: rounds * 3]:
        for _ in range(rounds):
            services.observation_record(
                enrolment=history, skill=skill, level=Level.IN_PROGRESS, by=cast.trainer_a
            )
    client.force_login(cast.trainer_a)
    # session, user, memberships, the enrolment (learner, cohort, school, framework), skills with
    # blocks, current levels, positioning levels, timeline count, timeline page (skills), evidence
    with django_assert_num_queries(10):
        response = client.get(reverse("skills:enrolment_progress", args=[history.pk]))
    assert response.status_code == 200


# --- evidence ---------------------------------------------------------------------------------------


def test_evidence_is_streamed_inline_or_as_attachment(client, cast, history):
    services.observation_record(
        enrolment=history,
        skill=history.cohort.framework.skills.get(code="FO-MES-02"),
        level=Level.ACQUIRED,
        by=cast.trainer_a,
        files=[SimpleUploadedFile("mesure.sor", SOR)],
    )
    image, pdf, sor = Evidence.objects.order_by("pk")
    client.force_login(cast.trainer_a)
    response = client.get(image.get_absolute_url())
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Reading the stream to its end closes the file (the test client's wrapper).
    assert b"".join(response.streaming_content) == JPEG
    assert image.file.name not in str(response.headers)
    response = client.get(pdf.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    response = client.get(sor.get_absolute_url())
    disposition = response["Content-Disposition"]
    assert b"".join(response.streaming_content) == SOR
    assert disposition.startswith("attachment") and 'filename="mesure.sor"' in disposition
    client.force_login(cast.prescriber)
    assert client.get(image.get_absolute_url()).status_code == 404


# --- frameworks -------------------------------------------------------------------------------------


def test_frameworks_pages_list_versions_blocks_and_criteria(client, cast, frameworks):
    fibre = frameworks["fibre-optique"]
    client.force_login(cast.trainer_b)
    html = client.get(reverse("skills:framework_list")).content.decode()
    assert escape(fibre.title) in html and escape(frameworks["technicien-data-center"].title) in html
    html = client.get(fibre.get_absolute_url()).content.decode()
    skill = fibre.skills.get(code="FO-SEC-01")
    assert (
        escape(skill.title) in html
        and escape(skill.criteria[0]) in html
        and "F1605" in html
        and "Geste de sécurité" in html
    )
    client.force_login(cast.prescriber)
    assert client.get(reverse("skills:framework_list")).status_code == 404


def test_cohort_and_learner_pages_link_to_the_skills(client, cast, training):
    cohort, (first, *_) = training
    client.force_login(cast.trainer_a)
    assert _matrix(cohort) in client.get(cohort.get_absolute_url()).content.decode()
    learner_page = client.get(reverse("referrals:learner_detail", args=[first.learner_id]))
    assert learner_page.status_code == 200
    assert reverse("skills:enrolment_progress", args=[first.pk]) in learner_page.content.decode()
    assert first.status == EnrolmentStatus.ACTIVE


def test_evidence_is_for_those_who_read_the_observation(client, cast, history):
    """Anonymous: the login page; another school's staff: 404; the trainer of the cohort: the file."""
    services.observation_record(
        enrolment=history,
        skill=history.cohort.framework.skills.get(code="FO-MES-02"),
        level=Level.ACQUIRED,
        by=cast.trainer_a,
        files=[SimpleUploadedFile("mesure.sor", SOR)],
    )
    url = reverse("skills:evidence_file", args=[Evidence.objects.order_by("pk").last().pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
    for role in ["manager_b", "trainer_b", "funder", "outsider"]:
        client.force_login(getattr(cast, role))
        assert client.get(url).status_code == 404, role
    client.force_login(cast.trainer_a)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == SOR
