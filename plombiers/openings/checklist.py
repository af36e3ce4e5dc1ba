"""« Ouvrir une école »: the eight steps from a name on a map to a school whose offer is public.

Each step is read from what exists (no step is ticked by hand), so the checklist stays right when a
step is done elsewhere (the school's form, the invitations' page, the admin), and any step can be
done later. The whole checklist costs a constant number of queries (one per step at most).
"""

import re
from dataclasses import dataclass, field

from django.urls import reverse
from stdnum.fr import siret

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership
from plombiers.cohorts.models import Cohort
from plombiers.frameworks.models import Framework
from plombiers.invitations.models import TeamInvitation
from plombiers.network.enums import OrganisationKind, SchoolStatus
from plombiers.network.models import Partnership, School
from plombiers.referrals.models import InformationSession

from .models import CalendarTemplate

#: The kinds of partner a school needs before it opens, each with its French name.
PARTNER_KINDS = {
    OrganisationKind.COMPANY: "une entreprise partenaire",
    OrganisationKind.PRESCRIBER: "une structure prescriptrice",
    OrganisationKind.FUNDER: "un financeur",
    OrganisationKind.OPCO: "un OPCO",
}


@dataclass
class Step:
    key: str
    title: str
    done: bool
    summary: str
    missing: list[str] = field(default_factory=list)
    url: str = ""
    action: str = ""


def _school_step(school: School) -> Step:
    missing = []
    if not school.address:
        missing.append("l'adresse")
    holder = school.project_holder
    if holder is None:
        missing.append("le porteur de projet")
    else:
        if not siret.is_valid(holder.siret or ""):
            missing.append(f"un SIRET valide du porteur de projet ({holder.name})")
        if not re.fullmatch(r"\d{11}", holder.nda or ""):
            missing.append(f"le numéro de déclaration d'activité du porteur de projet ({holder.name})")
    return Step(
        "ecole",
        "L'école",
        not missing,
        f"{school.name}, {school.trade} à {school.commune.name}, {school.default_cohort_capacity} places par promotion",
        missing,
        reverse("network:school_edit", args=[school.slug]),
        "Compléter la fiche de l'école",
    )


def school_checklist(school: School) -> list[Step]:
    """The steps of `school` (fetched with its trade, commune and project holder)."""
    steps = [_school_step(school)]

    framework = Framework.objects.current_for(school.trade)
    steps.append(
        Step(
            "referentiel",
            "Le référentiel de compétences",
            framework is not None,
            f"{framework} : chaque nouvelle promotion suit cette version" if framework else "",
            []
            if framework
            else [f"un référentiel pour le métier « {school.trade} » (plombiers load_frameworks)"],
            reverse("skills:framework_detail", args=[framework.pk]) if framework else "",
            "Voir le référentiel" if framework else "",
        )
    )

    template = CalendarTemplate.objects.filter(school=school).first()
    steps.append(
        Step(
            "calendrier",
            "Le calendrier type",
            template is not None,
            (
                f"{template.weeks} semaines, le {template.weekday_labels}"
                + (
                    f", stage en semaine(s) {', '.join(map(str, template.internship_weeks))}"
                    if template.internship_weeks
                    else ""
                )
                if template
                else ""
            ),
            [] if template else ["les jours, les horaires et les semaines de stage d'une promotion"],
            reverse("openings:calendar", args=[school.slug]),
            "Régler le calendrier type",
        )
    )

    cohort = Cohort.objects.filter(school=school).order_by("start_date", "pk").first()
    sessions = cohort.sessions.count() if cohort else 0
    steps.append(
        Step(
            "promotion",
            "La première promotion",
            cohort is not None,
            f"{cohort.name}, du {cohort.start_date:%d/%m/%Y} au {cohort.end_date:%d/%m/%Y} ({sessions} demi-journées)"
            if cohort
            else "",
            [] if cohort else ["une première promotion et ses dates"],
            reverse("cohorts:cohort_detail", args=[cohort.pk])
            if cohort
            else reverse("openings:cohort", args=[school.slug]),
            "Voir la promotion" if cohort else "Créer la première promotion",
        )
    )

    information = InformationSession.objects.filter(school=school).order_by("starts_at").first()
    steps.append(
        Step(
            "information",
            "Les informations collectives",
            information is not None,
            f"première le {information.starts_at:%d/%m/%Y}, {information.place}" if information else "",
            [] if information else ["une information collective pour les candidat·es"],
            reverse("openings:information", args=[school.slug]),
            "Programmer une information collective",
        )
    )

    kinds = set(Partnership.objects.filter(school=school).values_list("organisation__kind", flat=True))
    missing = [label for kind, label in PARTNER_KINDS.items() if kind not in kinds]
    steps.append(
        Step(
            "partenaires",
            "Les partenaires",
            not missing,
            f"{len(kinds & set(PARTNER_KINDS))} type(s) de partenaire sur {len(PARTNER_KINDS)}",
            missing,
            reverse("openings:partners", args=[school.slug]),
            "Choisir dans l'annuaire du réseau",
        )
    )

    roles = set(Membership.objects.filter(school=school).values_list("role", flat=True))
    pending = TeamInvitation.objects.filter(school=school, accepted_at=None, revoked_at=None).count()
    team_missing = [
        label
        for role, label in [(Role.SCHOOL_MANAGER, "un·e responsable"), (Role.TRAINER, "un·e formateur·rice")]
        if role not in roles
    ]
    steps.append(
        Step(
            "equipe",
            "L'équipe",
            not team_missing,
            f"{len(roles)} rôle(s) pourvu(s), {pending} invitation(s) en cours",
            team_missing,
            reverse("invitations:invitation_list") + f"?ecole={school.slug}",
            "Inviter l'équipe",
        )
    )

    is_open = school.status == SchoolStatus.OPEN
    steps.append(
        Step(
            "publication",
            "La page publique et l'offre LHEO",
            is_open,
            f"ouverte depuis le {school.opened_on:%d/%m/%Y} : au catalogue public et dans l'offre LHEO"
            if is_open
            else "",
            []
            if is_open
            else ["ouvrir l'école : elle paraît alors au catalogue public et dans l'offre LHEO"],
            reverse("openings:publish", args=[school.slug]),
            "Ouvrir l'école au public",
        )
    )
    return steps


def progress(steps: list[Step]) -> tuple[int, int]:
    return sum(step.done for step in steps), len(steps)
