"""The consolidated counts of the indicators (« tables de cumul »), for networks of national size.

A live indicator reads the records themselves (`selectors.indicators`): exact to the second, and
fast for a school or a cohort, but at 1,000,000 young people a network's dashboard would sum
14 million attendance marks and 7 million observations on every view. `Rollup` holds every
measure of `selectors.MEASURES` already summed by school × prescriber structure × year — the year
each measure is dated by (entry, exit, prescription) — so that a network's or a funder's figures,
in total or by school, trade, région, département, prescriber, funder or year, are one `SUM … GROUP
BY` over a few tens of thousands of rows; `CohortRollup` holds them by cohort too, `SchoolRollup` by
school and year only (and by school over every year), `MonthRollup` by school and month (a period of
whole months: a school's public results over the last twelve). Every write that
changes a measure recomputes its school's rows in its own transaction (`impact.maintain`); the
task (`rollup.refresh`: every night from `plombiers daily`, on demand by the network staff, and
after `plombiers seed`) recomputes everything as a check, each run recorded in `RollupRun` with the
number of rows it had to correct.
"""

from django.db import models

from plombiers.cohorts.models import Cohort
from plombiers.network.models import Network, Organisation, School

from .selectors import MEASURES


class Rollup(models.Model):
    """The measures of one school, prescriber structure and year: each column is one measure of
    `selectors.MEASURES` (a count or a sum; `days_to_job` in days), summed over its own source."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    prescriber = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "cumul des indicateurs"
        verbose_name_plural = "cumuls des indicateurs"
        indexes = [models.Index(fields=["school", "year"], name="rollup_school_year")]

    def __str__(self):
        return f"{self.school_id} / {self.prescriber_id} / {self.year}"


class CohortRollup(models.Model):
    """The same measures by school × cohort × prescriber structure × year, for a cohort's dashboard
    and the tables by cohort. A table of its own: a referral that led to two cohorts counts in each
    (as in the records), so cohorts do not partition the referrals, and the network's reads keep
    the narrower `Rollup`. `cohort` is empty for the referrals that led to no cohort."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    prescriber = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "cumul des indicateurs par promotion"
        verbose_name_plural = "cumuls des indicateurs par promotion"
        indexes = [
            models.Index(fields=["school", "year"], name="cohortrollup_school_year"),
            models.Index(fields=["cohort", "year"], name="cohortrollup_cohort_year"),
        ]

    def __str__(self):
        return f"{self.school_id} / {self.cohort_id} / {self.prescriber_id} / {self.year}"


class SchoolRollup(models.Model):
    """The same measures by school × year, summed over the prescriber structures — and, in the rows
    marked `every_year` (their `year` empty), over the years too. What a network's or a funder's
    dashboard reads: its total and its table by school from one row per school (2,000 at national
    scale, where `Rollup` has 66,000), its table by year from a third of `Rollup`'s rows. Derived
    from `Rollup` at every write, in the same transaction."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    every_year = models.BooleanField(default=False)

    class Meta:
        verbose_name = "cumul des indicateurs par école"
        verbose_name_plural = "cumuls des indicateurs par école"
        indexes = [models.Index(fields=["school", "every_year", "year"], name="schoolrollup_school")]
        constraints = [
            # One row per school over every year: the table by school reads them without summing.
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(every_year=True), name="schoolrollup_every_year"
            ),
            models.UniqueConstraint(
                fields=["school", "year"], condition=models.Q(every_year=False), name="schoolrollup_year"
            ),
        ]

    def __str__(self):
        return f"{self.school_id} / {'toutes années' if self.every_year else self.year}"


class NetworkRollup(models.Model):
    """The same measures by network × year, and over every year (`every_year`, `year` empty): what
    the dashboard of a whole network reads for its total and its table by year — a dozen rows, where
    `SchoolRollup` has 22,000 at national scale. Kept by difference: a school's recompute adds to
    its network's rows what its own rows gained or lost (`rollup._shift`), so that two schools
    written at once each add their part (an `UPDATE … SET m = m + d` waits for the other's); a full
    run sums them again from `SchoolRollup`."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    every_year = models.BooleanField(default=False)

    class Meta:
        verbose_name = "cumul des indicateurs par réseau"
        verbose_name_plural = "cumuls des indicateurs par réseau"
        constraints = [
            models.UniqueConstraint(
                fields=["network"], condition=models.Q(every_year=True), name="networkrollup_every_year"
            ),
            models.UniqueConstraint(
                fields=["network", "year"], condition=models.Q(every_year=False), name="networkrollup_year"
            ),
        ]

    def __str__(self):
        return f"{self.network_id} / {'toutes années' if self.every_year else self.year}"


class MonthRollup(models.Model):
    """The same measures by school × month (of the date each measure is dated by), summed over the
    prescriber structures: what a period of whole months reads — a school's public results page,
    over the last twelve months. Derived from the same cells as `Rollup` at every write, in the
    same transaction; read only once a complete run has filled it (`RollupRun.by_month`)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "cumul des indicateurs par mois"
        verbose_name_plural = "cumuls des indicateurs par mois"
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "month"], name="monthrollup_school_month"),
            models.CheckConstraint(
                name="monthrollup_month_range", condition=models.Q(month__gte=1, month__lte=12)
            ),
        ]

    def __str__(self):
        return f"{self.school_id} / {self.month:02d}/{self.year}"


# One column per measure, in the order of `MEASURES`: a new measure needs a migration, which
# `makemigrations --check` in `make lint` asks for. Integers: PostgreSQL sums them in 64 bits, where
# it would sum 64-bit integers as `numeric`, twice as slowly; a school's minutes over every year are
# far below 2³¹. A network's are not (2.7 billion minutes attended at 1,000,000 young people): 64-bit
# integers there, a dozen rows that are never summed in bulk.
for _name in MEASURES:
    for _model in (Rollup, CohortRollup, SchoolRollup, MonthRollup):
        _model.add_to_class(_name, models.IntegerField(default=0))
    NetworkRollup.add_to_class(_name, models.BigIntegerField(default=0))


class RollupRun(models.Model):
    """One recomputation of the rollup: when it started (the figures are those of that moment),
    how long it took, how many schools and rows."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    seconds = models.FloatField()
    schools = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    #: Every school (the nightly run), or only some (after a change in those schools).
    complete = models.BooleanField(default=True)
    #: Rows the run found different from the records and rewrote (added, changed or removed), in
    #: both tables: 0 when every write kept the rollup exact, as it should.
    corrected = models.PositiveIntegerField("lignes corrigées", default=0)
    #: Whether it filled the table by month (`MonthRollup`), added after the others: a period of
    #: months is read from the records until a complete run has.
    by_month = models.BooleanField("cumuls par mois", default=False)

    class Meta:
        verbose_name = "calcul des cumuls"
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.started_at:%d/%m/%Y %H:%M} ({self.rows} lignes)"


class PublicResults(models.Model):
    """The six figures of a school's public results page (`public.published_figures`) as last
    computed, and what they stand on: the first month of their twelve (`since`), and the school's
    rows of the rollup by month — their count and largest id (`stamp`, « 118:22145 »). Those rows
    are never updated in place: every write that may change a measure deletes the school's rows and
    inserts new ones (`rollup._write`), the nightly check deletes and inserts the rows it corrects,
    and a new row's id exceeds every id before it. So any change to the rows changes their count or
    their largest id (an insertion raises it; deletions alone lower the count), and the page reads
    its figures with the school, in one statement, until one does. The survey's answers over whole
    past months change only when an enrolment is deleted, which rewrites the rows too. A school
    without rows by month (none before the first complete run: nothing keeps them up to date
    before it) keeps nothing. Aggregates already public: nobody's data."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="public_results"
    )
    since = models.DateField()
    stamp = models.CharField(max_length=41)
    #: [label, percent, sample, sample label, secrecy marker] for each figure, in their order.
    figures = models.JSONField()

    class Meta:
        verbose_name = "résultats publiés d'une école"
        verbose_name_plural = "résultats publiés des écoles"

    def __str__(self):
        return f"{self.school_id} / {self.since:%m/%Y}"
