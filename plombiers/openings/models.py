"""A school's calendar template: the week every cohort of the school follows (days, half-days and
their hours), how many weeks a cohort lasts, and which of them are spent in a company. The first
cohort's half-days are generated from it (`cohorts.attendance.schedule_generate`, public holidays
skipped); « Copier les réglages d'une école » copies it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from plombiers.cohorts.enums import Period
from plombiers.network.models import School

WEEKDAYS = [
    (0, "lundi"),
    (1, "mardi"),
    (2, "mercredi"),
    (3, "jeudi"),
    (4, "vendredi"),
    (5, "samedi"),
    (6, "dimanche"),
]


class CalendarTemplate(models.Model):
    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="calendar_template")
    weekdays = models.JSONField("jours de formation", default=list)
    morning_start = models.TimeField("début du matin", null=True, blank=True, default=dt.time(9, 0))
    morning_end = models.TimeField("fin du matin", null=True, blank=True, default=dt.time(12, 30))
    afternoon_start = models.TimeField(
        "début de l'après-midi", null=True, blank=True, default=dt.time(13, 30)
    )
    afternoon_end = models.TimeField("fin de l'après-midi", null=True, blank=True, default=dt.time(17, 0))
    weeks = models.PositiveSmallIntegerField("durée d'une promotion (semaines)", default=14)
    internship_weeks = models.JSONField("semaines de stage en entreprise", default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "calendrier type"
        verbose_name_plural = "calendriers types"
        constraints = [
            models.CheckConstraint(
                name="calendar_template_weeks_range", condition=Q(weeks__gte=1, weeks__lte=52)
            ),
        ]

    def __str__(self):
        return f"Calendrier type de {self.school}"

    def clean(self):
        if not self.weekdays or not all(isinstance(d, int) and 0 <= d <= 6 for d in self.weekdays):
            raise ValidationError(
                {"weekdays": "Choisissez au moins un jour de formation, du lundi au dimanche."}
            )
        if not self.hours():
            raise ValidationError("Choisissez les horaires d'au moins une demi-journée.")
        for start, end in self.hours().values():
            if start >= end:
                raise ValidationError("Une demi-journée finit après avoir commencé.")
        if any(not isinstance(w, int) or not 1 <= w <= self.weeks for w in self.internship_weeks):
            raise ValidationError(
                {"internship_weeks": f"Les semaines de stage sont des numéros de 1 à {self.weeks}."}
            )

    def hours(self) -> dict[str, tuple[dt.time, dt.time]]:
        """The half-days, as `schedule_generate` reads them (a half-day without both hours is off)."""
        hours = {}
        if self.morning_start and self.morning_end:
            hours[Period.MORNING] = (self.morning_start, self.morning_end)
        if self.afternoon_start and self.afternoon_end:
            hours[Period.AFTERNOON] = (self.afternoon_start, self.afternoon_end)
        return hours

    @property
    def weekday_labels(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(names[d] for d in sorted(self.weekdays))

    def internship_mondays(self, start: dt.date) -> list[dt.date]:
        monday = start - dt.timedelta(days=start.weekday())
        return [monday + dt.timedelta(weeks=w - 1) for w in self.internship_weeks]

    def end_date(self, start: dt.date) -> dt.date:
        """The last day of a cohort starting on `start`: the Friday (or last training day) of its
        last week."""
        monday = start - dt.timedelta(days=start.weekday())
        return monday + dt.timedelta(weeks=self.weeks - 1, days=max(self.weekdays or [4]))
