"""Partner companies: their sites and tutors (services), and what the relationship page reads
(selectors, each figure one SQL aggregation)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Case, Count, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import ExtractYear

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership, User
from plombiers.frameworks.models import Framework, Skill
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Contact, Organisation, Partnership, School
from plombiers.privacy.services import audit_log

from .enums import SOFT_SKILLS, ApplicationStatus, InternshipStatus, OfferStatus, Rating
from .models import Application, CompanySite, Internship, Offer, TutorEvaluation
from .permissions import can_manage_offers

# The four steps of the tutor's scale, as numbers to average and back to words.
RATING_STEPS = {Rating.INSUFFICIENT: 1, Rating.FAIR: 2, Rating.GOOD: 3, Rating.VERY_GOOD: 4}
RATING_WORDS = {step: Rating(rating).label for rating, step in RATING_STEPS.items()}


def team_schools(user: User):
    """The schools whose team the user belongs to, or that the user oversees as network staff."""
    mine = Membership.objects.filter(user=user)
    if user.is_superuser:
        return School.objects.all()
    return School.objects.filter(
        Q(pk__in=mine.filter(role__in=SCHOOL_ROLES).values("school"))
        | Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
    )


def partner_companies(user: User):
    """Companies partnered with the user's schools: the only ones whose relationship page, sites,
    tutors and offers the user reaches (anybody else gets a 404)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.COMPANY,
        pk__in=Partnership.objects.filter(school__in=team_schools(user)).values("organisation"),
    )


def tutors_visible_to(user: User):
    return Contact.objects.filter(organisation__in=partner_companies(user))


def current_frameworks(schools):
    """The latest framework of each trade taught by these schools."""
    latest = (
        Framework.objects.filter(trade=OuterRef("trade")).order_by("-published_at", "-pk").values("pk")[:1]
    )
    return Framework.objects.filter(trade__in=schools.values("trade"), pk=Subquery(latest))


def offer_skills(company_ids):
    """The skills an offer of these companies may require: those of the current frameworks of
    the trades of the schools the companies are partnered with."""
    schools = School.objects.filter(partnerships__organisation__in=company_ids)
    return Skill.objects.filter(framework__in=current_frameworks(schools))


def _check(by: User, company: Organisation) -> None:
    if not can_manage_offers(by, company):
        raise PermissionDenied("Seules les écoles partenaires de l'entreprise gèrent ses sites et tuteurs.")
    if company.kind != OrganisationKind.COMPANY:
        raise ValidationError("Seule une entreprise a des sites et des tuteurs.")


@transaction.atomic
def company_site_save(*, site: CompanySite, by: User) -> CompanySite:
    """Create or change a site of a partner company."""
    _check(by, site.company)
    site.name = " ".join(site.name.split())
    site.address = site.address.strip()
    site.full_clean()
    site.save()
    audit_log(actor=by, action="company_site.save", obj=site)
    return site


@transaction.atomic
def tutor_save(*, contact: Contact, by: User) -> Contact:
    """Create or change a tutor (a contact of the company) of a partner company."""
    _check(by, contact.organisation)
    contact.full_name = " ".join(contact.full_name.split())
    if len(contact.full_name) < 3:
        raise ValidationError({"full_name": "Indiquez les prénom et nom du tuteur ou de la tutrice."})
    contact.full_clean()
    contact.save()
    audit_log(actor=by, action="tutor.save", obj=contact)
    return contact


# --- the relationship page -----------------------------------------------------------------------


@dataclass
class SoftSkillAverage:
    label: str
    average: float | None

    @property
    def words(self) -> str:
        return rating_words(self.average)


def rating_words(average: float | None) -> str:
    """An average on the 1–4 scale in the tutors' words (the nearest step), never a grade."""
    if average is None:
        return "—"
    return RATING_WORDS[min(4, max(1, int(average + 0.5)))]


def _step(key: str):
    return Case(
        *(When(**{f"soft_skills__{key}": rating}, then=Value(step)) for rating, step in RATING_STEPS.items()),
        default=None,
        output_field=FloatField(),
    )


def internships_by_year(internships):
    """Per year of start: hosted, finished, interrupted. One query."""
    return list(
        internships.annotate(year=ExtractYear("start_date"))
        .values("year")
        .annotate(
            hosted=Count("pk"),
            finished=Count("pk", filter=Q(status=InternshipStatus.FINISHED)),
            interrupted=Count("pk", filter=Q(status=InternshipStatus.INTERRUPTED)),
        )
        .order_by("-year")
    )


def evaluation_summary(internships) -> dict:
    """The tutors' evaluations of these internships: how many, the average of each savoir-être
    criterion (and of all), how many tutors wish to recruit or proposed a contract. One query."""
    evaluations = TutorEvaluation.objects.filter(internship__in=internships, submitted_at__isnull=False)
    averages = {f"avg_{key}": Avg(_step(key)) for key in SOFT_SKILLS}
    row = evaluations.aggregate(
        submitted=Count("pk"),
        wants_to_hire=Count("pk", filter=Q(wants_to_hire=True)),
        contracts=Count("pk", filter=~Q(hired_contract="")),
        **averages,
    )
    values = [row[f"avg_{key}"] for key in SOFT_SKILLS if row[f"avg_{key}"] is not None]
    overall = sum(values) / len(values) if values else None
    return {
        "submitted": row["submitted"],
        "wants_to_hire": row["wants_to_hire"],
        "contracts": row["contracts"],
        "overall": SoftSkillAverage("Savoir-être (moyenne des critères)", overall),
        "criteria": [SoftSkillAverage(label, row[f"avg_{key}"]) for key, label in SOFT_SKILLS.items()],
    }


def company_relationship(*, company: Organisation, user: User) -> dict:
    """What the relationship page shows, each part within what the user may see: the
    internships, evaluations and hires of their schools' young people, the company's offers."""
    internships = Internship.objects.visible_to(user).filter(site__company=company)
    hires = Application.objects.visible_to(user).filter(
        offer__company=company, status=ApplicationStatus.HIRED
    )
    offers = Offer.objects.visible_to(user).filter(company=company)
    counts = offers.aggregate(
        open=Count("pk", filter=Q(status=OfferStatus.OPEN)),
        filled=Count("pk", filter=Q(status=OfferStatus.FILLED)),
        total=Count("pk"),
    )
    return {
        "sites": company.sites.select_related("commune").annotate(
            hosted=Count("internships", filter=Q(internships__in=internships))
        ),
        "tutors": company.contacts.annotate(
            tutored=Count("internships_tutored", filter=Q(internships_tutored__in=internships))
        ).order_by("full_name"),
        "by_year": internships_by_year(internships),
        "evaluations": evaluation_summary(internships),
        "offer_counts": counts,
        "hire_count": hires.count(),
        "hires": hires.select_related("enrolment__learner", "offer").order_by("-hired_on", "-pk")[:20],
        "open_offers": offers.open().select_related("site", "commune").order_by("-created_at", "pk"),
    }
