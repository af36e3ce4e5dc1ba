"""The observation histories of the demo: what the trainers saw on the technical platform.

For every finished or ongoing cohort, each learner gets an entry positioning in the first days
(most skills, mostly « non observé » or « en cours »), then observations as the blocks are taught
one after the other: a skill is first seen « en cours », becomes « acquis » after a time that
depends on the skill (safety gestures are held to a stricter standard) and on the learner's pace,
and for the quickest « maîtrisé ». A few observations are lower than an earlier one (a gesture
redone without checking, a wrong entry corrected the same day: corrections are new observations).
In the last weeks of a cohort some observations are made during the internship. Drop-outs are no
longer observed after they left; the ongoing cohorts are observed up to yesterday.

Rows are written with `bulk_create`, in the order they were seen, so that the current level
(the latest observation) is the last one drawn; each row is one `observation_record` would accept
(the skill is in the cohort's framework, the date is neither in the future nor more than 31 days
before entry, the observer is a trainer of the cohort or of the school). A few evidence files
(photos drawn with Pillow, one synthetic OTDR trace) go through Django's storage.
"""

import datetime as dt
import io
import random
import struct
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import connection, models
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User
from plombiers.cohorts.enums import CohortStatus, EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.frameworks.models import Framework, Skill
from plombiers.lib.evidence import KINDS
from plombiers.skills.enums import Context, Level
from plombiers.skills.models import Evidence, Observation

from .network import DemoNetwork

INES = "jeune@plombiers.example"
POSITIONING_SHARE = 0.85  # skills assessed at entry, per learner
POSITIONING_LEVELS = {Level.NOT_OBSERVED: 62, Level.IN_PROGRESS: 31, Level.ACQUIRED: 7}
COMMENT_SHARE = 0.18
KIND = {kind.name: kind for kind in KINDS}

COMMENTS = {
    Level.NOT_OBSERVED: [
        "Geste jamais pratiqué avant l'entrée en formation.",
        "Découverte du matériel : pas encore de pratique.",
    ],
    Level.IN_PROGRESS: [
        "Premier essai accompagné, le geste est compris.",
        "Point à travailler : « {criterion} ».",
        "Progrès nets ; encore besoin d'aide pour : « {criterion} ».",
        "Geste réalisé, mais trop lentement pour un chantier ; on continue.",
        "Bonne méthode, manque encore de régularité d'un essai à l'autre.",
    ],
    Level.ACQUIRED: [
        "Réalisé seul·e et sans erreur : « {criterion} ».",
        "Geste acquis, vérifié sur trois essais consécutifs.",
        "Travail propre et contrôlé avant de passer à la suite.",
    ],
    Level.MASTERED: [
        "Réalise le geste avec aisance et l'explique à un camarade.",
        "Maîtrisé : rapide, soigné et autonome, y compris quand les conditions changent.",
    ],
}
REGRESSION_COMMENTS = [
    "Geste refait sans vérification : « {criterion} » — à reprendre.",
    "Après plusieurs semaines sans pratique, des hésitations : on refait l'exercice.",
    "Oubli sur un point de sécurité aujourd'hui : « {criterion} ». On en reparle et on recommence.",
]
CORRECTION_COMMENT = "Correction de la saisie de ce jour : le geste n'est pas encore acquis."
WORKSITE_COMMENT = "Vu lors de la visite en entreprise, avec le tuteur ou la tutrice."
INES_SAFETY_COMMENT = "Encore des oublis : « {criterion} ». À revoir avant le départ en stage."


def workday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(7 - day.weekday(), 0) if day.weekday() >= 5 else 0)


@contextmanager
def keep_created_at(*models_: type[models.Model]):
    """Let `bulk_create` write the `created_at` we set (the day of the observation), not now."""
    fields = [m._meta.get_field("created_at") for m in models_]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


@dataclass(slots=True)
class Seen:
    """One observation to write (a model instance costs too much a quarter of a million times)."""

    enrolment: Enrolment
    skill: Skill
    level: str
    observed_on: dt.date
    context: str
    is_positioning: bool
    comment: str
    observer: User
    created_at: dt.datetime
    order: tuple[int, int]
    pk: int | None = None


@dataclass
class SkillsPlan:
    observations: list[Seen] = field(default_factory=list)
    # (observation, original file name, kind name, bytes)
    evidence: list[tuple[Seen, str, str, bytes]] = field(default_factory=list)


class SkillsBuilder:
    """Builds the observation histories of the demo network (after `IntakeBuilder`)."""

    def __init__(self, seed: int = 2017):
        self.seed = seed
        self.today = timezone.localdate()

    def cohorts(self, demo: DemoNetwork, only: set[str] | None = None):
        cohorts = Cohort.objects.filter(school__network=demo.network)
        if only is not None:
            cohorts = cohorts.filter(school__in=[demo.schools[town] for town in only])
        return cohorts

    def build(self, demo: DemoNetwork, only: set[str] | None = None) -> SkillsPlan | None:
        """Write the histories once: a second run finds them and changes nothing."""
        cohorts = self.cohorts(demo, only)
        self.tie_frameworks(cohorts)
        if Observation.objects.filter(enrolment__cohort__in=cohorts).exists():
            return None
        plan = self.plan(demo, cohorts)
        self.save(plan)
        return plan

    @staticmethod
    def tie_frameworks(cohorts) -> None:
        """Cohorts of a demo loaded before the frameworks existed get their trade's current one."""
        for trade_id in cohorts.filter(framework=None).values_list("trade", flat=True).distinct():
            framework = Framework.objects.filter(trade_id=trade_id).order_by("-published_at", "-pk").first()
            if framework is not None:
                cohorts.filter(framework=None, trade_id=trade_id).update(framework=framework)

    # --- the plan ------------------------------------------------------------------

    def plan(self, demo: DemoNetwork, cohorts) -> SkillsPlan:
        plan = SkillsPlan()
        cohorts = list(
            cohorts.filter(
                status__in=[CohortStatus.FINISHED, CohortStatus.ONGOING], framework__isnull=False
            ).select_related("school")
        )
        skills = defaultdict(list)
        for skill in Skill.objects.filter(framework__in={c.framework_id for c in cohorts}).order_by(
            "framework", "block__position", "position", "pk"
        ):
            skills[skill.framework_id].append(skill)
        trainers = defaultdict(list)
        Through = Cohort.trainers.through
        users = {}
        for cohort_id, user_id in (
            Through.objects.filter(cohort__in=cohorts).order_by("pk").values_list("cohort_id", "user_id")
        ):
            trainers[cohort_id].append(user_id)
        school_trainers = defaultdict(list)
        for school_id, user_id in (
            Membership.objects.filter(role=Role.TRAINER, school__in={c.school_id for c in cohorts})
            .order_by("pk")
            .values_list("school_id", "user_id")
        ):
            school_trainers[school_id].append(user_id)
        wanted = {u for ids in [*trainers.values(), *school_trainers.values()] for u in ids}
        users = {u.pk: u for u in User.objects.filter(pk__in=wanted)}
        enrolments = defaultdict(list)
        for enrolment in (
            Enrolment.objects.filter(cohort__in=cohorts).select_related("learner", "referral").order_by("pk")
        ):
            enrolments[enrolment.cohort_id].append(enrolment)
        ines = demo.users.get(INES)
        for cohort in sorted(cohorts, key=lambda c: (c.school.slug, c.start_date)):
            observers = [users[u] for u in trainers[cohort.pk] or school_trainers[cohort.school_id]]
            if not observers:
                continue
            CohortHistory(
                self, plan, cohort, skills[cohort.framework_id], observers, enrolments[cohort.pk], ines
            ).build()
        # The order they were recorded in: the latest observation of a skill is its current level.
        plan.observations.sort(key=lambda o: (o.observed_on, o.order))
        thomas = getattr(demo.users.get("prescription@plombiers.example"), "pk", None)
        towns = {school.pk: town for town, school in demo.schools.items()}
        self.evidence(plan, self.featured(cohorts, enrolments, ines, towns, thomas), ines)
        return plan

    @staticmethod
    def featured(
        cohorts: list[Cohort], enrolments: dict[int, list[Enrolment]], ines, towns, thomas
    ) -> dict[int, int]:
        """Learners whose observations carry photos, and how many: Inès, two classmates, the graduate
        of the previous Chelles cohort (DEMO.md), one learner of each Roubaix cohort shown."""
        featured = {}
        latest = {}
        for cohort in cohorts:
            if (
                cohort.status == CohortStatus.FINISHED
                and cohort.start_date > latest.get(cohort.school_id, (dt.date.min, 0))[0]
            ):
                latest[cohort.school_id] = (cohort.start_date, cohort.pk)
        for cohort in cohorts:
            town = towns.get(cohort.school_id)
            shown = (
                cohort.status == CohortStatus.ONGOING or latest.get(cohort.school_id, (0, 0))[1] == cohort.pk
            )
            if town not in ("chelles", "roubaix") or not shown:
                continue
            rows = enrolments[cohort.pk]
            if ines is not None and any(e.learner.user_id == ines.pk for e in rows):
                featured |= {e.pk: 10 if e.learner.user_id == ines.pk else 0 for e in rows}
                for e in [e for e in rows if e.learner.user_id != ines.pk][:2]:
                    featured[e.pk] = 3
            elif cohort.status == CohortStatus.FINISHED:
                completed = sorted(
                    (e for e in rows if e.status == EnrolmentStatus.COMPLETED),
                    key=lambda e: e.referral is None or e.referral.prescriber_id != thomas,
                )
                if completed:
                    featured[completed[0].pk] = 4
            elif rows:
                featured[rows[0].pk] = 3
        return {pk: n for pk, n in featured.items() if n}

    def evidence(self, plan: SkillsPlan, featured: dict[int, int], ines) -> None:
        """Photos on the featured learners' observations (Inès: on every block); one OTDR trace."""
        rng = random.Random(f"{self.seed}:evidence")
        by_learner = defaultdict(list)
        for observation in plan.observations:
            if not observation.is_positioning and observation.enrolment.pk in featured:
                by_learner[observation.enrolment.pk].append(observation)
        for enrolment_id, observations in sorted(by_learner.items()):
            count = featured[enrolment_id]
            is_ines = ines is not None and observations[0].enrolment.learner.user_id == ines.pk
            chosen = self.per_block(observations, rng, per_block=2 if is_ines else 1)[:count]
            for observation in chosen:
                plan.evidence.append(photo(observation, rng))
            otdr = [o for o in observations if "OTDR" in o.skill.title]
            if is_ines and otdr:
                plan.evidence.append(sor_trace(otdr[-1], rng))

    @staticmethod
    def per_block(observations: list[Seen], rng: random.Random, per_block: int) -> list[Seen]:
        blocks = defaultdict(list)
        for observation in observations:
            blocks[observation.skill.block_id].append(observation)
        chosen = []
        for block_id in sorted(blocks):
            candidates = blocks[block_id]
            chosen += rng.sample(candidates, min(per_block, len(candidates)))
        return chosen

    # --- writing -------------------------------------------------------------------

    def save(self, plan: SkillsPlan) -> None:
        """One prepared INSERT run many times, in the order of the plan (so the primary keys follow
        it); `bulk_create` takes ten times longer here. Then the few evidence files."""
        ops = connection.ops
        columns = [
            "enrolment",
            "skill",
            "level",
            "observed_on",
            "context",
            "is_positioning",
            "comment",
            "observer",
            "observer_name",
            "created_at",
        ]
        meta = Observation._meta
        names = ", ".join(ops.quote_name(meta.get_field(c).column) for c in columns)
        table = ops.quote_name(meta.db_table)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        names_of = {}
        rows = []
        for o in plan.observations:
            if o.observer.pk not in names_of:
                names_of[o.observer.pk] = o.observer.get_full_name()
            rows.append(
                (
                    o.enrolment.pk,
                    o.skill.pk,
                    o.level,
                    ops.adapt_datefield_value(o.observed_on),
                    o.context,
                    o.is_positioning,
                    o.comment,
                    o.observer.pk,
                    names_of[o.observer.pk],
                    ops.adapt_datetimefield_value(o.created_at),
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        # The primary keys of the observations that carry evidence, in the order they were written.
        enrolments = {o.enrolment.pk for o, *_ in plan.evidence}
        mine = [o for o in plan.observations if o.enrolment.pk in enrolments]
        pks = Observation.objects.filter(enrolment__in=enrolments).order_by("pk").values_list("pk", flat=True)
        for o, pk in zip(mine, pks, strict=True):
            o.pk = pk
        rows = []
        for seen, name, kind_name, data in plan.evidence:
            kind = KIND[kind_name]
            evidence = Evidence(
                observation=Observation(pk=seen.pk, enrolment=seen.enrolment),
                kind=kind.name,
                content_type=kind.content_type,
                size=len(data),
                original_name=name,
                created_at=seen.created_at,
            )
            evidence.file.save(name, ContentFile(data), save=False)
            rows.append(evidence)
        with keep_created_at(Evidence):
            Evidence.objects.bulk_create(rows)


class CohortHistory:
    """The observations of one cohort, drawn from its own random stream."""

    def __init__(self, builder, plan, cohort, skills, observers, enrolments, ines):
        self.builder, self.plan, self.cohort, self.skills = builder, plan, cohort, skills
        self.observers, self.enrolments, self.ines = observers, enrolments, ines
        self.rng = random.Random(f"{builder.seed}:skills:{cohort.school.slug}:{cohort.start_date}")
        self.start, self.end = cohort.start_date, cohort.end_date
        self.length = (self.end - self.start).days
        self.yesterday = builder.today - dt.timedelta(days=1)
        self.zone = timezone.get_current_timezone()
        # Blocks are taught one after the other over the first half of the cohort.
        blocks = list(dict.fromkeys(s.block_id for s in skills))
        self.block_start = {
            block: round(self.length * 0.42 * i / max(len(blocks) - 1, 1)) + self.rng.randint(1, 4)
            for i, block in enumerate(blocks)
        }
        self.worksite = (self.start + dt.timedelta(days=round(self.length * 0.62)), self.end)

    def build(self) -> None:
        for enrolment in self.enrolments:
            self.learner(enrolment)

    def day(self, offset: int) -> dt.date:
        return workday_on_or_after(self.start + dt.timedelta(days=offset))

    def learner(self, enrolment: Enrolment) -> None:
        rng = self.rng
        is_ines = self.ines is not None and enrolment.learner.user_id == self.ines.pk
        last = min(self.end, self.yesterday)
        if enrolment.status == EnrolmentStatus.DROPPED_OUT and enrolment.end_date:
            last = min(last, enrolment.end_date)
        if last < self.start:
            return
        roll = rng.random()
        pace = rng.uniform(0.45, 0.7) if roll < 0.15 else rng.uniform(0.8, 1.5)
        if enrolment.status == EnrolmentStatus.DROPPED_OUT:
            pace *= 0.85
        if is_ines:
            pace = 1.2
        experienced = rng.random() < 0.1  # has already worked on building sites or with computers
        order = iter(range(10**9))
        sec_pending = 0
        for index, skill in enumerate(self.skills):
            seq = []  # (date, level, positioning, comment)
            positioned = None
            if rng.random() < POSITIONING_SHARE or is_ines:
                weights = dict(POSITIONING_LEVELS)
                if experienced:
                    weights[Level.ACQUIRED] *= 4
                positioned = rng.choices(list(weights), weights=list(weights.values()))[0]
                on = self.day(rng.randint(0, 3))
                seq.append((on, positioned, True, self.comment(skill, positioned, rng, share=0.1)))
            block_index = self.skills[index].block_id
            position_in_block = sum(1 for s in self.skills[:index] if s.block_id == block_index)
            intro = self.block_start[block_index] + position_in_block * rng.randint(1, 2) + rng.randint(0, 2)
            need = rng.uniform(10, 36) * (1.35 if skill.safety_critical else 1) / pace
            if positioned == Level.ACQUIRED:
                need = 0
            acquired = intro + need
            mastered = acquired + rng.uniform(12, 40) / pace if pace > 0.8 else 10**6
            # Inès (DEMO.md): two safety gestures still « en cours » in her ongoing cohort.
            if is_ines and skill.safety_critical and sec_pending < 2 and index >= 2:
                acquired = mastered = 10**6
                sec_pending += 1
            dates = [intro]
            if need > 14:
                dates.append(intro + need * rng.uniform(0.4, 0.7))
            if acquired < 10**6:
                dates.append(acquired)
                if rng.random() < 0.35:
                    dates.append(acquired + rng.uniform(7, 20))
            if mastered < 10**6:
                dates.append(mastered)
            regressed = rng.random() < 0.05
            corrected = not regressed and rng.random() < 0.01
            for offset in sorted({round(d) for d in dates}):
                on = self.day(offset)
                if on > last:
                    break
                level = (
                    Level.MASTERED
                    if offset >= mastered
                    else Level.ACQUIRED
                    if offset >= round(acquired)
                    else Level.IN_PROGRESS
                )
                comment = self.comment(skill, level, rng)
                if is_ines and level == Level.IN_PROGRESS and skill.safety_critical and acquired >= 10**6:
                    comment = INES_SAFETY_COMMENT.format(criterion=skill.criteria[-1])
                if corrected and level == Level.IN_PROGRESS and offset > intro:
                    seq.append((on, Level.ACQUIRED, False, ""))
                    comment, corrected = CORRECTION_COMMENT, False
                seq.append((on, level, False, comment))
                if regressed and level == Level.ACQUIRED:
                    back = self.day(offset + rng.randint(6, 15))
                    again = self.day(offset + rng.randint(18, 28))
                    criterion = rng.choice(skill.criteria)
                    if back <= last:
                        text = rng.choice(REGRESSION_COMMENTS).format(criterion=criterion)
                        seq.append((back, Level.IN_PROGRESS, False, text))
                    if again <= last:
                        seq.append((again, Level.ACQUIRED, False, "Repris et de nouveau réussi seul·e."))
                    regressed = False
            seq.sort(key=lambda s: s[0])  # stable: same-day entries keep their order
            for on, level, positioning, comment in seq:
                self.observe(enrolment, skill, on, level, positioning, comment, next(order))

    def comment(self, skill: Skill, level: str, rng: random.Random, share: float = COMMENT_SHARE) -> str:
        if rng.random() >= share:
            return ""
        return rng.choice(COMMENTS[level]).format(criterion=rng.choice(skill.criteria))

    def observe(self, enrolment, skill, on, level, positioning, comment, order) -> None:
        rng = self.rng
        context = Context.PLATFORM
        if not positioning and self.worksite[0] <= on <= self.worksite[1] and rng.random() < 0.5:
            context = Context.WORKSITE
            if not comment and rng.random() < 0.25:
                comment = WORKSITE_COMMENT
        at = dt.datetime.combine(on, dt.time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=self.zone)
        self.plan.observations.append(
            Seen(
                enrolment=enrolment,
                skill=skill,
                level=level,
                observed_on=on,
                context=context,
                is_positioning=positioning,
                comment=comment,
                observer=rng.choice(self.observers),
                created_at=at,
                order=(enrolment.pk, order),
            )
        )


# --- evidence files ------------------------------------------------------------------

FIBRE_COLOURS = [  # the FOTAG colour code of the 12 fibres of a tube
    ("rouge", (220, 40, 40)),
    ("bleu", (40, 90, 220)),
    ("jaune", (240, 210, 40)),
    ("vert", (40, 160, 70)),
    ("violet", (140, 60, 180)),
    ("blanc", (245, 245, 245)),
    ("orange", (245, 140, 30)),
    ("gris", (140, 140, 140)),
    ("marron", (120, 70, 30)),
    ("noir", (20, 20, 20)),
    ("turquoise", (40, 200, 200)),
    ("rose", (240, 150, 190)),
]


def _font(size: int):
    return ImageFont.load_default(size=size)


def _frame(title: str, footer: str, size=(320, 240)) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", size, (236, 238, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 24), fill=(30, 50, 80))
    draw.text((8, 5), title[:44], fill=(255, 255, 255), font=_font(13))
    draw.text((8, size[1] - 18), footer[:52], fill=(60, 60, 60), font=_font(11))
    return image, draw


def _splice_tray(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rounded_rectangle((30, 40, 290, 210), radius=18, outline=(50, 50, 50), width=3, fill=(250, 250, 250))
    draw.text((44, 46), f"Cassette {rng.randint(1, 6)} — 12 fibres", fill=(30, 30, 30), font=_font(11))
    for i, (_name, colour) in enumerate(FIBRE_COLOURS):
        y = 66 + i * 11
        draw.line((40, y, 280, y), fill=colour, width=3)
        draw.rectangle((150, y - 3, 170, y + 3), fill=(200, 200, 200), outline=(90, 90, 90))  # protector


def _rack(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((90, 34, 230, 216), outline=(20, 20, 20), width=3, fill=(60, 60, 66))
    for unit in range(12):
        y = 40 + unit * 14
        if rng.random() < 0.7:
            draw.rectangle((96, y, 224, y + 11), fill=(120, 124, 130), outline=(30, 30, 30))
            draw.ellipse(
                (212, y + 3, 218, y + 9), fill=(40, 200, 80) if rng.random() < 0.9 else (230, 60, 40)
            )
            draw.text((100, y), f"SRV-{rng.randint(100, 999)}", fill=(250, 250, 250), font=_font(9))


def _site(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 170, 320, 216), fill=(120, 120, 120))
    draw.rectangle((120, 150, 200, 176), fill=(80, 80, 80), outline=(30, 30, 30), width=2)
    draw.text((126, 156), "Chambre L2T", fill=(255, 255, 255), font=_font(10))
    for x in (60, 100, 220, 260):
        draw.polygon([(x, 130), (x - 12, 176), (x + 12, 176)], fill=(245, 120, 20))
        draw.rectangle((x - 8, 150, x + 8, 156), fill=(255, 255, 255))
    draw.line((60, 140, 260, 140), fill=(220, 40, 40), width=3)


def _box(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((100, 40, 220, 210), fill=(250, 250, 250), outline=(40, 40, 40), width=3)
    draw.text((112, 48), f"PBO {rng.randint(1, 40):02d}", fill=(30, 30, 30), font=_font(12))
    for i in range(6):
        y = 74 + i * 20
        draw.rectangle((116, y, 204, y + 12), outline=(90, 90, 90))
        draw.line((120, y + 6, 200, y + 6), fill=FIBRE_COLOURS[i][1], width=3)


def _trace(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((20, 34, 300, 210), fill=(15, 30, 20))
    points, level = [], 60.0
    for x in range(24, 296, 4):
        level += 0.35
        if x in (120, 200):
            level += rng.uniform(2, 5)  # a splice, a connector
        points.append((x, level))
    draw.line(points, fill=(80, 240, 120), width=2)
    draw.text((26, 190), "1550 nm — 2,4 km", fill=(200, 240, 200), font=_font(10))


DRAWINGS = {"SEC": _site, "DEP": _site, "RAC": _splice_tray, "ABO": _box, "MES": _trace}
DC_DRAWINGS = {"CAB": _splice_tray}


def photo(observation: Seen, rng: random.Random) -> tuple[Seen, str, str, bytes]:
    """A small picture of the work, labelled with the skill, the learner's initials and the date."""
    skill, enrolment = observation.skill, observation.enrolment
    learner = enrolment.learner
    block = skill.code.split("-")[1] if skill.code.count("-") >= 2 else ""
    draw_it = DRAWINGS.get(block, _rack) if skill.code.startswith("FO-") else DC_DRAWINGS.get(block, _rack)
    footer = f"{learner.first_name} {learner.last_name[:1]}. — {observation.observed_on:%d/%m/%Y}"
    image, draw = _frame(skill.title, footer)
    draw_it(draw, rng)
    buffer = io.BytesIO()
    at = observation.created_at
    if rng.random() < 0.5:
        image.save(buffer, "JPEG", quality=60)
        return observation, f"IMG_{at:%Y%m%d_%H%M%S}.jpg", "jpeg", buffer.getvalue()
    image.save(buffer, "PNG", optimize=True)
    return observation, f"{skill.code.lower()}-{at:%Y%m%d}.png", "png", buffer.getvalue()


def sor_trace(observation: Seen, rng: random.Random) -> tuple[Seen, str, str, bytes]:
    """A tiny synthetic OTDR trace shaped like a Bellcore SR-4731 v2 file (Map block first).

    It is demo data: a few blocks with plausible values, not a trace an OTDR viewer will open."""

    def block(name: str, body: bytes) -> bytes:
        return name.encode() + b"\x00" + body

    points = []
    level = 20000
    for i in range(400):
        level -= 9 + (600 if i in (150, 260) else 0)
        points.append(max(level + rng.randint(-20, 20), 0))
    general = block("GenParams", b"FR" + b"CABLE-PBO-12\x00" + b"F03\x00" + struct.pack("<H", 1550))
    data = block("DataPts", struct.pack("<IH", len(points), 1) + struct.pack(f"<{len(points)}H", *points))
    blocks = [("GenParams", general), ("DataPts", data)]
    entries = b"".join(name.encode() + b"\x00" + struct.pack("<HI", 200, len(body)) for name, body in blocks)
    header_size = 4 + 2 + 4 + 2 + len(entries)
    header = b"Map\x00" + struct.pack("<HIH", 200, header_size, len(blocks) + 1) + entries
    content = header + general + data
    return observation, f"TRACE_{observation.observed_on:%Y%m%d}_F03_1550nm.sor", "sor", content
