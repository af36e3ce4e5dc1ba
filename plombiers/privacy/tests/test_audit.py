from plombiers.privacy.models import AuditEvent
from plombiers.privacy.services import audit_log


def test_audit_log_records_actor_object_and_school(cast):
    event = audit_log(actor=cast.manager_a, action="school.update", obj=cast.school_a, details={"x": 1})
    assert (event.actor, event.object_type, event.object_id, event.school) == (
        cast.manager_a,
        "network.school",
        str(cast.school_a.pk),
        cast.school_a,
    )


def test_audit_trail_is_visible_to_the_school_manager_and_network_only(cast):
    audit_log(actor=cast.staff, action="school.update", obj=cast.school_a)
    audit_log(actor=cast.staff, action="school.update", obj=cast.school_b)
    assert AuditEvent.objects.visible_to(cast.staff).count() == 2
    assert list(AuditEvent.objects.visible_to(cast.manager_a).values_list("school", flat=True)) == [
        cast.school_a.pk
    ]
    assert not AuditEvent.objects.visible_to(cast.trainer_a).exists()
    assert not AuditEvent.objects.visible_to(cast.prescriber).exists()
