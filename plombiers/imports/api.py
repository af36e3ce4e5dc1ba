"""`POST /api/v1/imports`: a spreadsheet imported into a school, as the page and the command do."""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from plombiers.lib.api import Id
from plombiers.network.models import School

from .enums import ImportKind
from .services import import_file

router = Router(tags=["imports"])


class ProblemOut(Schema):
    line: int = Field(..., description="numéro de la ligne dans le fichier (1 : la première)")
    column: str = Field(..., description="titre de la colonne dans le fichier (vide : toute la ligne)")
    message: str


class ImportOut(Schema):
    created: int = Field(..., description="lignes qui créent des données (à créer pour un essai)")
    unchanged: int = Field(..., description="lignes déjà importées : rien de nouveau")
    errors: list[ProblemOut]
    job: int | None = Field(None, description="l'import enregistré (annulable), sauf pour un essai")


class ImportInvalidOut(Schema):
    """422: the problems of the file, line by line (nothing written); or a request that does not
    follow the schema (`detail`, and `errors` as for every invalid request)."""

    created: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = []
    detail: str


@router.post("/imports", response={200: ImportOut, 422: ImportInvalidOut})
def import_create(
    request,
    kind: Form[ImportKind],
    school: Form[Id],
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
):
    """Import a CSV (`;` or `,`, UTF-8 or Windows-1252) or XLSX file into a school: everything or
    nothing. `dry_run` checks without writing. 422 lists every problem as line, column, message."""
    target = get_object_or_404(School.objects.visible_to(request.user), pk=school)
    data = file.read(20 * 1024 * 1024 + 1)
    outcome = import_file(
        school=target, kind=kind, data=data, filename=file.name or "", by=request.user, dry_run=dry_run
    )
    body = {"created": outcome.created, "unchanged": outcome.unchanged, "errors": outcome.errors}
    if outcome.errors:
        return Status(422, {**body, "detail": f"{len(outcome.errors)} problème(s) : rien n'a été importé."})
    return Status(200, {**body, "job": outcome.job.pk if outcome.job else None})
