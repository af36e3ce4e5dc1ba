import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.network.models import Commune, Organisation, School
from plombiers.privacy.models import AuditEvent
from plombiers.privacy.services import audit_log
from plombiers.referrals.models import Learner

from .enums import ActionStatus, BarrierLevel, ConsentScope, EntryKind, Visibility
from .models import Action, Barrier, BarrierCategory, Consent, JournalEntry, PartnerService
from .permissions import supports_at, works_at, writes_confidential


def school_of(learner: Learner, user: User) -> School:
    """The school whose record this is, when this user works there: support records belong to the
    school that wrote them, even when another school knows the same person."""
    if works_at(user, learner.school_id):
        return learner.school
    raise PermissionDenied("Ce ou cette jeune n'est pas suivi·e dans votre école.")


def sharing_consented(learner: Learner, prescriber: User) -> bool:
    """Whether the young person's latest answer about sharing with their prescriber is yes, given
    once this prescriber's referral existed (the rule of `Barrier.objects.visible_to`)."""
    latest = (
        Consent.objects.filter(learner=learner, scope=ConsentScope.SHARE_PRESCRIBER)
        .order_by("-given_on", "-pk")
        .values_list("given", "given_on")
        .first()
    )
    if latest is None or not latest[0]:
        return False
    return learner.referrals.filter(prescriber=prescriber, referred_on__lte=latest[1]).exists()


def _check_support(user: User, learner: Learner) -> School:
    school = school_of(learner, user)
    if not supports_at(user, school.pk):
        raise PermissionDenied(
            "Seul·es l'accompagnement socio-professionnel et la direction de l'école agissent ici."
        )
    return school


def _programme_start(learner: Learner) -> dt.date | None:
    return (
        learner.enrolments.aggregate(start=Min("entry_date"))["start"]
        or learner.referrals.aggregate(start=Min("referred_on"))["start"]
    )


@transaction.atomic
def barrier_set(
    *,
    learner: Learner,
    category: BarrierCategory | str,
    level: str,
    by: User,
    summary: str = "",
    raised_on: dt.date | None = None,
) -> Barrier:
    """Diagnose or update one barrier; back to « aucun » means lifted today, raised again reopens it."""
    school = _check_support(by, learner)
    categories = BarrierCategory.objects.of_network(school.network_id)
    if isinstance(category, str):
        category = categories.filter(code=category).first()
    elif category is not None and not categories.filter(pk=category.pk).exists():
        category = None  # another network's own category: unknown here
    if category is None:
        raise ValidationError({"category": "Catégorie de frein inconnue."}, code="unknown_category")
    if level not in BarrierLevel.values:
        raise ValidationError({"level": f"Niveau inconnu « {level} »."})
    today = timezone.localdate()
    barrier = Barrier.objects.select_for_update().filter(learner=learner, category=category).first()
    if barrier is None:
        barrier = Barrier(learner=learner, category=category, created_by=by, raised_on=raised_on or today)
    previous = barrier.level
    barrier.level, barrier.summary = level, summary.strip() or barrier.summary
    if level == BarrierLevel.NONE and previous and previous != BarrierLevel.NONE:
        barrier.lifted_on = today
    elif level != BarrierLevel.NONE and barrier.lifted_on:
        barrier.lifted_on, barrier.raised_on = None, today
    barrier.full_clean(exclude=["learner", "category"])
    barrier.save()
    audit_log(
        actor=by,
        action="support.barrier.set",
        obj=barrier,
        school=school,
        details={"category": category.code, "from": previous or "", "to": level},
    )
    return barrier


@transaction.atomic
def action_create(
    *, barrier: Barrier, description: str, due_on: dt.date, by: User, partner: Organisation | None = None
) -> Action:
    school = _check_support(by, barrier.learner)
    if not description.strip():
        raise ValidationError({"description": "Décrivez l'action."})
    start = _programme_start(barrier.learner)
    if start and due_on < start:
        raise ValidationError(
            {"due_on": f"L'échéance ne peut pas précéder le début du parcours ({start:%d/%m/%Y})."},
            code="before_programme",
        )
    # The partner is a service of the school's network's directory, never another network's.
    if partner is not None and (partner.kind != "social_service" or partner.network_id != school.network_id):
        raise ValidationError({"partner": "Choisissez un service partenaire de l'annuaire."})
    action = Action.objects.create(
        barrier=barrier, description=description.strip(), due_on=due_on, partner=partner, created_by=by
    )
    audit_log(actor=by, action="support.action.create", obj=action, school=school)
    return action


@transaction.atomic
def action_update(*, action: Action, by: User, status: str, outcome: str = "") -> Action:
    school = _check_support(by, action.barrier.learner)
    if status not in ActionStatus.values:
        raise ValidationError({"status": f"Statut inconnu « {status} »."})
    action.status = status
    fields = ["status"]
    if outcome.strip():
        action.outcome = outcome.strip()
        fields.append("outcome")
    action.save(update_fields=fields)
    audit_log(actor=by, action="support.action.update", obj=action, school=school, details={"status": status})
    return action


@transaction.atomic
def journal_add(
    *,
    learner: Learner,
    by: User,
    kind: str,
    text: str,
    visibility: str = Visibility.TEAM,
    occurred_on: dt.date | None = None,
) -> JournalEntry:
    """Write in the journal. Confidential entries are written by the social worker only."""
    school = school_of(learner, by)
    if not text.strip():
        raise ValidationError({"text": "L'entrée est vide."}, code="empty")
    if kind not in EntryKind.values:
        raise ValidationError({"kind": f"Type d'entrée inconnu « {kind} »."})
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": f"Visibilité inconnue « {visibility} »."})
    if visibility == Visibility.CONFIDENTIAL and not writes_confidential(by, school.pk):
        raise PermissionDenied(
            "Seul·e l'accompagnateur·rice socio-professionnel·le écrit une note confidentielle."
        )
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "La date ne peut pas être dans le futur."})
    entry = JournalEntry.objects.create(
        learner=learner,
        school=school,
        kind=kind,
        text=text.strip(),
        visibility=visibility,
        occurred_on=occurred_on,
        author=by,
    )
    audit_log(
        actor=by, action="support.journal.add", obj=entry, school=school, details={"visibility": visibility}
    )
    return entry


def journal_read(
    *, by: User, learner: Learner, limit: int | None = None, offset: int = 0
) -> list[JournalEntry]:
    """The entries this person may read (a page of them with `limit`/`offset`); each confidential one
    read leaves an audit event — only those of the page returned."""
    entries = JournalEntry.objects.visible_to(by).filter(learner=learner).select_related("author", "school")
    entries = list(entries[offset : offset + limit] if limit is not None else entries[offset:])
    confidential = [e for e in entries if e.is_confidential]
    if confidential:
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=by,
                action="support.journal.read_confidential",
                object_type="support.journalentry",
                object_id=str(e.pk),
                school=e.school,
                details={"learner": learner.pk},
            )
            for e in confidential
        )
    return entries


@transaction.atomic
def consent_record(
    *, learner: Learner, scope: str, given: bool, by: User, on: dt.date | None = None
) -> Consent:
    school = school_of(learner, by)
    if scope not in ConsentScope.values:
        raise ValidationError({"scope": f"Objet inconnu « {scope} »."})
    consent = Consent.objects.create(
        learner=learner, scope=scope, given=given, given_on=on or timezone.localdate(), recorded_by=by
    )
    audit_log(
        actor=by,
        action="support.consent",
        obj=consent,
        school=school,
        details={"scope": scope, "given": given},
    )
    return consent


def consents_current(learner: Learner) -> dict[str, Consent]:
    """The latest answer of the young person for each scope (the one every rule reads)."""
    latest = {}
    for consent in Consent.objects.filter(learner=learner).order_by("-given_on", "-pk"):
        latest.setdefault(consent.scope, consent)
    return latest


@transaction.atomic
def consent_withdraw(*, learner: Learner, scope: str, by: User) -> Consent:
    """The young person withdraws a consent they gave: a new answer « non », dated today, that
    every rule reading the latest answer (`latest_sharing`, `sharing_consented`) obeys at once."""
    if learner.user_id != by.pk:
        raise PermissionDenied("Seule la personne concernée retire son accord ici.")
    Learner.objects.select_for_update().filter(pk=learner.pk).first()  # two taps, one withdrawal
    current = consents_current(learner).get(scope)
    if current is None or not current.given:
        raise ValidationError({"scope": "Cet accord n'est pas donné : il n'y a rien à retirer."})
    consent = Consent.objects.create(
        learner=learner, scope=scope, given=False, given_on=timezone.localdate(), recorded_by=by
    )
    audit_log(
        actor=by,
        action="support.consent.withdraw",
        obj=consent,
        school=learner.school,
        details={"scope": scope, "given": False},
    )
    return consent


@dataclass
class NearbyService:
    service: PartnerService
    distance_km: float | None


def distance_km(a: Commune, b: Commune) -> float | None:
    """Great-circle distance between two communes' centroids."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def services_near(
    *, services, category: str | None = None, near: Commune | None = None, radius_km: float = 30
) -> list[NearbyService]:
    """Partner services handling a category, the nearest first (within the radius when a place is
    given). `services` is the directory searched, never every network's: a network's
    (`PartnerService.objects.of_network`) or a user's (`PartnerService.objects.visible_to`)."""
    services = services.select_related("organisation__commune").prefetch_related("categories")
    if category:
        services = services.filter(categories__code=category)
    if near is not None and near.latitude is not None:
        # A bounding box in SQL, the exact distance in Python on what is left.
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * max(math.cos(math.radians(near.latitude)), 0.01))
        services = services.filter(
            organisation__commune__latitude__range=(near.latitude - dlat, near.latitude + dlat),
            organisation__commune__longitude__range=(near.longitude - dlon, near.longitude + dlon),
        )
    found = [
        NearbyService(
            s, distance_km(near, s.organisation.commune) if near and s.organisation.commune else None
        )
        for s in services.distinct()
    ]
    if near is not None:
        found = [f for f in found if f.distance_km is not None and f.distance_km <= radius_km]
        found.sort(key=lambda f: f.distance_km)
    return found
