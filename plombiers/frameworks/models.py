"""The competency frameworks: reference data of the base layer, below `cohorts` (a cohort follows a
framework, a session works on one of its blocks) and `skills` (observations of its skills).

The tables keep the names they had in `skills` (db_table): the models moved, the rows did not
(migrations `frameworks.0001` and `skills.0002`, state only)."""

from django.db import models
from django.urls import reverse

from plombiers.network.models import Trade


class FrameworkQuerySet(models.QuerySet):
    def current_for(self, trade: Trade) -> "Framework | None":
        """The latest published version of a trade's framework."""
        return self.filter(trade=trade).order_by("-published_at", "-pk").first()


class Framework(models.Model):
    """A versioned competency framework of a trade (reference data, loaded from YAML files)."""

    trade = models.ForeignKey(
        Trade, on_delete=models.PROTECT, related_name="frameworks", verbose_name="métier"
    )
    version = models.CharField("version", max_length=20)
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField(blank=True)
    rome_codes = models.JSONField("codes ROME", default=list)
    source = models.CharField("fichier source", max_length=200, blank=True)
    checksum = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField("publié le", auto_now_add=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        db_table = "skills_framework"
        verbose_name = "référentiel de compétences"
        verbose_name_plural = "référentiels de compétences"
        ordering = ["trade__name", "-published_at"]
        constraints = [models.UniqueConstraint(fields=["trade", "version"], name="framework_unique_version")]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self):
        return reverse("skills:framework_detail", args=[self.pk])


class Block(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="blocks")
    code = models.CharField("code", max_length=20)
    title = models.CharField("intitulé", max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "skills_block"
        verbose_name = "bloc de compétences"
        verbose_name_plural = "blocs de compétences"
        ordering = ["framework", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="block_unique_code")]

    def __str__(self):
        return self.title


class Skill(models.Model):
    """An observable professional gesture."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="skills")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="skills", verbose_name="bloc")
    code = models.CharField("code", max_length=20)
    title = models.CharField("intitulé", max_length=250)
    description = models.TextField("description", blank=True)
    criteria = models.JSONField("critères observables", default=list)
    rome_codes = models.JSONField("codes ROME", default=list)
    safety_critical = models.BooleanField("geste de sécurité", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "skills_skill"
        verbose_name = "compétence"
        ordering = ["block__position", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="skill_unique_code")]

    def __str__(self):
        return f"{self.code} — {self.title}"
