"""The writes of « Ouvrir une école »: each step's service (atomic, audited) and the copy of a school's
settings to another school of the same network."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from plombiers.accounts.models import User
from plombiers.cohorts import attendance
from plombiers.cohorts.models import Cohort
from plombiers.cohorts.services import cohort_create
from plombiers.network.enums import SchoolStatus
from plombiers.network.models import Organisation, Partnership, School
from plombiers.network.services import partnership_add, school_update
from plombiers.privacy.services import audit_log

from . import permissions
from .models import CalendarTemplate


def _check(by: User, school: School) -> None:
    if not permissions.opens(by, school):
        raise PermissionDenied("Seule la tête de réseau de cette école l'ouvre.")


@transaction.atomic
def calendar_template_save(*, school: School, by: User, **fields: Any) -> CalendarTemplate:
    _check(by, school)
    template = CalendarTemplate.objects.select_for_update().filter(school=school).first() or CalendarTemplate(
        school=school
    )
    for name, value in fields.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    audit_log(
        actor=by,
        action="calendar_template.save",
        obj=template,
        school=school,
        details={"weeks": template.weeks},
    )
    return template


@transaction.atomic
def first_cohort_create(*, school: School, by: User, name: str, start_date: dt.date) -> Cohort:
    """The school's first cohort, its dates and half-days from the calendar template (public holidays
    skipped, the internship weeks marked « stage en entreprise »)."""
    _check(by, school)
    template = CalendarTemplate.objects.filter(school=school).first()
    if template is None:
        raise ValidationError("Réglez d'abord le calendrier type de l'école.", code="no_template")
    cohort = cohort_create(
        school=school, by=by, name=name, start_date=start_date, end_date=template.end_date(start_date)
    )
    attendance.schedule_generate(
        cohort=cohort,
        by=by,
        weekdays=template.weekdays,
        hours=template.hours(),
        internship_weeks=template.internship_mondays(start_date),
    )
    return cohort


@transaction.atomic
def partners_add(*, school: School, by: User, organisations: list[Organisation]) -> int:
    _check(by, school)
    added = 0
    for organisation in organisations:
        if organisation.network_id != school.network_id:
            raise ValidationError("Ce partenaire n'est pas dans l'annuaire de votre réseau.")
        partnership_add(school=school, organisation=organisation, by=by)
        added += 1
    return added


@transaction.atomic
def school_publish(*, school: School, by: User, opened_on: dt.date) -> School:
    """Open the school: it shows in the public catalogue and its offer goes into the LHEO export."""
    _check(by, school)
    return school_update(school=school, by=by, data={"status": SchoolStatus.OPEN, "opened_on": opened_on})


@transaction.atomic
def school_settings_copy(*, source: School, target: School, by: User) -> dict[str, int]:
    """« Copier les réglages d'une école »: the calendar template, the partnerships and the technical
    platform's description of `source` onto `target`, of the same network. What `target` already
    has is kept (its own partners stay; its calendar template is replaced)."""
    _check(by, source)
    _check(by, target)
    if source.network_id != target.network_id:
        raise ValidationError(
            "On ne copie que les réglages d'une école du même réseau.", code="other_network"
        )
    if source.pk == target.pk:
        raise ValidationError("Choisissez une autre école que celle-ci.", code="same_school")
    copied = {"calendrier": 0, "partenaires": 0, "textes": 0}
    template = CalendarTemplate.objects.filter(school=source).first()
    if template is not None:
        calendar_template_save(
            school=target,
            by=by,
            weekdays=list(template.weekdays),
            morning_start=template.morning_start,
            morning_end=template.morning_end,
            afternoon_start=template.afternoon_start,
            afternoon_end=template.afternoon_end,
            weeks=template.weeks,
            internship_weeks=list(template.internship_weeks),
        )
        copied["calendrier"] = 1
    have = set(Partnership.objects.filter(school=target).values_list("organisation", flat=True))
    for partnership in (
        Partnership.objects.filter(school=source).select_related("organisation").order_by("pk")
    ):
        if partnership.organisation_id not in have:
            partnership_add(school=target, organisation=partnership.organisation, by=by)
            copied["partenaires"] += 1
    if source.platform_description and not target.platform_description:
        school_update(school=target, by=by, data={"platform_description": source.platform_description})
        copied["textes"] += 1
    if target.project_holder_id is None and source.project_holder_id is not None:
        school_update(school=target, by=by, data={"project_holder": source.project_holder})
    audit_log(actor=by, action="school.settings_copy", obj=target, details={"source": source.pk, **copied})
    return copied
