from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from plombiers.accounts.models import User
from plombiers.privacy.services import audit_log

from .models import Network, Organisation, Partnership, School


def _apply(obj, data: dict[str, Any]) -> list[str]:
    for field, value in data.items():
        setattr(obj, field, value)
    return list(data)


@transaction.atomic
def school_create(*, network: Network, by: User, **fields: Any) -> School:
    school = School(network=network, **fields)
    school.full_clean()
    school.save()
    audit_log(actor=by, action="school.create", obj=school, details={"name": school.name})
    return school


@transaction.atomic
def school_update(*, school: School, by: User, data: dict[str, Any]) -> School:
    changed = _apply(school, data)
    if changed:
        school.full_clean()
        school.save(update_fields=changed)
        audit_log(actor=by, action="school.update", obj=school, details={"fields": changed})
    return school


@transaction.atomic
def organisation_create(
    *, network: Network, by: User, partner_of: School | None = None, **fields: Any
) -> Organisation:
    """Create an organisation; a school manager's new partner is tied to their school at once."""
    organisation = Organisation(network=network, **fields)
    organisation.full_clean()
    organisation.save()
    audit_log(actor=by, action="organisation.create", obj=organisation, school=partner_of)
    if partner_of is not None:
        partnership_add(school=partner_of, organisation=organisation, by=by)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User, data: dict[str, Any]) -> Organisation:
    changed = _apply(organisation, data)
    if changed:
        organisation.full_clean()
        organisation.save(update_fields=changed)
        audit_log(actor=by, action="organisation.update", obj=organisation, details={"fields": changed})
    return organisation


@transaction.atomic
def partnership_add(*, school: School, organisation: Organisation, by: User, since=None) -> Partnership:
    if organisation.network_id != school.network_id:  # several networks share an instance
        raise ValidationError("Une école ne s'associe qu'aux structures de son propre réseau.")
    partnership, created = Partnership.objects.get_or_create(
        school=school, organisation=organisation, defaults={"since": since}
    )
    if created:
        audit_log(
            actor=by,
            action="partnership.add",
            obj=partnership,
            school=school,
            details={"organisation": organisation.pk},
        )
    return partnership
