"""The OPCO and Qualiopi documents of a cohort, in PDF: one function per document.

- `convention_pdf` — convention de formation professionnelle (articles L6353-1 and following of the
  Code du travail), with the programme attached;
- `attendance_sheet_pdf` — feuille d'émargement of one week, the signatures embedded;
- `completion_certificate_pdf` — certificat de réalisation (the Ministry of Labour model), the hours
  summed from the signed sheets;
- `training_certificate_pdf` — attestation de fin de formation (article L6353-1), with the skills
  acquired, never a grade;
- `cohort_document` (one PDF with one part per learner, or every week) and `cohort_documents_zip`.

Rendered with Typst: the templates are in `typst/`, compiled by `plombiers.lib.typst_render` (one
compiler per template and thread, the data as one JSON file — never pasted into the markup), so that
only what changed between two documents is redone: the provider's header, the legal text, the
footer are laid out once for a whole cohort. Numbers, dates and hours are formatted in French by
`plombiers.lib.formats`. Reads are bounded: a cohort's full set costs the same few queries whatever
its size.
"""

import datetime as dt
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, User, school_staff_q
from plombiers.cohorts.attendance import Hours, enrolment_hours
from plombiers.cohorts.enums import AttendanceStatus, Period
from plombiers.cohorts.models import Attendance, Cohort, Enrolment, TrainingSession
from plombiers.frameworks.models import Skill
from plombiers.lib import typst_render
from plombiers.lib.formats import NBSP, amount_fr, date_fr, duration_fr, nda_fr, siret_fr, time_fr, weekday_fr
from plombiers.network.models import Organisation, School
from plombiers.skills.enums import ACQUIRED_LEVELS, Level
from plombiers.skills.models import Observation

TEMPLATES = Path(__file__).parent / "typst"


class NothingToPrint(Exception):
    """The document asked for has nothing in it (no learner, no half-day that week): said in French."""


# --- kinds of documents -----------------------------------------------------------------------

CONVENTIONS = "conventions"
ATTENDANCE = "emargement"
COMPLETION = "certificats-realisation"
TRAINING = "attestations-fin-formation"
ZIP = "zip"
KINDS = {
    CONVENTIONS: "Conventions de formation",
    ATTENDANCE: "Feuilles d'émargement",
    COMPLETION: "Certificats de réalisation",
    TRAINING: "Attestations de fin de formation",
    ZIP: "Dossier complet (ZIP)",
}
# What a learner may download of their own, once their training is over.
LEARNER_KINDS = {
    "certificat-realisation": "Certificat de réalisation",
    "attestation-fin-formation": "Attestation de fin de formation",
}
ENROLMENT_KINDS = {"convention": "Convention de formation", **LEARNER_KINDS}


# --- who may download -------------------------------------------------------------------------


def visible_cohorts(user: User):
    """Cohorts whose documents the user may download: the school's team and the network staff.
    Not the learners (they get their own certificat and attestation), not the partners."""
    if not user.is_authenticated or not user.is_active:
        return Cohort.objects.none()
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(school_staff_q(user))


# --- rendering --------------------------------------------------------------------------------


def render(template: str, data: dict) -> bytes:
    """Compile one of this app's templates (`typst/`) with its data."""
    return typst_render.render(TEMPLATES, template, data)


# --- the data, read once per cohort -----------------------------------------------------------


def _address(address: str, commune) -> str:
    place = f"{commune.main_postal_code} {commune.name}".strip() if commune else ""
    return ", ".join(part for part in (address.strip(), place) if part)


def learner_name(learner) -> str:
    return f"{learner.first_name} {learner.last_name.upper()}".strip()


def _organisation(organisation: Organisation | None) -> dict | None:
    if organisation is None:
        return None
    return {
        "name": organisation.name,
        "address": _address(organisation.address, organisation.commune),
        "siret": siret_fr(organisation.siret),
    }


@dataclass
class CohortData:
    """Everything the documents of one cohort read, each part fetched once, on first use."""

    cohort: Cohort
    week: dt.date | None = None  # limits the sessions and marks read to one week
    _cache: dict = field(default_factory=dict)

    @classmethod
    def load(cls, cohort: Cohort, week: dt.date | None = None) -> "CohortData":
        cohort = Cohort.objects.select_related(
            "school__network",
            "school__commune__departement__region",
            "school__project_holder__commune__departement__region",
            "opco__commune",
            "trade",
            "framework",
        ).get(pk=cohort.pk)
        return cls(cohort, week)

    @cached_property
    def school(self) -> School:
        return self.cohort.school

    @cached_property
    def representative(self) -> str:
        """Who signs for the provider: the school's manager (the first one named)."""
        membership = (
            Membership.objects.filter(school=self.school, role=Role.SCHOOL_MANAGER)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        return (membership.user.get_full_name() or membership.user.email) if membership else ""

    @cached_property
    def provider(self) -> dict:
        """The training organisation: the school's project holder (it holds the SIRET and the
        numéro de déclaration d'activité), or the school itself while none is recorded."""
        school, holder = self.school, self.school.project_holder
        commune = (holder.commune if holder and holder.commune else None) or school.commune
        region = commune.departement.region.name if commune and commune.departement else ""
        return {
            "name": holder.name if holder else school.name,
            "school": school.name,
            "address": _address(holder.address, holder.commune)
            if holder and (holder.address or holder.commune)
            else _address(school.address, school.commune),
            "siret": siret_fr(holder.siret) if holder else "",
            "nda": nda_fr(holder.nda) if holder else "",
            "region": region,
            "email": school.email or (holder.email if holder else ""),
            "phone": school.phone or (holder.phone if holder else ""),
            "representative": self.representative,
            "city": school.commune.name,
        }

    @cached_property
    def scheduled_minutes(self) -> int:
        if "sessions_all" in self._cache:
            return sum(s.duration_minutes for s in self._cache["sessions_all"])
        return self.cohort.sessions.aggregate(total=Sum("duration_minutes"))["total"] or 0

    @cached_property
    def action(self) -> dict:
        cohort = self.cohort
        return {
            "title": f"{cohort.trade.name}{NBSP}: formation aux gestes professionnels",
            "cohort": cohort.name,
            "trade": cohort.trade.name,
            "framework": str(cohort.framework) if cohort.framework else "",
            "start": date_fr(cohort.start_date),
            "end": date_fr(cohort.end_date),
            "hours": duration_fr(self.scheduled_minutes),
            "place": _address(self.school.address, self.school.commune),
            "nature": "Action de formation (article L6313-1 du Code du travail)",
        }

    @cached_property
    def skills(self) -> list[Skill]:
        if self.cohort.framework_id is None:
            return []
        return list(
            Skill.objects.filter(framework_id=self.cohort.framework_id)
            .select_related("block")
            .order_by("block__position", "block__pk", "position", "pk")
        )

    @cached_property
    def blocks(self) -> list[dict]:
        """The framework's blocks with their skills: the programme."""
        blocks: dict[int, dict] = {}
        for skill in self.skills:
            block = blocks.setdefault(
                skill.block_id, {"code": skill.block.code, "title": skill.block.title, "skills": []}
            )
            block["skills"].append({"code": skill.code, "title": skill.title})
        return list(blocks.values())

    @cached_property
    def objective(self) -> str:
        titles = [b["title"] for b in self.blocks]
        text = f"Acquérir les gestes professionnels du métier «{NBSP}{self.cohort.trade.name}{NBSP}»"
        if titles:
            text += f"{NBSP}: " + f"{NBSP}; ".join(t[0].lower() + t[1:] if t else t for t in titles)
        return text + "."

    @cached_property
    def enrolments(self) -> list[Enrolment]:
        """Every learner of the cohort (in training, finished or left), with their hours."""
        return list(
            Enrolment.objects.filter(cohort=self.cohort)
            .with_hours()
            .select_related("learner")
            .order_by("learner__last_name", "learner__first_name", "pk")
        )

    def hours_of(self, enrolment: Enrolment) -> Hours:
        if hasattr(enrolment, "attended_minutes"):
            return Hours(
                scheduled=enrolment.scheduled_minutes,
                attended=enrolment.attended_minutes,
                late=enrolment.late_minutes,
                absent=enrolment.absent_minutes,
                excused=enrolment.excused_minutes,
            )
        return enrolment_hours(enrolment)

    @cached_property
    def sessions(self) -> list[TrainingSession]:
        sessions = TrainingSession.objects.filter(cohort=self.cohort).select_related(
            "trainer", "trainer_signature"
        )
        if self.week is not None:
            sessions = sessions.filter(date__gte=self.week, date__lt=self.week + dt.timedelta(days=7))
        sessions = list(sessions.order_by("date", "start_time", "pk"))
        if self.week is None:
            self._cache["sessions_all"] = sessions
        return sessions

    @cached_property
    def marks(self) -> dict[tuple[int, int], Attendance]:
        marks = Attendance.objects.filter(session__cohort=self.cohort).select_related("signature")
        if self.week is not None:
            marks = marks.filter(
                session__date__gte=self.week, session__date__lt=self.week + dt.timedelta(days=7)
            )
        return {(m.session_id, m.enrolment_id): m for m in marks}

    @cached_property
    def levels(self) -> dict[int, dict[int, str]]:
        """The current level of each skill, per enrolment."""
        levels: dict[int, dict[int, str]] = defaultdict(dict)
        rows = (
            Observation.objects.filter(enrolment__cohort=self.cohort)
            .current()
            .values_list("enrolment_id", "skill_id", "level")
        )
        for enrolment_id, skill_id, level in rows:
            levels[enrolment_id][skill_id] = level
        return levels

    def period_of(self, enrolment: Enrolment) -> tuple[dt.date, dt.date]:
        return enrolment.entry_date, enrolment.end_date or self.cohort.end_date


# --- the documents' data ----------------------------------------------------------------------


def _issued(data: CohortData) -> dict:
    return {"city": data.provider["city"], "date": date_fr(timezone.localdate())}


def _convention_item(data: CohortData, enrolment: Enrolment) -> dict:
    start, end = data.period_of(enrolment)
    cohort = data.cohort
    price = cohort.price_per_learner
    return {
        "learner": learner_name(enrolment.learner),
        "birth_date": date_fr(enrolment.learner.birth_date),
        "funder": _organisation(cohort.opco),
        "start": date_fr(start),
        "end": date_fr(end),
        "price": amount_fr(price) if price is not None else "",
    }


def _convention_data(data: CohortData, enrolments: list[Enrolment]) -> dict:
    return {
        "provider": data.provider,
        "action": data.action,
        "objective": data.objective,
        "programme": data.blocks,
        "issued": _issued(data),
        "items": [_convention_item(data, e) for e in enrolments],
    }


def _completion_item(data: CohortData, enrolment: Enrolment) -> dict:
    start, end = data.period_of(enrolment)
    return {
        "learner": learner_name(enrolment.learner),
        "start": date_fr(start),
        "end": date_fr(end),
        "hours": duration_fr(data.hours_of(enrolment).attended),
    }


def _completion_data(data: CohortData, enrolments: list[Enrolment]) -> dict:
    return {
        "provider": data.provider,
        "action": data.action,
        "issued": _issued(data),
        "items": [_completion_item(data, e) for e in enrolments],
    }


def _training_item(data: CohortData, enrolment: Enrolment) -> dict:
    start, end = data.period_of(enrolment)
    levels = data.levels.get(enrolment.pk, {})
    blocks: dict[int, dict] = {}
    acquired = 0
    for skill in data.skills:
        level = levels.get(skill.pk)
        if level in ACQUIRED_LEVELS:
            status, acquired = "acquis", acquired + 1
        elif level == Level.IN_PROGRESS:
            status = "en cours d'acquisition"
        else:
            continue
        block = blocks.setdefault(skill.block_id, {"title": skill.block.title, "skills": []})
        block["skills"].append({"title": skill.title, "status": status})
    return {
        "learner": learner_name(enrolment.learner),
        "start": date_fr(start),
        "end": date_fr(end),
        "hours": duration_fr(data.hours_of(enrolment).attended),
        "acquired": str(acquired),
        "total": str(len(data.skills)),
        "blocks": list(blocks.values()),
    }


def _training_data(data: CohortData, enrolments: list[Enrolment]) -> dict:
    return {
        "provider": data.provider,
        "action": data.action,
        "objective": data.objective,
        "issued": _issued(data),
        "items": [_training_item(data, e) for e in enrolments],
    }


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _cell(mark: Attendance | None, session: TrainingSession) -> dict:
    if mark is None:
        return {"text": "", "svg": "", "typed": ""}
    signature = mark.signature if mark.signature_id else None
    svg = signature.svg if signature else ""
    # A signature without drawing is stated in words where the drawing would be.
    typed = signature.typed_mention if signature and signature.is_typed else ""
    if mark.status == AttendanceStatus.LATE:
        return {"text": f"Retard {mark.late_minutes}{NBSP}min", "svg": svg, "typed": typed}
    if mark.status == AttendanceStatus.ABSENT:
        return {"text": "Absent·e", "svg": "", "typed": ""}
    if mark.status == AttendanceStatus.EXCUSED:
        return {"text": "Absence justifiée", "svg": "", "typed": ""}
    return {"text": "" if signature else "Présent·e, non signé", "svg": svg, "typed": typed}


def _week(data: CohortData, monday: dt.date, sessions: list[TrainingSession]) -> dict:
    sunday = monday + dt.timedelta(days=6)
    on_sheet = [
        e for e in data.enrolments if e.entry_date <= sunday and (e.end_date is None or e.end_date >= monday)
    ]
    rows = []
    for enrolment in on_sheet:
        cells, minutes = [], 0
        for session in sessions:
            mark = data.marks.get((session.pk, enrolment.pk))
            if enrolment.entry_date > session.date or (
                enrolment.end_date and enrolment.end_date < session.date
            ):
                cells.append({"text": "—", "svg": "", "typed": ""})
                continue
            cells.append(_cell(mark, session))
            if mark is not None and session.is_locked and mark.is_there:
                minutes += max(session.duration_minutes - mark.late_minutes, 0)
        rows.append(
            {"learner": learner_name(enrolment.learner), "cells": cells, "total": duration_fr(minutes)}
        )
    return {
        "monday": date_fr(monday),
        "label": f"Semaine du {date_fr(monday)} au {date_fr(monday + dt.timedelta(days=4))}",
        "sessions": [
            {
                "day": weekday_fr(s.date),
                "date": date_fr(s.date),
                "period": "Matin" if s.period == Period.MORNING else "Après-midi",
                "hours": f"{time_fr(s.start_time)} – {time_fr(s.end_time)}",
                "duration": duration_fr(s.duration_minutes),
                "kind": s.get_kind_display(),
                "locked": s.is_locked,
                "trainer": (s.trainer.get_full_name() or s.trainer.email) if s.trainer else "",
                "trainer_signature": s.trainer_signature.svg if s.trainer_signature_id else "",
                "trainer_typed": s.trainer_signature.typed_mention
                if s.trainer_signature_id and s.trainer_signature.is_typed
                else "",
            }
            for s in sessions
        ],
        "rows": rows,
    }


def _weeks(data: CohortData, week: dt.date | None = None) -> list[tuple[dt.date, dict]]:
    """(Monday, sheet) of every week with half-days, or only of the week of `week`."""
    by_week: dict[dt.date, list[TrainingSession]] = defaultdict(list)
    for session in data.sessions:
        by_week[monday_of(session.date)].append(session)
    return [
        (monday, _week(data, monday, sessions))
        for monday, sessions in sorted(by_week.items())
        if week is None or monday == week
    ]


def _attendance_data(data: CohortData, weeks: list[dict]) -> dict:
    return {"provider": data.provider, "action": data.action, "weeks": weeks}


# --- one document -----------------------------------------------------------------------------


def _enrolment_data(enrolment: Enrolment) -> tuple[CohortData, Enrolment]:
    data = CohortData.load(enrolment.cohort)
    enrolment = Enrolment.objects.with_hours().select_related("learner").get(pk=enrolment.pk)
    return data, enrolment


def convention_pdf(*, enrolment: Enrolment) -> bytes:
    """The convention de formation of one learner, with the programme attached."""
    data, enrolment = _enrolment_data(enrolment)
    return render("convention.typ", _convention_data(data, [enrolment]))


def attendance_sheet_pdf(*, cohort: Cohort, week: dt.date) -> bytes:
    """The feuille d'émargement of the week starting on the Monday of `week`."""
    monday = monday_of(week)
    if not monday_of(cohort.start_date) <= monday <= cohort.end_date:
        raise NothingToPrint(f"La semaine du {date_fr(monday)} est hors des dates de la promotion.")
    data = CohortData.load(cohort, week=monday)
    weeks = [sheet for _, sheet in _weeks(data, monday)]
    if not weeks:
        raise NothingToPrint(f"Aucune demi-journée n'est prévue la semaine du {date_fr(monday)}.")
    return render("emargement.typ", _attendance_data(data, weeks))


def completion_certificate_pdf(*, enrolment: Enrolment) -> bytes:
    """The certificat de réalisation of one learner: hours from the signed sheets only."""
    data, enrolment = _enrolment_data(enrolment)
    return render("certificat.typ", _completion_data(data, [enrolment]))


def training_certificate_pdf(*, enrolment: Enrolment) -> bytes:
    """The attestation de fin de formation of one learner, with the skills acquired."""
    data, enrolment = _enrolment_data(enrolment)
    return render("attestation.typ", _training_data(data, [enrolment]))


def enrolment_document(*, enrolment: Enrolment, kind: str) -> tuple[str, bytes]:
    """(file name, PDF) of one learner's document of the given kind (`ENROLMENT_KINDS`)."""
    functions = {
        "convention": convention_pdf,
        "certificat-realisation": completion_certificate_pdf,
        "attestation-fin-formation": training_certificate_pdf,
    }
    if kind not in functions:
        raise KeyError(kind)
    name = f"{kind}-{slugify(f'{enrolment.learner.last_name} {enrolment.learner.first_name}')}.pdf"
    return name, functions[kind](enrolment=enrolment)


# --- a cohort's documents ---------------------------------------------------------------------


def _needs_learners(data: CohortData) -> list[Enrolment]:
    if not data.enrolments:
        raise NothingToPrint("Aucun·e jeune n'est inscrit·e dans cette promotion.")
    return data.enrolments


def cohort_document(*, cohort: Cohort, kind: str, week: dt.date | None = None) -> tuple[str, bytes]:
    """(file name, content) of one of `KINDS`: one PDF with one part per learner (or per week for
    the attendance sheets, or only the week of `week`), or the ZIP of the full set."""
    slug = slugify(cohort.name) or f"promotion-{cohort.pk}"
    if kind == ZIP:
        return f"documents-{slug}.zip", cohort_documents_zip(cohort=cohort)
    if kind == ATTENDANCE:
        if week is not None:
            monday = monday_of(week)
            return f"emargement-{slug}-{monday.isoformat()}.pdf", attendance_sheet_pdf(
                cohort=cohort, week=monday
            )
        data = CohortData.load(cohort)
        weeks = [sheet for _, sheet in _weeks(data)]
        if not weeks:
            raise NothingToPrint("Le calendrier de cette promotion n'a encore aucune demi-journée.")
        return f"emargement-{slug}.pdf", render("emargement.typ", _attendance_data(data, weeks))
    builders = {
        CONVENTIONS: ("convention.typ", _convention_data),
        COMPLETION: ("certificat.typ", _completion_data),
        TRAINING: ("attestation.typ", _training_data),
    }
    if kind not in builders:
        raise KeyError(kind)
    template, build = builders[kind]
    data = CohortData.load(cohort)
    return f"{kind}-{slug}.pdf", render(template, build(data, _needs_learners(data)))


def _file_name(enrolment: Enrolment) -> str:
    learner = enrolment.learner
    return slugify(f"{learner.last_name} {learner.first_name}") or f"inscription-{enrolment.pk}"


def cohort_documents_files(*, cohort: Cohort) -> list[tuple[str, bytes]]:
    """The full set as (path, PDF): conventions, weekly sheets, certificats, attestations — read
    with a fixed number of queries, one PDF per learner or week."""
    data = CohortData.load(cohort)
    data.sessions  # noqa: B018 — read first: the scheduled hours are then summed from them
    files = []
    names = {}
    for enrolment in data.enrolments:
        name = _file_name(enrolment)
        names[enrolment.pk] = name if name not in names.values() else f"{name}-{enrolment.pk}"
    for enrolment in data.enrolments:
        name = names[enrolment.pk]
        files.append(
            (f"conventions/{name}.pdf", render("convention.typ", _convention_data(data, [enrolment])))
        )
    for monday, sheet in _weeks(data):
        files.append(
            (
                f"emargement/{monday.isoformat()}.pdf",
                render("emargement.typ", _attendance_data(data, [sheet])),
            )
        )
    for enrolment in data.enrolments:
        name = names[enrolment.pk]
        files.append(
            (
                f"certificats-realisation/{name}.pdf",
                render("certificat.typ", _completion_data(data, [enrolment])),
            )
        )
    for enrolment in data.enrolments:
        name = names[enrolment.pk]
        files.append(
            (
                f"attestations-fin-formation/{name}.pdf",
                render("attestation.typ", _training_data(data, [enrolment])),
            )
        )
    return files


def cohort_documents_zip(*, cohort: Cohort) -> bytes:
    """The full set of a cohort in one ZIP (PDFs are already compressed: stored as they are)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path, content in cohort_documents_files(cohort=cohort):
            archive.writestr(path, content)
    return buffer.getvalue()


# --- the documents of a period (an OPCO invoice) ------------------------------------------------


@dataclass
class _PeriodData(CohortData):
    """A cohort's data limited to the half-days between two dates: a certificat states the hours
    attended on the signed sheets of the period, from the later of entry and period start to the
    earlier of exit and period end."""

    start: dt.date | None = None
    end: dt.date | None = None

    @cached_property
    def enrolments(self) -> list[Enrolment]:
        # Filtering the attendances before annotating restricts `with_hours` to the period.
        return list(
            Enrolment.objects.filter(
                cohort=self.cohort, attendances__session__date__range=(self.start, self.end)
            )
            .with_hours()
            .select_related("learner")
            .order_by("learner__last_name", "learner__first_name", "pk")
        )

    def period_of(self, enrolment: Enrolment) -> tuple[dt.date, dt.date]:
        start, end = super().period_of(enrolment)
        return max(start, self.start), min(end, self.end)


def period_documents_files(*, cohort: Cohort, start: dt.date, end: dt.date) -> list[tuple[str, bytes]]:
    """The proof of an OPCO claim over a period, as (path, PDF): the certificat de réalisation of each
    learner who attended on a signed sheet of the period (hours of the period), and the signed weekly
    émargement sheet of each week with a signed half-day in the period."""
    base = CohortData.load(cohort)
    base.sessions  # noqa: B018 — read first: the scheduled hours are then summed from them
    files = []
    for monday, sheet in _weeks(base):
        week_sessions = [s for s in base.sessions if monday_of(s.date) == monday]
        if not any(s.is_locked and start <= s.date <= end for s in week_sessions):
            continue
        files.append(
            (
                f"emargement/{monday.isoformat()}.pdf",
                render("emargement.typ", _attendance_data(base, [sheet])),
            )
        )
    data = _PeriodData(base.cohort, start=start, end=end)
    # What the sheets already read (cohort, provider, sessions…) is shared; the learners are not.
    data.__dict__.update({k: v for k, v in base.__dict__.items() if k not in ("enrolments", "start", "end")})
    names: dict[int, str] = {}
    for enrolment in data.enrolments:
        if data.hours_of(enrolment).attended <= 0:
            continue
        name = _file_name(enrolment)
        names[enrolment.pk] = name if name not in names.values() else f"{name}-{enrolment.pk}"
        files.append(
            (
                f"certificats-realisation/{names[enrolment.pk]}.pdf",
                render("certificat.typ", _completion_data(data, [enrolment])),
            )
        )
    return files
