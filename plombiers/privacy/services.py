from typing import Any

from django.db import models

from .models import AuditEvent


def audit_log(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    school=None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one audit event; every important write and every confidential read calls this.

    `school` defaults to the object's own school when it has one, so that the
    school manager finds the event in their school's trail.
    """
    if school is None and obj is not None:
        school = obj if obj._meta.label == "network.School" else getattr(obj, "school", None)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        school=school,
        details=details or {},
    )
