"""`plombiers init --network NAME --admin EMAIL`: a new network, from an empty database
(plombiers/network/initialisation.py, docs/replicate.md)."""

import getpass
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from plombiers.network.initialisation import InitError, network_init, network_init_check, password_check
from plombiers.privacy.retention import RULES

PASSWORD_ENV = "PLOMBIERS_ADMIN_PASSWORD"  # noqa: S105 — the name of the variable, not a password


class Command(BaseCommand):
    help = (
        "Démarre un réseau dans une base vide (après « plombiers migrate ») : communes, métiers et "
        "référentiels, catégories de freins, le réseau et son administrateur·rice — aucune donnée "
        "fictive. Le relancer ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("--network", required=True, help="nom du réseau (« Réseau des écoles … »)")
        parser.add_argument("--admin", required=True, help="adresse e-mail de l'administrateur·rice")
        parser.add_argument(
            "--communes",
            nargs="+",
            metavar="CODE_INSEE",
            help="ne charger que ces communes (par défaut : toutes, si elles ne le sont pas déjà)",
        )

    def handle(self, *args, network, admin, communes, **options):
        try:
            _existing, account = network_init_check(name=network, admin_email=admin)
            password = None if account else self.password(admin)
            report = network_init(name=network, admin_email=admin, password=password, communes=communes)
        except InitError as error:
            raise CommandError(f"{error} Rien n'a été écrit.") from None
        if report.changed:
            for line in report.done:
                self.stdout.write(f"  {line}")
            self.stdout.write(self.style.SUCCESS(f"Réseau « {report.network.name} » prêt."))
        else:
            self.stdout.write(f"Réseau « {report.network.name} » déjà prêt : rien n'a changé.")
        self.stdout.write(self.next_steps(report))

    def password(self, email: str) -> str:
        """From the environment (scripts), or asked twice (a person at a terminal)."""
        password = os.environ.get(PASSWORD_ENV, "")
        if password:
            password_check(password, email=email)
            return password
        if not sys.stdin.isatty():
            raise InitError(
                f"Mot de passe de l'administrateur·rice manquant : donnez-le dans la variable "
                f"{PASSWORD_ENV}, ou lancez la commande dans un terminal pour le saisir."
            )
        password = getpass.getpass(f"Mot de passe de {email} : ")
        password_check(password, email=email)
        if getpass.getpass("Le même, encore une fois : ") != password:
            raise InitError("Les deux mots de passe ne sont pas identiques.")
        return password

    def next_steps(self, report) -> str:
        site = settings.SITE_URL or "https://<votre-domaine>"
        return "\n".join(
            [
                "",
                "Prochaines étapes (docs/replicate.md) :",
                f"  1. Connectez-vous sur {site}{reverse('account_login')} avec {report.admin.email} ; "
                "activez la double authentification quand elle vous est demandée (obligatoire "
                f"après {settings.PLOMBIERS_MFA_GRACE_DAYS} jours).",
                f"  2. Ouvrez la première école : {site}{reverse('network:school_list')} — "
                "« Ouvrir une école » (école, version du référentiel, calendrier type, première "
                "promotion et informations collectives, partenaires, équipe, page publique et offre "
                "LHEO).",
                "  3. Invitez l'équipe de l'école (responsable, formateur·rices, accompagnateur·rices) : "
                "chacun·e choisit son mot de passe et active la double authentification.",
                f"  4. Vérifiez les durées de conservation ({len(RULES)} règles, celles par défaut "
                f"s'appliquent) : {site}{reverse('rights:retention_settings')}.",
                "  5. Les textes des documents (convention, émargement, attestations) sont fournis ; "
                "renseignez pour chaque école son porteur de projet (SIRET, numéro de déclaration d'activité).",
            ]
        )
