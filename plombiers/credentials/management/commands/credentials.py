"""`plombiers credentials reissue --all-affected` re-signs the attestations that verifiers refuse
(issue 17); `plombiers credentials check [--reference]` verifies every stored credential, status
list and issuer profile, with our verifier and with Digital Bazaar's (Node.js, `verifier/`)."""

from django.core.management.base import BaseCommand, CommandError

from plombiers.credentials import services
from plombiers.credentials.reference import ReferenceUnavailable, ReferenceVerifier, check_stored

LABELS = {"verified": "authentique(s)", "revoked": "révoquée(s)", "rejected": "refusée(s)"}


def _counts(counter) -> str:
    return ", ".join(f"{counter.get(outcome, 0)} {label}" for outcome, label in LABELS.items())


class Command(BaseCommand):
    help = (
        "Attestations Open Badges : « reissue --all-affected » remet en conformité celles que les "
        "vérificateurs refusent ; « check [--reference] » les vérifie toutes."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        reissue = actions.add_parser(
            "reissue",
            help="Signe à nouveau, sous le même identifiant public, chaque attestation valide que les "
            "vérificateurs refusent ; l'ancienne version est révoquée « mise en conformité ».",
        )
        reissue.add_argument(
            "--all-affected",
            action="store_true",
            help="toutes les attestations concernées (obligatoire : la commande n'en choisit pas d'autres)",
        )
        reissue.add_argument("--dry-run", action="store_true", help="compter sans rien changer")
        check = actions.add_parser(
            "check", help="Vérifie toutes les attestations, listes de statut et profils."
        )
        check.add_argument(
            "--reference",
            action="store_true",
            help="aussi avec les bibliothèques de Digital Bazaar (Node.js 20, « make verifier »)",
        )

    def handle(self, *args, action, **options):
        # (not `self.check`: BaseCommand runs the system checks under that name)
        if action == "reissue":
            self.run_reissue(all_affected=options["all_affected"], dry_run=options["dry_run"])
        else:
            self.run_check(reference=options["reference"])

    def run_reissue(self, *, all_affected: bool, dry_run: bool) -> None:
        if not all_affected:
            raise CommandError(
                "Précisez --all-affected : toutes les attestations concernées sont remises en conformité."
            )
        report = services.attestations_reissue_affected(dry_run=dry_run)
        verb = "à remettre" if dry_run else "remise(s)"
        for school, count in report.reissued.items():
            self.stdout.write(f"  {school} : {count} attestation(s) {verb} en conformité")
        if report.total:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.total} attestation(s) {verb} en conformité"
                    + (
                        ""
                        if dry_run
                        else " : même identifiant public (liens et QR codes inchangés), l'ancienne version "
                        f"révoquée avec le motif « {services.COMPLIANCE_REASON} », journalisé"
                    )
                    + "."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("Aucune attestation à remettre en conformité."))
        self.stdout.write(
            f"{report.compliant} attestation(s) valide(s) déjà conforme(s) ; "
            f"{report.revoked} révoquée(s) laissée(s) telle(s) quelle(s)."
        )

    def run_check(self, *, reference: bool) -> None:
        verifier = None
        if reference:
            try:
                verifier = ReferenceVerifier()
            except ReferenceUnavailable as error:
                raise CommandError(str(error)) from error
        try:
            report = check_stored(verifier)
        finally:
            if verifier is not None:
                verifier.close()
        self.stdout.write(f"Attestations, notre vérificateur : {_counts(report.credentials['ours'])}.")
        self.stdout.write(f"Listes de statut, notre vérificateur : {_counts(report.status_lists['ours'])}.")
        if report.replaced:
            self.stdout.write(
                f"({report.replaced} ancienne(s) version(s) remplacée(s) lors d'une mise en conformité.)"
            )
        if verifier is None:
            return
        versions = ", ".join(f"{name} {version}" for name, version in verifier.versions.items())
        self.stdout.write(f"Référence ({versions}) :")
        self.stdout.write(f"  attestations : {_counts(report.credentials['reference'])} ;")
        self.stdout.write(f"  listes de statut : {_counts(report.status_lists['reference'])} ;")
        self.stdout.write(
            f"  profils des émetteurs : {report.profiles.get('verified', 0)} accepté(s), "
            f"{report.profiles.get('rejected', 0)} refusé(s)."
        )
        for url, errors in report.rejections:
            self.stdout.write(f"  refusé : {url} — {' ; '.join(errors)}")
        for url, theirs, ours in report.disagreements[:10]:
            self.stdout.write(f"  désaccord : {url} — référence {theirs}, nous {ours}")
        if not report.ok:
            raise CommandError(
                f"{len(report.disagreements)} désaccord(s) avec la référence ; des documents valides sont refusés."
            )
        self.stdout.write(
            self.style.SUCCESS("La référence et notre vérificateur sont d'accord sur chaque document.")
        )
