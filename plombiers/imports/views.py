"""The import pages (`/imports/`): upload → columns and first lines → dry run → import (progress
polled by htmx when the task queue runs it) → undo. The school's manager and its network staff."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plombiers.accounts.permissions import manages_schools
from plombiers.forms import add_service_errors
from plombiers.network.models import School
from plombiers.views import paginate

from . import permissions, services
from .enums import ImportStatus
from .forms import MappingForm, UploadForm
from .kinds import KINDS
from .models import ImportJob

PREVIEW_LINES = 5


def _check_page(user) -> None:
    if not manages_schools(user):
        raise Http404("Les imports sont réservés à la direction des écoles et à la tête de réseau.")


def _schools(user):
    visible = School.objects.visible_to(user).select_related("network")
    return School.objects.filter(pk__in=[s.pk for s in visible if permissions.can_import(user, s)])


def _job(request, pk) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("school", "by"), pk=pk)


def job_list(request):
    _check_page(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, schools=_schools(request.user))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.job_upload(
                school=form.cleaned_data["school"],
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                filename=upload.name,
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(
                form, error if isinstance(error, ValidationError) else ValidationError(str(error))
            )
        else:
            return redirect("imports:job_detail", job.pk)
    jobs = paginate(
        request, ImportJob.objects.visible_to(request.user).with_list_related_data().defer("content")
    )
    return render(request, "imports/job_list.html", {"form": form, "page": jobs})


def _preview(job: ImportJob, mapping_form_data=None) -> dict:
    """The header found, the mapping form and the first lines of the file."""
    sheet, header, problem = services.read_header(
        school=job.school, kind=job.kind, data=bytes(job.content), filename=job.filename, mapping=job.mapping
    )
    if problem:
        return {"problem": problem, "form": None, "preview": [], "titles": []}
    columns = KINDS[job.kind][0]
    form = MappingForm(mapping_form_data, columns=columns, titles=header.titles, mapping=header.mapping)
    preview = [row for number, row in sheet.lines if number > header.line][:PREVIEW_LINES]
    width = len(header.titles)
    preview = [[*row[:width], *[""] * (width - len(row))] for row in preview]
    return {"problem": None, "form": form, "preview": preview, "titles": header.titles}


def job_detail(request, pk):
    job = _job(request, pk)
    context = {"job": job, "problem": None, "form": None, "preview": [], "titles": [], "blockers": []}
    if job.status in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
        context |= _preview(job)
    if job.status == ImportStatus.DONE:
        context["blockers"] = services.undo_blockers(job)
    return render(request, "imports/job_detail.html", context)


@require_POST
def job_check(request, pk):
    job = _job(request, pk)
    context = {"job": job, "blockers": []} | _preview(job, request.POST)
    form = context["form"]
    if form is not None and form.is_valid():
        try:
            services.job_check(job=job, mapping=form.cleaned_data, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("imports:job_detail", job.pk)
    return render(request, "imports/job_detail.html", context, status=422)


@require_POST
def job_start(request, pk):
    job = _job(request, pk)
    try:
        job = services.job_start(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, f"Import terminé : {job.created_count} ligne(s) créée(s).")
    return redirect("imports:job_detail", job.pk)


def job_progress(request, pk):
    """The progress bar alone (htmx polls it while the task runs), or the page."""
    job = _job(request, pk)
    if not request.htmx:
        return redirect("imports:job_detail", job.pk)
    response = render(request, "imports/includes/progress.html", {"job": job})
    if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        response["HX-Refresh"] = "true"  # finished: the whole page shows the result
    return response


@require_POST
def job_undo(request, pk):
    job = _job(request, pk)
    try:
        services.import_undo(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Import annulé : ce qu'il avait créé est supprimé.")
    return redirect("imports:job_detail", job.pk)
