"""Trainer and learner pages of the gesture-based training: the cohort matrix, the quick observation
form, the group exercise, a learner's progress, evidence files and the frameworks."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.forms import add_service_errors
from plombiers.frameworks.models import Block, Framework, Skill
from plombiers.views import paginate

from .enums import ACQUIRED_LEVELS, LEVEL_ICONS, LEVEL_SHORT, Level
from .forms import GroupObservationForm, ObservationForm
from .models import Evidence, Observation
from .permissions import can_observe, reads_frameworks, reads_matrix, sees_details
from .selectors import cohort_current_levels, framework_skills, skills_by_block
from .selectors import enrolment_progress as enrolment_progress_of
from .services import observation_record, observations_record_group

# Learners shown in the matrix: in training, or done (their record is still read and completed).
MATRIX_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)
TIMELINE_PAGE_SIZE = 30


# --- who sees what (from the memberships already loaded for the request: no query) ------------------


def _id(value) -> int | None:
    """An identifier from the query string; anything else (or too big for a column) finds nothing."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


# --- the cohort matrix ------------------------------------------------------------------------------


@dataclass
class Cell:
    """One learner × one skill: the current level, if any."""

    enrolment: Enrolment
    skill: Skill
    level: str | None = None
    observed_on: dt.date | None = None

    @property
    def css(self) -> str:
        return _LEVEL_CSS[self.level or ""]

    @property
    def level_html(self) -> SafeString:
        """The level as every page shows it: an icon hidden from screen readers, then its text."""
        return _LEVEL_HTML[self.level or ""]


class CellWriter:
    """The matrix's cells as HTML: a button that opens the quick form, or the level alone (read
    only). Written here rather than in a template, each text escaped once per page: the matrix has
    hundreds of cells, and a template include per cell was most of the page's time (issue 23). The
    htmx swap after an observation writes its cell here too, so both give the same cell."""

    def __init__(self, *, can_observe: bool, observe_url: str):
        self.can_observe = can_observe
        self.observe_url = escape(observe_url)
        self._learners: dict[int, str] = {}
        self._codes: dict[int, str] = {}

    def cell(self, cell: Cell, *, oob: bool = False) -> SafeString:
        enrolment, skill = int(cell.enrolment.pk), int(cell.skill.pk)
        if self.can_observe:
            learner = self._learners.get(enrolment)
            if learner is None:
                learner = self._learners[enrolment] = escape(str(cell.enrolment.learner))
            code = self._codes.get(skill)
            if code is None:
                code = self._codes[skill] = escape(cell.skill.code)
            inner = (
                f'<button type="submit" form="ouvrir-observation" name="cellule" value="{enrolment}-{skill}"'
                f' class="cell-button" hx-get="{self.observe_url}?enrolment={enrolment}&amp;skill={skill}">'
                f'{cell.level_html}<span class="visually-hidden"> — observer {learner}, {code}</span></button>'
            )
        else:
            inner = f'<span class="cell-static">{cell.level_html}</span>'
        swap = ' hx-swap-oob="true"' if oob else ""
        # Every text is escaped above; the rest are integers and constants.
        return mark_safe(  # noqa: S308
            f'<div id="cellule-{enrolment}-{skill}" class="matrix-cell {cell.css}"{swap}>{inner}</div>'
        )

    def row(self, cells: list[Cell]) -> SafeString:
        """A row's data cells, each naming its learner, block and skill headers."""
        return mark_safe(  # noqa: S308 — integers, a constant class, and cells written above
            "".join(
                f'<td class="{"block-start" if cell.skill.block_start else ""}"'
                f' headers="grille-jeune-{int(cell.enrolment.pk)} grille-bloc-{int(cell.skill.block_id)}'
                f' grille-comp-{int(cell.skill.pk)}">{self.cell(cell)}</td>'
                for cell in cells
            )
        )


def _level_html(level: str) -> SafeString:
    icon = LEVEL_ICONS[Level(level or Level.NOT_OBSERVED)]
    if level:
        return format_html(
            '<span class="cell-icon" aria-hidden="true">{}</span> <span class="cell-text">{}</span>',
            icon,
            LEVEL_SHORT[Level(level)],
        )
    return format_html(
        '<span class="cell-icon" aria-hidden="true">{}</span> <span class="cell-text" aria-hidden="true">—</span>'
        '<span class="visually-hidden">Pas encore observé</span>',
        icon,
    )


# The five ways a level shows (none yet, and each level) and their styles: built once.
_LEVEL_HTML = {level: _level_html(level) for level in ["", *Level.values]}
_LEVEL_CSS = {level: f"lvl-{level or 'aucun'}" for level in ["", *Level.values]}


def _matrix_cohort(request, pk) -> Cohort:
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("school", "framework"), pk=pk
    )
    if not reads_matrix(request.user, cohort.school):
        raise Http404  # a learner sees their cohort, not the others' levels
    return cohort


def _matrix_enrolments(cohort: Cohort):
    return (
        Enrolment.objects.filter(cohort=cohort, status__in=MATRIX_STATUSES)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


def cohort_matrix(request, pk):
    cohort = _matrix_cohort(request, pk)
    context = {
        "cohort": cohort,
        "can_observe": can_observe(request.user, cohort.school),
        "observe_url": reverse("skills:observation_create", args=[cohort.pk]),
    }
    writer = CellWriter(can_observe=context["can_observe"], observe_url=context["observe_url"])
    if cohort.framework_id:
        # Three queries whatever the history: skills with blocks, learners, current levels.
        skills = list(framework_skills(cohort.framework_id))
        enrolments = list(_matrix_enrolments(cohort))
        current = cohort_current_levels(cohort.pk)
        blocks = skills_by_block(skills)  # marks each block's first skill (`block_start`)
        rows = []
        for enrolment in enrolments:
            cells = []
            for skill in skills:
                seen = current.get((enrolment.pk, skill.pk), {})
                cells.append(Cell(enrolment, skill, seen.get("level"), seen.get("observed_on")))
            acquired = sum(1 for cell in cells if cell.level in ACQUIRED_LEVELS)
            rows.append(
                SimpleNamespace(
                    enrolment=enrolment,
                    cells_html=writer.row(cells),
                    acquired=acquired,
                )
            )
        context.update(blocks=blocks, skills=skills, rows=rows, levels=_legend())
    return render(request, "skills/cohort_matrix.html", context)


def _legend():
    return [SimpleNamespace(value=level.value, label=level.label, icon=LEVEL_ICONS[level]) for level in Level]


def _observer_cohort(request, pk) -> Cohort:
    cohort = _matrix_cohort(request, pk)
    if not can_observe(request.user, cohort.school):
        raise PermissionDenied("Seule l'équipe pédagogique de l'école peut enregistrer une observation.")
    if not cohort.framework_id:
        raise Http404("Cette promotion n'a pas de référentiel de compétences.")
    return cohort


@require_http_methods(["GET", "POST"])
def observation_create(request, pk):
    cohort = _observer_cohort(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    enrolment_id, skill_id = source.get("enrolment"), source.get("skill")
    if not (enrolment_id and skill_id) and "-" in (cell := request.GET.get("cellule", "")):
        # Without JavaScript, a cell of the matrix submits « cellule=<inscription>-<compétence> ».
        enrolment_id, skill_id = cell.split("-", 1)
    enrolment = get_object_or_404(_matrix_enrolments(cohort), pk=_id(enrolment_id))
    skill = get_object_or_404(framework_skills(cohort.framework_id), pk=_id(skill_id))
    form = ObservationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            observation = observation_record(
                enrolment=enrolment,
                skill=skill,
                level=data["level"],
                by=request.user,
                observed_on=data["observed_on"],
                context=data["context"],
                comment=data["comment"],
                files=form.files_to_store(),
                is_positioning=data["is_positioning"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = (
                f"Observation enregistrée : {enrolment.learner}, {skill.code} — "
                f"{observation.get_level_display().lower()}."
            )
            if request.htmx:
                cell = Cell(enrolment, skill, observation.level, observation.observed_on)
                observe_url = reverse("skills:observation_create", args=[cohort.pk])
                context = {
                    "cell": cell,
                    "cell_html": CellWriter(can_observe=True, observe_url=observe_url).cell(cell, oob=True),
                    "message": message,
                    # The row's count beside the learner's name is swapped too.
                    "acquired": Observation.objects.filter(enrolment=enrolment)
                    .current()
                    .filter(level__in=ACQUIRED_LEVELS)
                    .count(),
                }
                response = render(request, "skills/includes/observation_saved.html", context)
                response["HX-Trigger-After-Swap"] = "observationEnregistree"
                return response
            messages.success(request, message)
            matrix = reverse("skills:cohort_matrix", args=[cohort.pk])
            return redirect(f"{matrix}#cellule-{enrolment.pk}-{skill.pk}")
    context = {
        "cohort": cohort,
        "enrolment": enrolment,
        "skill": skill,
        "form": form,
        "action": reverse("skills:observation_create", args=[cohort.pk]),
    }
    template = "skills/includes/observation_form.html" if request.htmx else "skills/observation_form.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def observation_group(request, pk):
    cohort = _observer_cohort(request, pk)
    form = GroupObservationForm(
        request.POST or None,
        skills=framework_skills(cohort.framework_id),
        enrolments=_matrix_enrolments(cohort),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            observations = observations_record_group(
                enrolments=data["enrolments"],
                skill=data["skill"],
                level=data["level"],
                by=request.user,
                observed_on=data["observed_on"],
                context=data["context"],
                comment=data["comment"],
                is_positioning=data["is_positioning"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = len(observations)
            messages.success(
                request,
                f"Exercice enregistré pour {count} jeune{'s' if count > 1 else ''} : {data['skill'].code} — "
                f"{Level(data['level']).label.lower()}.",
            )
            return redirect("skills:cohort_matrix", cohort.pk)
    return render(request, "skills/observation_group.html", {"cohort": cohort, "form": form})


# --- a learner's progress ---------------------------------------------------------------------------


def enrolment_progress(request, pk):
    user = request.user
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(user).select_related(
            "learner", "cohort__school", "cohort__framework", "exit"
        ),
        pk=pk,
    )
    detailed = sees_details(user, enrolment)
    progress = enrolment_progress_of(enrolment, detailed=detailed)
    blocks = [
        SimpleNamespace(
            block=group.block,
            total=group.total,
            acquired=group.acquired,
            # Widths come from CSS classes in steps of 5 % (the CSP forbids inline styles).
            step=round(20 * group.acquired / group.total) * 5 if group.total else 0,
            skills=group.skills,
        )
        for group in progress.blocks
    ]
    context = {
        "enrolment": enrolment,
        "learner": enrolment.learner,
        "cohort": enrolment.cohort,
        "detailed": detailed,
        "blocks": blocks,
        "acquired": progress.acquired,
        "total": progress.total,
    }
    if detailed:
        positioning = progress.positioning
        for block in blocks:
            block.rows = [
                SimpleNamespace(
                    skill=skill,
                    start=Cell(enrolment, skill, positioning.get(skill.pk)),
                    now=Cell(enrolment, skill, progress.level(skill), progress.observed_on(skill)),
                )
                for skill in block.skills
            ]
        timeline = (
            Observation.objects.filter(enrolment=enrolment)
            .select_related("skill")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
            .order_by("-observed_on", "-pk")
        )
        page = paginate(request, timeline, TIMELINE_PAGE_SIZE)
        for observation in page.object_list:
            observation.cell = Cell(enrolment, observation.skill, observation.level)
        context.update(page=page, has_positioning=bool(positioning))
    return render(request, "skills/enrolment_progress.html", context)


# --- evidence ---------------------------------------------------------------------------------------

INLINE_KINDS = ("jpeg", "png", "webp", "pdf")


def evidence_file(request, pk):
    """The file, streamed after the permission check; its storage path never leaves the server."""
    visible = Observation.objects.detailed_for(request.user).values("pk")
    evidence = get_object_or_404(Evidence.objects.filter(observation__in=visible), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=evidence.kind not in INLINE_KINDS,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- frameworks -------------------------------------------------------------------------------------


def _require_staff(user) -> None:
    if not reads_frameworks(user):
        raise Http404


def framework_list(request):
    _require_staff(request.user)
    frameworks = (
        Framework.objects.select_related("trade")
        .annotate(
            block_count=Count("blocks", distinct=True),
            skill_count=Count("skills", distinct=True),
            # The cohorts the user sees: another network's, on the same framework, are not theirs.
            cohort_count=Count(
                "cohorts",
                filter=Q(cohorts__in=Cohort.objects.visible_to(request.user).values("pk")),
                distinct=True,
            ),
        )
        .order_by("trade__name", "-published_at", "-pk")
    )
    page = paginate(request, frameworks)
    return render(request, "skills/framework_list.html", {"page": page})


def framework_detail(request, pk):
    _require_staff(request.user)
    framework = get_object_or_404(
        Framework.objects.select_related("trade").prefetch_related(
            Prefetch(
                "blocks",
                queryset=Block.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("skills", queryset=Skill.objects.order_by("position", "pk"))
                ),
            )
        ),
        pk=pk,
    )
    return render(request, "skills/framework_detail.html", {"framework": framework})
