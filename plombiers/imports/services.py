"""Importing a school's spreadsheets: check (a dry run writes nothing), import (all or nothing,
idempotent), undo (while nothing depends on what was created). Page, API and command call these."""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.cohorts.models import AttendanceHistory
from plombiers.lib import events
from plombiers.network.models import Network, School
from plombiers.privacy.retention import months_before, months_for
from plombiers.privacy.services import audit_log

from . import permissions, reading
from .columns import Header, apply_saved, find_header
from .enums import ImportKind, ImportStatus
from .kinds import KINDS, Plan, Problem, attendance_blockers, exits_blockers
from .models import ColumnMapping, ImportJob

# Beyond this many lines, the page hands the import to the task queue and shows its progress.
BIG_FILE_LINES = 1000


@dataclass
class Outcome:
    created: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    job: ImportJob | None = None
    header: Header | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _check_rights(*, by: User | None, school: School, kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(f"Type d'import inconnu : « {kind} ».", code="unknown_kind")
    if by is not None and not permissions.can_import(by, school):
        raise PermissionDenied("Seule la direction de l'école ou la tête de réseau importe ses données.")


def saved_mapping(*, school: School, kind: str) -> dict[str, str]:
    row = ColumnMapping.objects.filter(school=school, kind=kind).first()
    return row.mapping if row else {}


def read_header(*, school: School, kind: str, data: bytes, filename: str, mapping: dict | None = None):
    """The lines of the file, its header line and the mapping of its columns (recognised, then the
    school's remembered mapping, then the one given); or a problem when nothing can be read."""
    columns = KINDS[kind][0]
    try:
        sheet = reading.read(data, filename)
    except reading.ReadError as error:
        return None, None, Problem(1, "", str(error))
    header = find_header(columns, sheet.lines)
    if header is None:
        labels = ", ".join(f"« {c.label} »" for c in columns if c.required)
        first = sheet.lines[0][0] if sheet.lines else 1
        return (
            sheet,
            None,
            Problem(first, "", f"Aucune ligne d'en-têtes reconnue : il faut au moins {labels}."),
        )
    apply_saved(columns, header, saved_mapping(school=school, kind=kind))
    if mapping:
        apply_saved(columns, header, mapping)
    return sheet, header, None


def _plan(*, school, kind, data, filename, mapping=None, progress=None) -> tuple[Plan, Header | None]:
    sheet, header, problem = read_header(
        school=school, kind=kind, data=data, filename=filename, mapping=mapping
    )
    if problem:
        return Plan(errors=[problem]), header
    lines = [(n, row) for n, row in sheet.lines if n > header.line]
    plan = KINDS[kind][1](school=school, header=header, lines=lines, progress=progress)
    plan.errors.sort(key=lambda p: p.line)
    return plan, header


def import_file(
    *,
    school: School,
    kind: str,
    data: bytes,
    filename: str,
    by: User | None,
    dry_run: bool = False,
    mapping: dict | None = None,
    job: ImportJob | None = None,
) -> Outcome:
    """Check the file, then (unless `dry_run` or any problem) write it all in one transaction.
    `by=None` is the system (the `plombiers import` command). Nothing is written when there is a
    problem; re-importing the same file creates nothing."""
    _check_rights(by=by, school=school, kind=kind)
    if kind == ImportKind.EXITS and by is None and not dry_run:
        raise ValidationError(
            "Une sortie est enregistrée par une personne de l'école : indiquez qui importe (--by).",
            code="by_required",
        )

    def progress(done):
        if job is not None:
            ImportJob.objects.filter(pk=job.pk).update(done=done)

    plan, header = _plan(
        school=school, kind=kind, data=data, filename=filename, mapping=mapping, progress=progress
    )
    outcome = Outcome(plan.created, plan.unchanged, [p.as_dict() for p in plan.errors], job, header)
    if plan.errors or dry_run:
        return outcome
    # A history brought in is no news: partners' webhooks are not called for it (they read it by the API).
    with transaction.atomic(), events.silenced():
        created = KINDS[kind][2](school=school, plan=plan, by=by) if plan.created else {}
        if job is None:
            job = ImportJob(school=school, kind=kind, filename=filename[:200], by=by)
        job.mapping = {key: header.title(key) for key in header.mapping}
        job.status = ImportStatus.DONE
        job.content = b""
        job.total = job.done = plan.created + plan.unchanged
        job.created_count, job.unchanged_count, job.errors = plan.created, plan.unchanged, []
        job.created_objects = [[label, ids] for label, ids in created.items()]
        job.finished_at = timezone.now()
        job.save()
        if ids := created.get("cohorts.attendancehistory"):
            # The months know the import that brought them (`cohorts` lies below `imports`: an id).
            AttendanceHistory.objects.filter(pk__in=ids).update(import_job=job.pk, source=filename[:200])
        audit_log(
            actor=by,
            action=f"import.{kind}",
            obj=job,
            school=school,
            details={"created": plan.created, "unchanged": plan.unchanged, "file": filename[:200]},
        )
    outcome.job = job
    return outcome


# --- the page's steps ---------------------------------------------------------------------------


@transaction.atomic
def job_upload(*, school: School, kind: str, data: bytes, filename: str, by: User) -> ImportJob:
    """Keep an uploaded file for the page's next steps (mapping, dry run, import)."""
    _check_rights(by=by, school=school, kind=kind)
    if len(data) > reading.MAX_BYTES:
        raise ValidationError(f"Fichier trop lourd : {reading.MAX_BYTES // (1024 * 1024)} Mo au plus.")
    job = ImportJob.objects.create(school=school, kind=kind, filename=filename[:200], content=data, by=by)
    audit_log(actor=by, action="import.upload", obj=job, school=school, details={"file": filename[:200]})
    return job


@transaction.atomic
def job_check(*, job: ImportJob, mapping: dict[str, str], by: User) -> Outcome:
    """Remember the mapping for the school, then dry-run the file with it."""
    _check_rights(by=by, school=job.school, kind=job.kind)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
        raise ValidationError("Cet import n'est plus à vérifier.", code="locked")
    ColumnMapping.objects.update_or_create(school=job.school, kind=job.kind, defaults={"mapping": mapping})
    outcome = import_file(
        school=job.school, kind=job.kind, data=bytes(job.content), filename=job.filename, by=by,
        dry_run=True, mapping=mapping,
    )  # fmt: skip
    job.mapping = mapping
    job.status = ImportStatus.CHECKED
    job.errors = outcome.errors
    job.created_count, job.unchanged_count = outcome.created, outcome.unchanged
    job.total = outcome.created + outcome.unchanged + len({e["line"] for e in outcome.errors})
    job.save(update_fields=["mapping", "status", "errors", "created_count", "unchanged_count", "total"])
    return outcome


def job_start(*, job: ImportJob, by: User) -> ImportJob:
    """Import a checked file: at once when it is small, through the task queue when it is big."""
    from . import tasks

    _check_rights(by=by, school=job.school, kind=job.kind)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.CHECKED or job.errors:
            raise ValidationError("Seul un fichier vérifié et sans problème s'importe.", code="locked")
        job.status, job.done = ImportStatus.QUEUED, 0
        job.save(update_fields=["status", "done"])
    if job.total > BIG_FILE_LINES:
        transaction.on_commit(lambda: tasks.run_import.enqueue(job.pk))
        return job
    return job_run(job_id=job.pk)


def job_run(*, job_id: int) -> ImportJob:
    """Import a queued job (the task queue's worker, or the page for a small file)."""
    job = ImportJob.objects.select_related("school", "by").get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    job.status = ImportStatus.RUNNING
    outcome = import_file(
        school=job.school, kind=job.kind, data=bytes(job.content), filename=job.filename, by=job.by,
        mapping=job.mapping, job=job,
    )  # fmt: skip
    if not outcome.ok:
        # The data changed between the check and the import: nothing was written; say why.
        job.status, job.errors = ImportStatus.FAILED, outcome.errors
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "finished_at"])
    return outcome.job or job


# --- undo -----------------------------------------------------------------------------------------


def undo_blockers(job: ImportJob) -> list[str]:
    """What prevents undoing an import: anything made since that depends on what it created."""
    if job.status != ImportStatus.DONE:
        return ["Seul un import terminé s'annule."]
    created = {label: set(ids) for label, ids in job.created_objects}
    collector = NestedObjects(using=router.db_for_write(ImportJob))
    for label, ids in job.created_objects:
        collector.collect(list(apps.get_model(label).objects.filter(pk__in=ids)))
    # A referral PROTECTs its learner: protected, but created by the import too, so deleted first.
    blockers = [
        f"{obj._meta.verbose_name} « {obj} »"
        for obj in collector.protected
        if obj.pk not in created.get(obj._meta.label_lower, set())
    ]
    for model, objects in collector.data.items():
        extra = [o for o in objects if o.pk not in created.get(model._meta.label_lower, set())]
        blockers += [f"{model._meta.verbose_name} « {o} »" for o in extra]
    if job.kind == ImportKind.EXITS:
        blockers += exits_blockers(job)
    if job.kind == ImportKind.ATTENDANCE:
        blockers += attendance_blockers(job)
    return blockers[:20]


@transaction.atomic
def import_undo(*, job: ImportJob, by: User | None) -> ImportJob:
    """Delete what the import created, only while nothing depends on it (a referral moved on, a
    site that hosted an internship…): then nothing is deleted and the reason is given."""
    job = ImportJob.objects.select_for_update().select_related("school").get(pk=job.pk)
    _check_rights(by=by, school=job.school, kind=job.kind)
    blockers = undo_blockers(job)
    if blockers:
        raise ValidationError(
            "Impossible d'annuler : des données en dépendent depuis l'import (" + " ; ".join(blockers) + ").",
            code="locked",
        )
    for label, ids in reversed(job.created_objects):
        apps.get_model(label).objects.filter(pk__in=ids).delete()
    job.status, job.undone_at = ImportStatus.UNDONE, timezone.now()
    job.save(update_fields=["status", "undone_at"])
    audit_log(actor=by, action="import.undo", obj=job, school=job.school, details={"kind": job.kind})
    return job


KIND_LABELS = dict(ImportKind.choices)


# --- retention ----------------------------------------------------------------------------------

FORGOTTEN = (
    "Le fichier a été effacé : déposé il y a plus longtemps que sa durée de conservation sans être "
    "importé. Déposez-le à nouveau."
)


@transaction.atomic
def files_forget(today=None) -> int:
    """Erase the content of the files uploaded and never imported for longer than the retention
    rule « import_files » of their network (one month unless it set its own); the job stays, failed,
    with its counts and a line saying why. An imported file is erased at once (`import_file`)."""
    today = today or timezone.localdate()
    count = 0
    waiting = ImportJob.objects.exclude(content=b"").exclude(
        status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    )
    for network in Network.objects.all():
        since = months_before(today, months_for(network, "import_files"))
        count += waiting.filter(school__network=network, created_at__date__lt=since).update(
            content=b"",
            status=ImportStatus.FAILED,
            errors=[{"line": 0, "column": "", "message": FORGOTTEN}],
        )
    return count
