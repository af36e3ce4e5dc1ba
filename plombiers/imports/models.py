from django.conf import settings
from django.db import models
from django.db.models import Q

from plombiers.accounts.enums import Role
from plombiers.accounts.models import Membership, scoped
from plombiers.network.models import School

from .enums import ImportKind, ImportStatus


def managers_q(user, path: str = "school") -> Q:
    """Rows of the schools the user manages, or of their network's schools (network staff)."""
    mine = Membership.objects.filter(user=user)
    return Q(**{f"{path}__network__in": mine.filter(role=Role.NETWORK_STAFF).values("network")}) | Q(
        **{f"{path}__in": mine.filter(role=Role.SCHOOL_MANAGER).values("school")}
    )


class ImportJobQuerySet(models.QuerySet):
    @scoped
    def visible_to(self, user):
        """The school's manager and the network staff: imports write the school's records."""
        return self.filter(managers_q(user))

    def with_list_related_data(self):
        return self.select_related("school", "by")


class ImportJob(models.Model):
    """One spreadsheet imported into a school: the file until it is imported, the mapping of its
    columns, the problems found, and what it created (to undo it while nothing depends on it)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name="école")
    kind = models.CharField("contenu", max_length=20, choices=ImportKind.choices)
    filename = models.CharField("fichier", max_length=200)
    # The file itself, kept in the database (every worker reads it) until it is imported or undone.
    content = models.BinaryField(default=b"", editable=False)
    mapping = models.JSONField("correspondance des colonnes", default=dict, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total = models.PositiveIntegerField("lignes", default=0)
    done = models.PositiveIntegerField("lignes traitées", default=0)
    created_count = models.PositiveIntegerField("créées", default=0)
    unchanged_count = models.PositiveIntegerField("inchangées", default=0)
    errors = models.JSONField("problèmes", default=list, blank=True)
    # [[model label, [ids]], …] in the order of creation: undone in the reverse order.
    created_objects = models.JSONField(default=list, blank=True, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "import"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.filename}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class ColumnMapping(models.Model):
    """The columns a school's spreadsheets use for one kind of import, remembered for the next file:
    field → header title."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "kind"], name="column_mapping_unique")]

    def __str__(self):
        return f"{self.school} — {self.kind}"
