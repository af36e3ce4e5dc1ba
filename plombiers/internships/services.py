"""Internships: prepared by the school, the convention accepted by each party through a personal
signed link, started once signed, evaluated by the tutor through another link (no account).

A link is `django.core.signing` of the row's id and a random nonce stored on the row: forging one
needs the secret key, an expired one is refused by its row's date, a used one by its row's state.
"""

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import Enrolment
from plombiers.frameworks.models import Skill
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Contact, Organisation, School
from plombiers.privacy.services import audit_log
from plombiers.skills.enums import Context, Level
from plombiers.skills.services import observation_record
from plombiers.surveys.services import Tutor, tutor_survey_invite

from .enums import (
    APPLICATION_TRANSITIONS,
    SOFT_SKILLS,
    TRANSITIONS,
    ApplicationStatus,
    ContractType,
    EvaluationOutcome,
    InternshipKind,
    InternshipStatus,
    OfferStatus,
    Party,
    Rating,
    TutorAttendance,
)
from .models import Application, CompanySite, ConventionSignature, Internship, Offer, TutorEvaluation
from .permissions import can_manage_internships, can_manage_offers

SIGNING_SALT = "plombiers.internships.convention"
EVALUATION_SALT = "plombiers.internships.evaluation"
# How long after the cohort's last day an internship may still run (« right after the cohort »).
AFTER_COHORT_DAYS = 31
PMSMP_MAX_DAYS = 31


def _link_days() -> int:
    return getattr(settings, "PLOMBIERS_INTERNSHIP_LINK_DAYS", 14)


def convention_read_days() -> int:
    return getattr(settings, "PLOMBIERS_CONVENTION_READ_DAYS", 30)


def _check_team(user: User, school: School) -> None:
    if not can_manage_internships(user, school):
        raise PermissionDenied("Seule l'équipe de l'école prépare les stages.")


def _check_partner(company: Organisation, school: School) -> None:
    if company.kind != OrganisationKind.COMPANY:
        raise ValidationError({"site": "Un stage se fait dans une entreprise."})
    if not company.partnerships.filter(school=school).exists():
        raise ValidationError({"site": "Cette entreprise n'est pas partenaire de l'école."})


def _check_dates(
    *, enrolment: Enrolment, kind: str, start: dt.date, end: dt.date, renewal_of, exclude_pk=None
):
    cohort = enrolment.cohort
    if end < start:
        raise ValidationError({"end_date": "La fin du stage doit suivre son début."})
    if start < cohort.start_date or end > cohort.end_date + dt.timedelta(days=AFTER_COHORT_DAYS):
        raise ValidationError(
            {
                "start_date": "Les dates doivent tomber pendant la promotion ou juste après "
                f"(du {cohort.start_date:%d/%m/%Y} au {cohort.end_date + dt.timedelta(days=AFTER_COHORT_DAYS):%d/%m/%Y})."
            }
        )
    if kind == InternshipKind.PMSMP and (end - start).days + 1 > PMSMP_MAX_DAYS:
        raise ValidationError({"end_date": "Une PMSMP dure un mois au plus (renouvelable une fois)."})
    overlapping = (
        Internship.objects.filter(
            enrolment__learner=enrolment.learner, start_date__lte=end, end_date__gte=start
        )
        .exclude(status=InternshipStatus.INTERRUPTED)
        .exclude(pk=exclude_pk)
    )
    if overlapping.exists():
        other = overlapping.select_related("site__company").first()
        raise ValidationError(
            {
                "start_date": f"Ces dates chevauchent un autre stage du ou de la jeune ({other.site.company.name}, "
                f"du {other.start_date:%d/%m/%Y} au {other.end_date:%d/%m/%Y})."
            }
        )
    if renewal_of is not None:
        if renewal_of.kind != InternshipKind.PMSMP or kind != InternshipKind.PMSMP:
            raise ValidationError("Seule une PMSMP se renouvelle.")
        if renewal_of.renewal_of_id is not None:
            raise ValidationError("Une PMSMP ne se renouvelle qu'une fois.")
        if renewal_of.enrolment.learner_id != enrolment.learner_id:
            raise ValidationError("Le renouvellement concerne le ou la même jeune.")


@transaction.atomic
def internship_create(
    *,
    enrolment: Enrolment,
    by: User,
    site: CompanySite,
    tutor: Contact,
    start_date: dt.date,
    end_date: dt.date,
    kind: str = InternshipKind.INTERNSHIP,
    weekly_hours=35,
    objectives: Iterable[Skill] = (),
    activities: str = "",
    prescriber_organisation: Organisation | None = None,
    renewal_of: Internship | None = None,
) -> Internship:
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("cohort__school", "learner")
        .get(pk=enrolment.pk)
    )
    school = enrolment.cohort.school
    _check_team(by, school)
    if enrolment.status == EnrolmentStatus.DROPPED_OUT:
        raise ValidationError("Ce parcours s'est arrêté : pas de nouveau stage.")
    if kind not in InternshipKind.values:
        raise ValidationError({"kind": f"Type de stage inconnu « {kind} »."})
    _check_partner(site.company, school)
    if tutor.organisation_id != site.company_id:
        raise ValidationError(
            {"tutor": "Le tuteur ou la tutrice doit travailler dans l'entreprise d'accueil."}
        )
    if kind == InternshipKind.PMSMP:
        if prescriber_organisation is None or prescriber_organisation.kind != OrganisationKind.PRESCRIBER:
            raise ValidationError(
                {
                    "prescriber_organisation": "Une PMSMP a une structure prescriptrice (Mission Locale, France Travail…)."
                }
            )
    else:
        prescriber_organisation = None
    _check_dates(enrolment=enrolment, kind=kind, start=start_date, end=end_date, renewal_of=renewal_of)
    objectives = list(objectives)
    if any(skill.framework_id != enrolment.cohort.framework_id for skill in objectives):
        raise ValidationError(
            {"objectives": "Les compétences visées sont celles du référentiel de la promotion."}
        )
    internship = Internship(
        enrolment=enrolment,
        kind=kind,
        site=site,
        tutor=tutor,
        prescriber_organisation=prescriber_organisation,
        renewal_of=renewal_of,
        start_date=start_date,
        end_date=end_date,
        weekly_hours=weekly_hours,
        activities=activities.strip(),
        created_by=by,
    )
    internship.full_clean()
    internship.save()
    internship.objectives.set(objectives)
    audit_log(actor=by, action="internship.create", obj=internship, school=school)
    return internship


EDITABLE = {
    "site",
    "tutor",
    "start_date",
    "end_date",
    "weekly_hours",
    "activities",
    "objectives",
    "prescriber_organisation",
}


@transaction.atomic
def internship_update(*, internship: Internship, by: User, data: dict) -> Internship:
    """Change a draft (a convention sent for signature goes back to draft first)."""
    internship = (
        Internship.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort__school")
        .get(pk=internship.pk)
    )
    school = internship.enrolment.cohort.school
    _check_team(by, school)
    if internship.status != InternshipStatus.DRAFT:
        raise ValidationError("Seul un brouillon se modifie : remettez la convention en brouillon d'abord.")
    unknown = set(data) - EDITABLE
    if unknown:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    objectives = data.pop("objectives", None)
    for name, value in data.items():
        setattr(internship, name, value)
    _check_partner(internship.site.company, school)
    if internship.tutor.organisation_id != internship.site.company_id:
        raise ValidationError(
            {"tutor": "Le tuteur ou la tutrice doit travailler dans l'entreprise d'accueil."}
        )
    _check_dates(
        enrolment=internship.enrolment,
        kind=internship.kind,
        start=internship.start_date,
        end=internship.end_date,
        renewal_of=internship.renewal_of,
        exclude_pk=internship.pk,
    )
    internship.full_clean()
    internship.save()
    if objectives is not None:
        if any(skill.framework_id != internship.enrolment.cohort.framework_id for skill in objectives):
            raise ValidationError(
                {"objectives": "Les compétences visées sont celles du référentiel de la promotion."}
            )
        internship.objectives.set(objectives)
    audit_log(
        actor=by, action="internship.update", obj=internship, school=school, details={"fields": sorted(data)}
    )
    return internship


def _party_identity(internship: Internship, party: str) -> tuple[str, str]:
    learner = internship.enrolment.learner
    school = internship.enrolment.cohort.school
    if party == Party.LEARNER:
        return f"{learner.first_name} {learner.last_name}", learner.email
    if party == Party.COMPANY:
        return internship.tutor.full_name, internship.tutor.email
    if party == Party.SCHOOL:
        return school.name, school.email
    organisation = internship.prescriber_organisation
    return organisation.name, organisation.email


def signing_link(signature: ConventionSignature) -> str:
    token = signing.dumps({"s": signature.pk, "n": signature.nonce}, salt=SIGNING_SALT)
    return reverse("internships:convention_sign", args=[token])


@transaction.atomic
def internship_transition(*, internship: Internship, to: str, by: User, reason: str = "") -> Internship:
    """Move an internship along its workflow (TRANSITIONS in enums).

    → a_signer: one signing link per party is prepared (the convention can be sent); back to
    brouillon: the links and any signature given are withdrawn. → signee is reached only by the
    last party's signature. → en_cours: only a signed convention, from its first day. →
    interrompue: with a reason.
    """
    internship = (
        Internship.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort__school", "enrolment__learner", "tutor", "prescriber_organisation")
        .get(pk=internship.pk)
    )
    school = internship.enrolment.cohort.school
    _check_team(by, school)
    if to not in InternshipStatus.values:
        raise ValidationError(f"Statut inconnu « {to} ».")
    if to not in TRANSITIONS[internship.status]:
        raise ValidationError(
            f"Un stage « {internship.get_status_display()} » ne peut pas passer à « {InternshipStatus(to).label} ».",
            code="transition",
        )
    if to == InternshipStatus.SIGNED:
        raise ValidationError("La convention est signée quand chaque partie l'a acceptée par son lien.")
    if to == InternshipStatus.TO_SIGN:
        internship.signatures.all().delete()
        expires = timezone.now() + dt.timedelta(days=_link_days())
        for party in internship.parties:
            name, email = _party_identity(internship, party)
            ConventionSignature.objects.create(
                internship=internship,
                party=party,
                name=name,
                email=email or "",
                nonce=secrets.token_hex(16),
                expires_at=expires,
            )
    elif to == InternshipStatus.DRAFT:
        internship.signatures.all().delete()
    elif to == InternshipStatus.ONGOING:
        if internship.start_date > timezone.localdate():
            raise ValidationError(f"Le stage commence le {internship.start_date:%d/%m/%Y}.")
    elif to == InternshipStatus.INTERRUPTED:
        if not reason.strip():
            raise ValidationError({"reason": "Indiquez le motif de l'interruption."})
        internship.interruption_reason = reason.strip()
    internship.status = to
    internship.save(update_fields=["status", "interruption_reason"])
    audit_log(actor=by, action=f"internship.{to}", obj=internship, school=school)
    return internship


def _load(token: str, salt: str, model):
    try:
        data = signing.loads(token, salt=salt)
        row = model.objects.get(pk=data["s"], nonce=data["n"])
    except (signing.BadSignature, KeyError, TypeError, model.DoesNotExist) as error:
        raise ValidationError(
            "Ce lien n'est pas valable : vérifiez qu'il est complet, ou demandez-en un nouveau à l'école.",
            code="forged",
        ) from error
    return row


def convention_signature_for(token: str) -> ConventionSignature:
    """The signature row a link designates (forged → ValidationError)."""
    return _load(token, SIGNING_SALT, ConventionSignature)


def convention_link_closes_at(signature: ConventionSignature) -> dt.datetime:
    """Until when a party's link opens the convention (full name, birth date…): while it can be
    signed, then `PLOMBIERS_CONVENTION_READ_DAYS` after the last signature given (one query);
    afterwards one logs in to read it (`convention_pdf`), if one may."""
    if not signature.is_signed:
        return signature.expires_at
    last = ConventionSignature.objects.filter(internship_id=signature.internship_id).aggregate(
        last=Max("signed_at")
    )["last"]
    return (last or signature.signed_at) + dt.timedelta(days=convention_read_days())


@transaction.atomic
def convention_sign(
    *, token: str, name: str, ip: str | None = None, user_agent: str = ""
) -> ConventionSignature:
    """A party accepts the convention through their link, typing their name. The last party's
    acceptance makes the convention signed."""
    signature = convention_signature_for(token)
    signature = (
        ConventionSignature.objects.select_for_update(of=("self",))
        .select_related("internship")
        .get(pk=signature.pk)
    )
    internship = Internship.objects.select_for_update(of=("self",)).get(pk=signature.internship_id)
    if signature.is_signed:
        raise ValidationError(
            f"Cette convention a déjà été signée par ce lien, le {timezone.localtime(signature.signed_at):%d/%m/%Y à %H:%M}.",
            code="reused",
        )
    if signature.expires_at <= timezone.now():
        raise ValidationError("Ce lien a expiré : demandez-en un nouveau à l'école.", code="expired")
    if internship.status != InternshipStatus.TO_SIGN:
        raise ValidationError(
            "Cette convention n'est plus à signer (elle a été modifiée ou annulée).", code="withdrawn"
        )
    name = " ".join(name.split())
    if len(name) < 3:
        raise ValidationError({"name": "Écrivez vos prénom et nom pour signer."})
    signature.signed_at = timezone.now()
    signature.signed_name = name[:200]
    signature.ip_address = ip
    signature.user_agent = user_agent[:300]
    signature.save(update_fields=["signed_at", "signed_name", "ip_address", "user_agent"])
    if not internship.signatures.filter(signed_at__isnull=True).exists():
        internship.status = InternshipStatus.SIGNED
        internship.save(update_fields=["status"])
    audit_log(
        actor=None,
        action="internship.convention_sign",
        obj=internship,
        school=internship.enrolment.cohort.school,
        details={"party": signature.party, "ip": ip},
    )
    return signature


# --- Tutor evaluation -------------------------------------------------------------------------------


def evaluation_link(evaluation: TutorEvaluation) -> str:
    token = signing.dumps({"s": evaluation.pk, "n": evaluation.nonce}, salt=EVALUATION_SALT)
    return reverse("internships:evaluation", args=[token])


@transaction.atomic
def evaluation_request(*, internship: Internship, by: User) -> TutorEvaluation:
    """Prepare (or renew, while unanswered) the tutor's evaluation link."""
    internship = (
        Internship.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort__school")
        .get(pk=internship.pk)
    )
    _check_team(by, internship.enrolment.cohort.school)
    if internship.status not in (InternshipStatus.ONGOING, InternshipStatus.FINISHED):
        raise ValidationError("Le tuteur évalue un stage commencé.")
    evaluation = TutorEvaluation.objects.filter(internship=internship).first()
    if evaluation is not None and evaluation.submitted_at is not None:
        raise ValidationError("Le tuteur ou la tutrice a déjà rendu son évaluation.")
    expires = timezone.now() + dt.timedelta(days=_link_days())
    if evaluation is None:
        evaluation = TutorEvaluation.objects.create(
            internship=internship, nonce=secrets.token_hex(16), expires_at=expires
        )
    else:
        evaluation.nonce, evaluation.expires_at = secrets.token_hex(16), expires
        evaluation.save(update_fields=["nonce", "expires_at"])
    audit_log(
        actor=by,
        action="internship.evaluation_request",
        obj=internship,
        school=internship.enrolment.cohort.school,
    )
    return evaluation


def evaluation_for(token: str) -> TutorEvaluation:
    """The evaluation a link designates, if it can still be answered."""
    evaluation = _load(token, EVALUATION_SALT, TutorEvaluation)
    if evaluation.submitted_at is not None:
        raise ValidationError("Cette évaluation a déjà été envoyée : merci !", code="reused")
    if evaluation.expires_at <= timezone.now():
        raise ValidationError("Ce lien a expiré : demandez-en un nouveau à l'école.", code="expired")
    return evaluation


@dataclass
class EvaluationAnswers:
    tutor_name: str
    attendance: str
    soft_skills: dict[str, str]
    outcome: str
    wants_to_hire: bool | None
    hired_contract: str = ""
    comment: str = ""
    # skill id → level observed on site (levels of the skills app; « non observé » skipped)
    skills: dict[int, str] | None = None


@transaction.atomic
def evaluation_submit(*, token: str, answers: EvaluationAnswers, ip: str | None = None) -> TutorEvaluation:
    """Record the tutor's evaluation; each skill observed on site becomes an observation of the
    skills app (context « stage », observer = the tutor, no account). Everything or nothing."""
    evaluation = evaluation_for(token)
    evaluation = TutorEvaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
    if evaluation.submitted_at is not None:
        raise ValidationError("Cette évaluation a déjà été envoyée : merci !", code="reused")
    internship = Internship.objects.select_related("enrolment__cohort", "tutor").get(
        pk=evaluation.internship_id
    )
    errors = {}
    name = " ".join(answers.tutor_name.split())
    if len(name) < 3:
        errors["tutor_name"] = "Indiquez vos prénom et nom."
    if answers.attendance not in TutorAttendance.values:
        errors["attendance"] = "Choisissez une réponse sur l'assiduité."
    if answers.outcome not in EvaluationOutcome.values:
        errors["outcome"] = "Choisissez comment le stage s'est déroulé."
    for key in SOFT_SKILLS:
        if answers.soft_skills.get(key) not in Rating.values:
            errors[f"soft_{key}"] = f"Choisissez une appréciation pour « {SOFT_SKILLS[key]} »."
    if set(answers.soft_skills) - set(SOFT_SKILLS):
        errors["soft_skills"] = "Critère de savoir-être inconnu."
    if answers.hired_contract and answers.hired_contract not in ContractType.values:
        errors["hired_contract"] = "Type de contrat inconnu."
    if answers.hired_contract and answers.wants_to_hire is not True:
        errors["hired_contract"] = "Un contrat ne s'indique que si vous souhaitez recruter."
    skills = answers.skills or {}
    framework_skills = {
        s.pk: s
        for s in Skill.objects.filter(
            pk__in=list(skills), framework_id=internship.enrolment.cohort.framework_id
        )
    }
    for skill_id, level in skills.items():
        if skill_id not in framework_skills:
            errors["skills"] = "Une compétence ne fait pas partie du référentiel de la promotion."
        elif level not in Level.values:
            errors["skills"] = f"Niveau inconnu « {level} »."
    if errors:
        raise ValidationError(errors)
    evaluation.tutor_name = name[:200]
    evaluation.attendance = answers.attendance
    evaluation.soft_skills = dict(answers.soft_skills)
    evaluation.outcome = answers.outcome
    evaluation.wants_to_hire = answers.wants_to_hire
    evaluation.hired_contract = answers.hired_contract
    evaluation.comment = answers.comment.strip()[:5000]
    evaluation.ip_address = ip
    evaluation.submitted_at = timezone.now()
    evaluation.save()
    observed_on = min(timezone.localdate(), internship.end_date)
    for skill_id, level in sorted(skills.items()):
        if level == Level.NOT_OBSERVED:
            continue
        observation_record(
            enrolment=internship.enrolment,
            skill=framework_skills[skill_id],
            level=level,
            by=None,
            observer_name=f"{name} (tuteur·rice, {internship.site.company.name})",
            observed_on=observed_on,
            context=Context.WORKSITE,
            comment="Observé en entreprise pendant le stage.",
        )
    audit_log(
        actor=None,
        action="internship.evaluation_submit",
        obj=internship,
        school=internship.enrolment.cohort.school,
        details={"ip": ip, "skills": len(skills)},
    )
    # The company's satisfaction survey goes to the tutor, by signed link, once.
    tutor = internship.tutor
    tutor_survey_invite(
        cohort=internship.enrolment.cohort, tutor=Tutor(name=tutor.full_name, email=tutor.email)
    )
    return evaluation


# --- Offers and applications -----------------------------------------------------------------------


@transaction.atomic
def offer_save(*, by: User, offer: Offer, required_skills: Iterable[Skill] | None = None) -> Offer:
    """Create or update an offer (coordinates copied from its commune for the matching)."""
    if not can_manage_offers(by, offer.company):
        raise PermissionDenied("Seules les écoles partenaires de l'entreprise gèrent ses offres.")
    if offer.company.kind != OrganisationKind.COMPANY:
        raise ValidationError({"company": "Une offre vient d'une entreprise."})
    if offer.site is not None and offer.site.company_id != offer.company_id:
        raise ValidationError({"site": "Ce site n'est pas celui de l'entreprise."})
    offer.latitude, offer.longitude = offer.commune.latitude, offer.commune.longitude
    if offer.pk is None:
        offer.created_by = by
    offer.full_clean()
    offer.save()
    if required_skills is not None:
        offer.required_skills.set(list(required_skills))
    audit_log(actor=by, action="offer.save", obj=offer)
    return offer


def _append(text: str, more: str) -> str:
    return (text + "\n" + more.strip()).strip() if more.strip() else text


@transaction.atomic
def application_create(
    *, offer: Offer, enrolment: Enrolment, by: User, note: str = "", shared_note: str = ""
) -> Application:
    """`note` stays with the school's team; `shared_note` is written for the young person and
    their prescriber, who read it on their side (never the team's note)."""
    enrolment = Enrolment.objects.select_related("cohort__school").get(pk=enrolment.pk)
    _check_team(by, enrolment.cohort.school)
    if not offer.company.partnerships.filter(school=enrolment.cohort.school).exists():
        raise ValidationError("Cette entreprise n'est pas partenaire de l'école du ou de la jeune.")
    if offer.status != OfferStatus.OPEN:
        raise ValidationError("Cette offre n'est plus ouverte.")
    if Application.objects.filter(offer=offer, enrolment=enrolment).exists():
        raise ValidationError("Ce ou cette jeune est déjà proposé·e pour cette offre.")
    application = Application.objects.create(
        offer=offer, enrolment=enrolment, note=note.strip(), shared_note=shared_note.strip(), proposed_by=by
    )
    audit_log(actor=by, action="application.create", obj=application, school=enrolment.cohort.school)
    return application


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to: str,
    by: User,
    note: str = "",
    shared_note: str = "",
    hired_on: dt.date | None = None,
) -> Application:
    """A move of the application; each note given is added to the team's note or to the message
    for the young person and their prescriber."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("enrolment__cohort__school", "offer")
        .get(pk=application.pk)
    )
    _check_team(by, application.enrolment.cohort.school)
    if to not in ApplicationStatus.values or to not in APPLICATION_TRANSITIONS[application.status]:
        raise ValidationError(
            f"Une candidature « {application.get_status_display()} » ne peut pas passer à « {to} ».",
            code="transition",
        )
    if to == ApplicationStatus.HIRED:
        application.hired_on = hired_on or timezone.localdate()
    application.status = to
    application.note = _append(application.note, note)
    application.shared_note = _append(application.shared_note, shared_note)
    application.save(update_fields=["status", "hired_on", "note", "shared_note", "updated_at"])
    audit_log(
        actor=by, action=f"application.{to}", obj=application, school=application.enrolment.cohort.school
    )
    return application
