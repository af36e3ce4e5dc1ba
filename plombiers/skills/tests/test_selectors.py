"""A learner's progress, computed once (`skills/selectors.py`) for the progress page and the API."""

from django.urls import reverse

from plombiers.skills import services
from plombiers.skills.enums import Level
from plombiers.skills.selectors import enrolment_progress


def _observed(cast, training):
    cohort, (first, *_) = training
    skill = cohort.framework.skills.get(code="FO-SEC-01")
    services.observation_record(
        enrolment=first, skill=skill, level=Level.IN_PROGRESS, by=cast.trainer_a, is_positioning=True
    )
    services.observation_record(enrolment=first, skill=skill, level=Level.MASTERED, by=cast.trainer_a)
    return first, skill


def test_progress_per_block_with_and_without_the_details(cast, training, django_assert_num_queries):
    enrolment, skill = _observed(cast, training)
    with django_assert_num_queries(3):  # the skills with their blocks, the current levels, the positioning
        progress = enrolment_progress(enrolment, detailed=True)
    assert (progress.acquired, progress.total) == (1, enrolment.cohort.framework.skills.count())
    block = next(group for group in progress.blocks if group.block.code == "SEC")
    assert block.acquired == 1 and block.total == len(block.skills)
    assert (progress.level(skill), progress.positioning[skill.pk]) == (Level.MASTERED, Level.IN_PROGRESS)
    summary = enrolment_progress(enrolment, detailed=False)
    assert summary.positioning is None and summary.acquired == 1


def test_the_page_and_the_api_show_the_same_figures(client, cast, training):
    enrolment, _skill = _observed(cast, training)
    progress = enrolment_progress(enrolment, detailed=True)
    client.force_login(cast.trainer_a)
    page = client.get(reverse("skills:enrolment_progress", args=[enrolment.pk]))
    assert [(b.block.code, b.acquired, b.total) for b in page.context["blocks"]] == [
        (g.block.code, g.acquired, g.total) for g in progress.blocks
    ]
    body = client.get(f"/api/v1/enrolments/{enrolment.pk}/progress").json()
    assert [(b["code"], b["acquired"], b["total"]) for b in body["blocks"]] == [
        (g.block.code, g.acquired, g.total) for g in progress.blocks
    ]
    assert (body["acquired"], page.context["acquired"]) == (progress.acquired, progress.acquired)
