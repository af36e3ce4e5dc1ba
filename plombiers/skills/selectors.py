"""Reads shared by the skills pages and the API: a framework's skills in order, and a learner's
progress — computed once, here."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max

from plombiers.cohorts.models import Enrolment
from plombiers.frameworks.models import Block, Skill

from .enums import ACQUIRED_LEVELS
from .models import Observation


def framework_skills(framework_id):
    """The skills of a framework with their block, in framework order."""
    return (
        Skill.objects.filter(framework_id=framework_id)
        .select_related("block")
        .order_by("block__position", "block__pk", "position", "pk")
    )


@dataclass
class BlockGroup:
    """Consecutive skills of one block; `acquired` counted by `enrolment_progress`."""

    block: Block
    skills: list[Skill] = field(default_factory=list)
    acquired: int = 0

    @property
    def total(self) -> int:
        return len(self.skills)


def skills_by_block(skills: list[Skill]) -> list[BlockGroup]:
    """Consecutive skills grouped under their block, in framework order."""
    blocks: list[BlockGroup] = []
    for skill in skills:
        skill.block_start = not blocks or blocks[-1].block.pk != skill.block_id
        if skill.block_start:
            blocks.append(BlockGroup(block=skill.block))
        blocks[-1].skills.append(skill)
    return blocks


@dataclass
class Progress:
    """Where a learner stands: per block, acquired/total; per skill, the current level and date
    (`current`) and, for those who see the details, the entry positioning level (`positioning`)."""

    skills: list[Skill]
    blocks: list[BlockGroup]
    current: dict[int, dict]
    positioning: dict[int, str] | None

    @property
    def acquired(self) -> int:
        return sum(block.acquired for block in self.blocks)

    @property
    def total(self) -> int:
        return len(self.skills)

    def level(self, skill: Skill) -> str | None:
        return self.current.get(skill.pk, {}).get("level")

    def observed_on(self, skill: Skill) -> dt.date | None:
        return self.current.get(skill.pk, {}).get("observed_on")


def cohort_current_levels(cohort_id: int) -> dict[tuple[int, int], dict]:
    """The current level of each (enrolment, skill) of a cohort, in one query: the rows of
    `Observation.objects.current()`, read by key (the latest of each pair found on the index
    `observation_current`) rather than by filtering the cohort's whole history again: on SQLite,
    3,000 observations read in 1.3 ms instead of 6 (issue 23)."""
    latest = (
        Observation.objects.filter(enrolment__cohort_id=cohort_id)
        .values("enrolment", "skill")
        .annotate(last=Max("pk"))
        .values("last")
    )
    rows = (
        Observation.objects.filter(pk__in=latest)
        .order_by()
        .values("enrolment_id", "skill_id", "level", "observed_on")
    )
    return {(row["enrolment_id"], row["skill_id"]): row for row in rows}


def enrolment_progress(enrolment: Enrolment, *, detailed: bool) -> Progress:
    """Two queries (three with the details): the skills, the current levels, the positioning."""
    framework_id = enrolment.cohort.framework_id
    skills = list(framework_skills(framework_id)) if framework_id else []
    observations = Observation.objects.filter(enrolment=enrolment)
    current = {
        row["skill_id"]: row for row in observations.current().values("skill_id", "level", "observed_on")
    }
    blocks = skills_by_block(skills)
    for block in blocks:
        block.acquired = sum(1 for s in block.skills if current.get(s.pk, {}).get("level") in ACQUIRED_LEVELS)
    positioning = None
    if detailed:
        positioning = {
            row["skill_id"]: row["level"]
            for row in observations.filter(is_positioning=True).current().values("skill_id", "level")
        }
    return Progress(skills=skills, blocks=blocks, current=current, positioning=positioning)
