from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from plombiers.accounts.enums import SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership, school_staff_q, scoped
from plombiers.cohorts.models import Enrolment, prescribed_by_q
from plombiers.lib.text import de
from plombiers.lib.validators import validate_rome_code
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Commune, Contact, Organisation, School
from plombiers.privacy.crypto import EncryptedTextField

from .enums import (
    ApplicationStatus,
    ContractType,
    EvaluationOutcome,
    InternshipKind,
    InternshipStatus,
    OfferKind,
    OfferStatus,
    Party,
    TutorAttendance,
)


def _partner_schools_q(user, path: str) -> Q:
    """Rows of a company (reached through `path`) partnered with a school the user works in or
    oversees."""
    mine = Membership.objects.filter(user=user)
    schools = School.objects.filter(
        Q(pk__in=mine.filter(role__in=SCHOOL_ROLES).values("school"))
        | Q(network__in=mine.filter(role=Role.NETWORK_STAFF).values("network"))
    )
    return Q(**{f"{path}__partnerships__school__in": schools})


class CompanySiteQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        return self.filter(
            pk__in=CompanySite.objects.filter(_partner_schools_q(user, "company")).values("pk")
        )


class CompanySite(models.Model):
    """A place where a partner company hosts interns or hires (an agency, a data centre, a depot)."""

    company = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sites",
        limit_choices_to={"kind": OrganisationKind.COMPANY},
        verbose_name="entreprise",
    )
    name = models.CharField("nom du site", max_length=150)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    address = models.CharField("adresse", max_length=250, blank=True)

    objects = CompanySiteQuerySet.as_manager()

    class Meta:
        verbose_name = "site d'entreprise"
        verbose_name_plural = "sites d'entreprise"
        ordering = ["company__name", "name"]

    def __str__(self):
        return f"{self.company.name} — {self.name}"


class InternshipQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's team and network staff; the young person; the prescriber who referred them."""
        return self.filter(
            school_staff_q(user, "enrolment__cohort__school")
            | Q(enrolment__learner__user=user)
            | prescribed_by_q(user, "enrolment")
        )

    def with_list_related_data(self):
        return self.select_related(
            "enrolment__learner", "enrolment__cohort__school", "site__company", "site__commune", "tutor"
        )


class Internship(models.Model):
    """A period in a partner company: a « stage » of the programme or a PMSMP immersion."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="internships")
    kind = models.CharField(
        "type", max_length=10, choices=InternshipKind.choices, default=InternshipKind.INTERNSHIP
    )
    site = models.ForeignKey(
        CompanySite, on_delete=models.PROTECT, related_name="internships", verbose_name="site"
    )
    tutor = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="internships_tutored", verbose_name="tuteur·rice"
    )
    # A PMSMP has a prescriber party (Mission Locale, France Travail…).
    prescriber_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pmsmp_prescribed",
        verbose_name="structure prescriptrice",
    )
    renewal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name="renouvelle",
    )
    start_date = models.DateField("début")
    end_date = models.DateField("fin")
    weekly_hours = models.DecimalField("heures par semaine", max_digits=4, decimal_places=1, default=35)
    objectives = models.ManyToManyField(
        "frameworks.Skill", related_name="internships", blank=True, verbose_name="compétences visées"
    )
    activities = models.TextField("activités confiées", blank=True)
    status = models.CharField(
        "statut",
        max_length=12,
        choices=InternshipStatus.choices,
        default=InternshipStatus.DRAFT,
        db_index=True,
    )
    interruption_reason = EncryptedTextField("motif de l'interruption", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InternshipQuerySet.as_manager()

    class Meta:
        verbose_name = "stage"
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="internship_end_after_start", condition=Q(end_date__gte=models.F("start_date"))
            ),
            models.CheckConstraint(
                name="internship_weekly_hours_range", condition=Q(weekly_hours__gt=0, weekly_hours__lte=48)
            ),
            models.CheckConstraint(
                name="internship_pmsmp_has_prescriber",
                condition=~Q(kind=InternshipKind.PMSMP) | Q(prescriber_organisation__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "start_date"])]

    def __str__(self):
        return f"{self.get_kind_display()} {de(self.enrolment.learner)} chez {self.site.company.name}"

    def get_absolute_url(self):
        return reverse("internships:internship_detail", args=[self.pk])

    @property
    def parties(self) -> list[str]:
        parties = [Party.LEARNER, Party.COMPANY, Party.SCHOOL]
        if self.kind == InternshipKind.PMSMP:
            parties.append(Party.PRESCRIBER)
        return parties


class ConventionSignature(models.Model):
    """One party's acceptance of the convention, through a personal signed link."""

    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField("partie", max_length=15, choices=Party.choices)
    name = models.CharField("nom", max_length=200)
    email = models.EmailField("e-mail", blank=True)
    # The random part of the link: a link is good for this row only, and only once.
    nonce = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField("lien valable jusqu'au")
    signed_at = models.DateTimeField("signée le", null=True, blank=True)
    signed_name = models.CharField("nom saisi", max_length=200, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "signature de convention"
        verbose_name_plural = "signatures de convention"
        ordering = ["internship", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["internship", "party"], name="convention_one_signature_per_party"
            ),
            models.CheckConstraint(
                name="convention_signed_with_name",
                condition=Q(signed_at__isnull=True) | ~Q(signed_name=""),
            ),
        ]

    def __str__(self):
        return f"{self.get_party_display()} — {self.internship}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class TutorEvaluation(models.Model):
    """The tutor's end-of-internship evaluation, given through a signed link on their phone."""

    internship = models.OneToOneField(Internship, on_delete=models.CASCADE, related_name="evaluation")
    nonce = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField("lien valable jusqu'au")
    submitted_at = models.DateTimeField("envoyée le", null=True, blank=True)
    tutor_name = models.CharField("tuteur·rice", max_length=200, blank=True)
    attendance = models.CharField("assiduité", max_length=20, choices=TutorAttendance.choices, blank=True)
    # {"ponctualite": "bien", …}: the SOFT_SKILLS criteria, each on the Rating scale.
    soft_skills = models.JSONField("savoir-être", default=dict, blank=True)
    outcome = models.CharField("déroulement", max_length=15, choices=EvaluationOutcome.choices, blank=True)
    wants_to_hire = models.BooleanField("souhaite recruter", null=True, blank=True)
    hired_contract = models.CharField(
        "contrat proposé", max_length=25, choices=ContractType.choices, blank=True
    )
    comment = EncryptedTextField("commentaire", blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "évaluation du tuteur"
        verbose_name_plural = "évaluations des tuteurs"
        constraints = [
            models.CheckConstraint(
                name="evaluation_submitted_is_complete",
                condition=Q(submitted_at__isnull=True) | (~Q(attendance="") & ~Q(outcome="")),
            ),
            models.CheckConstraint(
                name="evaluation_contract_only_if_hiring",
                condition=Q(hired_contract="") | Q(wants_to_hire=True),
            ),
        ]

    def __str__(self):
        return f"Évaluation — {self.internship}"


# --- Offers and applications ----------------------------------------------------------------------


class OfferQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Offers of the companies partnered with the user's schools (and all of the network's for
        its staff)."""
        return self.filter(pk__in=Offer.objects.filter(_partner_schools_q(user, "company")).values("pk"))

    def open(self):
        return self.filter(status=OfferStatus.OPEN)


class Offer(models.Model):
    """An internship, job or apprenticeship offer of a partner company."""

    company = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="offers",
        limit_choices_to={"kind": OrganisationKind.COMPANY},
        verbose_name="entreprise",
    )
    site = models.ForeignKey(
        CompanySite,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name="site",
    )
    title = models.CharField("intitulé", max_length=200)
    kind = models.CharField("type", max_length=12, choices=OfferKind.choices, default=OfferKind.JOB)
    rome_code = models.CharField(
        "code ROME",
        max_length=5,
        blank=True,
        validators=[validate_rome_code],
    )
    contract = models.CharField("contrat", max_length=25, choices=ContractType.choices, blank=True)
    contract_months = models.PositiveSmallIntegerField("durée du contrat (mois)", null=True, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    # Copied from the commune: the matching reads coordinates without a join, and a bounding box
    # on these two indexed columns finds the offers near a young person.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    start_date = models.DateField("date de début", null=True, blank=True)
    required_skills = models.ManyToManyField(
        "frameworks.Skill", related_name="offers", blank=True, verbose_name="compétences demandées"
    )
    driving_licence_required = models.BooleanField("permis B exigé", default=False)
    description = models.TextField("description", blank=True)
    status = models.CharField("statut", max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = "offre"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="offer_cdd_has_duration",
                condition=~Q(contract=ContractType.CDD) | Q(contract_months__gte=1),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "latitude", "longitude"]),
            models.Index(fields=["company", "status"]),
        ]

    def __str__(self):
        return f"{self.title} — {self.company.name}"

    def get_absolute_url(self):
        return reverse("internships:offer_detail", args=[self.pk])


class ApplicationQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        return self.filter(
            school_staff_q(user, "enrolment__cohort__school")
            | Q(enrolment__learner__user=user)
            | prescribed_by_q(user, "enrolment")
        )


class Application(models.Model):
    """The school proposes a young person for an offer; what came of it."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="applications")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(
        "statut", max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.PROPOSED
    )
    # The team's own note (why not retained…): never shown to the young person or the prescriber.
    note = EncryptedTextField("note de l'équipe", blank=True)
    # What the team writes for the young person and their prescriber (an interview's date…).
    shared_note = EncryptedTextField("message au ou à la jeune", blank=True)
    # A hire: the contract signed, which the exit record (a later issue) reads.
    hired_on = models.DateField("embauche le", null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "enrolment"], name="application_once_per_offer"),
            models.CheckConstraint(
                name="application_hire_has_date",
                condition=~Q(status=ApplicationStatus.HIRED) | Q(hired_on__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.enrolment.learner} — {self.offer}"
