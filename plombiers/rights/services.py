"""The rights of the person over their data: access (export), rectification, consent withdrawal.

Each is one atomic service that leaves an audit event naming counts and fields, never values.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from plombiers.accounts.enums import Role
from plombiers.accounts.models import User
from plombiers.documents.services import render
from plombiers.operations.mail import send_mail_once
from plombiers.privacy.services import audit_log
from plombiers.referrals.models import Learner, identity_key

from .enums import RectificationField, RectificationStatus
from .export import export_collect, export_summary, export_zip
from .models import RECTIFIERS, RectificationRequest

EXPORTERS = (Role.NETWORK_STAFF, Role.SCHOOL_MANAGER, Role.SOCIAL_WORKER)


def may_export(user: User, learner: Learner) -> bool:
    """The young person themself; the direction and social workers of the record's school and the
    network's staff (the record must be visible to them: the caller fetched it through visible_to)."""
    return learner.user_id == user.pk or user.acts_for(learner.school, *EXPORTERS[1:])


def export_for(*, learner: Learner, by: User) -> bytes:
    """The ZIP of everything about this person (RGPD art. 15), audited with its counts."""
    if not may_export(by, learner):
        raise PermissionDenied("Seul·es la direction et l'accompagnement de l'école exportent ces données.")
    with transaction.atomic():
        export = export_collect(learners=[learner], by=None if learner.user_id == by.pk else by)
        audit_log(
            actor=by,
            action="privacy.export",
            obj=learner,
            details={"counts": {key: len(rows) for key, rows in export.sections.items() if rows}},
        )
    return export_zip(export, summary_pdf=render("donnees.typ", export_summary(export)))


# --- rectification --------------------------------------------------------------------------


@transaction.atomic
def rectification_request(
    *, learner: Learner, by: User, field: str, requested_value: str, message: str = ""
) -> RectificationRequest:
    if learner.user_id != by.pk:
        raise PermissionDenied("Seule la personne concernée demande une rectification de ses données.")
    if field not in RectificationField.values:
        raise ValidationError({"field": "Choisissez la donnée à corriger."})
    if not requested_value.strip():
        raise ValidationError({"requested_value": "Indiquez la valeur juste."})
    request = RectificationRequest.objects.create(
        learner=learner, field=field, requested_value=requested_value.strip(), message=message.strip()
    )
    audit_log(
        actor=by,
        action="privacy.rectification.request",
        obj=request,
        school=learner.school,
        details={"field": field},
    )
    return request


def may_rectify(user: User, learner: Learner) -> bool:
    return user.acts_for(learner.school, *RECTIFIERS)


@transaction.atomic
def rectification_decide(
    *, request: RectificationRequest, by: User, accept: bool, reason: str, value: str = ""
) -> RectificationRequest:
    """Correct the record (or refuse, with a reason); the person is told by e-mail and on their page."""
    request = (
        RectificationRequest.objects.select_for_update().select_related("learner__school").get(pk=request.pk)
    )
    learner = request.learner
    if not may_rectify(by, learner):
        raise PermissionDenied("Seul·es la direction et l'accompagnement de l'école traitent ces demandes.")
    if request.status != RectificationStatus.OPEN:
        raise ValidationError("Cette demande a déjà été traitée.")
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la décision."})
    changed = []
    if accept and request.field != RectificationField.OTHER:
        field = Learner._meta.get_field(request.field)
        try:
            cleaned = field.clean(value.strip() or request.requested_value, learner)
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from error
        setattr(learner, request.field, cleaned)
        changed = [request.field]
        if request.field in {"first_name", "last_name", "birth_date"}:
            learner.identity_key = identity_key(
                last_name=learner.last_name, first_name=learner.first_name, birth_date=learner.birth_date
            )
            changed.append("identity_key")
        try:
            with transaction.atomic():
                learner.save(update_fields=changed)
        except IntegrityError as error:
            raise ValidationError(
                "L'école a déjà une autre fiche à ce nom et cette date de naissance."
            ) from error
    request.status = RectificationStatus.DONE if accept else RectificationStatus.REFUSED
    request.decided_at, request.decided_by, request.decision_reason = timezone.now(), by, reason.strip()
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit_log(
        actor=by,
        action="privacy.rectification.decide",
        obj=learner,
        details={
            "request": request.pk,
            "field": request.field,
            "accepted": accept,
            "changed": changed,
            "reason": request.decision_reason,
        },
    )
    address = (learner.user.email if learner.user_id else "") or learner.email
    if address:
        transaction.on_commit(lambda: _tell(request, address))
    return request


def _tell(request: RectificationRequest, address: str) -> None:
    verdict = "a été faite" if request.status == RectificationStatus.DONE else "n'a pas été faite"
    send_mail_once(
        key=f"rectification-{request.pk}",
        subject="Votre demande de correction de vos données",
        message=(
            f"Bonjour,\n\nVotre demande de correction ({request.get_field_display()}) {verdict}.\n"
            f"Motif : {request.decision_reason}\n\n"
            "Vous retrouvez vos demandes dans « Mes données », dans votre espace Plombiers.\n"
        ),
        recipient_list=[address],
    )
