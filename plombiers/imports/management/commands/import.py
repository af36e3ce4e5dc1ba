"""`plombiers import KIND FILE --school SLUG [--dry-run] [--by EMAIL]`: the same import as the page and
the API. Without `--by` the system imports (no rights checked); with it, that person imports, with
their rights; exits need it (an exit is recorded by someone of the school)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from plombiers.accounts.models import User
from plombiers.imports.enums import ImportKind
from plombiers.imports.services import import_file
from plombiers.network.models import School


class Command(BaseCommand):
    help = "Importe un tableur (CSV ou XLSX) dans une école : tout ou rien, sans doublon."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values, help="ce que contient le fichier")
        parser.add_argument("file", type=Path, help="fichier .csv ou .xlsx")
        parser.add_argument("--school", required=True, help="identifiant d'URL (slug) de l'école")
        parser.add_argument("--dry-run", action="store_true", help="vérifier seulement, sans rien écrire")
        parser.add_argument(
            "--by", default="", help="e-mail de la personne qui importe (obligatoire pour les sorties)"
        )

    def handle(self, *args, kind, file, school, dry_run, by, **options):
        target = School.objects.filter(slug=school).first()
        if target is None:
            raise CommandError(f"École inconnue : « {school} ».")
        person = None
        if by:
            person = User.objects.filter(email__iexact=by.strip(), is_active=True).first()
            if person is None:
                raise CommandError(f"Personne inconnue : « {by} ».")
        elif kind == ImportKind.EXITS:
            raise CommandError(
                "Les sorties sont enregistrées par une personne de l'école : indiquez son e-mail avec --by."
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error.strerror or error}.") from error
        try:
            outcome = import_file(
                school=target, kind=kind, data=data, filename=file.name, by=person, dry_run=dry_run
            )
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", None) or [str(error)])) from error
        for error in outcome.errors:
            column = f", colonne « {error['column']} »" if error["column"] else ""
            self.stderr.write(f"Ligne {error['line']}{column} : {error['message']}")
        if outcome.errors:
            raise CommandError(f"{len(outcome.errors)} problème(s) : rien n'a été importé.")
        verb = "à créer" if dry_run else "créées"
        self.stdout.write(f"{outcome.created} ligne(s) {verb}, {outcome.unchanged} déjà présente(s).")
        if not dry_run and not outcome.created:
            self.stdout.write("Rien de nouveau : ce fichier a déjà été importé.")
