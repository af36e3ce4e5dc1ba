"""Services of the schedule and of the attendance sheets (émargement).

A cohort's calendar is a list of half-days (`TrainingSession`). On each one the trainer marks
every learner on the sheet, the learners sign (on the trainer's tablet, or on their own phone with
the short code the trainer shows), then the trainer signs last, which locks the sheet. A locked
sheet changes only through an amendment with a reason. Hours — what OPCO pay for and what the
certificat de réalisation states — are summed from locked sheets only.

The phone code has six digits: a million values, but a script tries them all in minutes. So each
learner gets a few tries per code (`PLOMBIERS_SIGNING_CODE_MAX_ATTEMPTS`); past them, their code is
locked for that half-day until the trainer shows a new one, and the trainer's sheet says who is
locked out. An address that typed too many wrong codes lately (a school's Wi-Fi is one address for
the whole class, hence a generous limit) is refused for a few minutes whatever it types.
"""

import datetime as dt
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP

import holidays
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from plombiers.accounts.models import User
from plombiers.lib.evidence import check_evidence, without_metadata
from plombiers.lib.signature import SignatureError, strokes_to_svg, typed_name_matches
from plombiers.network.models import School
from plombiers.privacy.services import audit_log

from .enums import AttendanceStatus, Period, SessionKind, SignatureMethod, SignatureMode
from .models import (
    Attendance,
    AttendanceAmendment,
    AttendanceHistory,
    Cohort,
    Enrolment,
    Signature,
    SigningCodeAttempt,
    TrainingSession,
)
from .permissions import can_take_attendance

DEFAULT_HOURS = {
    Period.MORNING: (dt.time(9, 0), dt.time(12, 30)),
    Period.AFTERNOON: (dt.time(13, 30), dt.time(17, 0)),
}


def _check_team(user: User, school: School) -> None:
    if not can_take_attendance(user, school):
        raise PermissionDenied("Seule l'équipe pédagogique de l'école tient les feuilles d'émargement.")


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _check_times(*, period: str, start_time: dt.time, end_time: dt.time) -> None:
    if period not in Period.values:
        raise ValidationError({"period": f"Demi-journée inconnue « {period} »."})
    if end_time <= start_time:
        raise ValidationError({"end_time": "L'heure de fin doit suivre l'heure de début."})
    if period == Period.MORNING and start_time >= dt.time(13, 0):
        raise ValidationError({"start_time": "Une matinée commence avant 13 h."})
    if period == Period.AFTERNOON and start_time < dt.time(11, 0):
        raise ValidationError({"start_time": "Un après-midi commence après 11 h."})


def _check_unlocked(session: TrainingSession) -> None:
    if session.is_locked:
        raise ValidationError(
            "Cette feuille est signée et verrouillée : seule une modification motivée peut la changer.",
            code="locked",
        )


# --- Schedule -----------------------------------------------------------------------------------


def french_holidays(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Public holidays of metropolitan France between two dates, with their names."""
    days = holidays.country_holidays("FR", years=range(start.year, end.year + 1), language="fr")
    return {day: name for day, name in days.items() if start <= day <= end}


@transaction.atomic
def schedule_generate(
    *,
    cohort: Cohort,
    by: User,
    weekdays: Iterable[int] = (0, 1, 2, 3, 4),
    hours: dict[str, tuple[dt.time, dt.time]] | None = None,
    internship_weeks: Iterable[dt.date] = (),
    kind: str = SessionKind.PLATFORM,
    trainer: User | None = None,
) -> list[TrainingSession]:
    """Create the cohort's half-days from a weekly template, from its first to its last day.

    `weekdays` are ISO-less Python weekdays (0 = Monday); `hours` maps each period to its start and
    end (a period left out is not scheduled); every day of a week starting on a date of
    `internship_weeks` (any day of that week) is a "stage en entreprise". Public holidays are
    skipped; half-days that already exist are kept as they are. Returns the half-days created.
    """
    cohort = Cohort.objects.select_for_update().select_related("school").get(pk=cohort.pk)
    _check_team(by, cohort.school)
    weekdays = sorted(set(weekdays))
    if not weekdays or not all(isinstance(d, int) and 0 <= d <= 6 for d in weekdays):
        raise ValidationError({"weekdays": "Choisissez au moins un jour de la semaine."})
    hours = DEFAULT_HOURS if hours is None else hours
    if not hours:
        raise ValidationError({"hours": "Choisissez au moins une demi-journée."})
    for period, (start, end) in hours.items():
        _check_times(period=period, start_time=start, end_time=end)
    if kind not in SessionKind.values:
        raise ValidationError({"kind": f"Nature inconnue « {kind} »."})
    internship_mondays = {d - dt.timedelta(days=d.weekday()) for d in internship_weeks}
    closed = french_holidays(cohort.start_date, cohort.end_date)
    existing = set(cohort.sessions.values_list("date", "period"))
    created = []
    day = cohort.start_date
    while day <= cohort.end_date:
        if day.weekday() in weekdays and day not in closed:
            monday = day - dt.timedelta(days=day.weekday())
            day_kind = SessionKind.INTERNSHIP if monday in internship_mondays else kind
            for period, (start, end) in sorted(hours.items(), key=lambda item: item[1][0]):
                if (day, period) in existing:
                    continue
                created.append(
                    TrainingSession(
                        cohort=cohort,
                        date=day,
                        period=period,
                        start_time=start,
                        end_time=end,
                        duration_minutes=_minutes(start, end),
                        kind=day_kind,
                        trainer=trainer,
                    )
                )
        day += dt.timedelta(days=1)
    TrainingSession.objects.bulk_create(created)
    audit_log(actor=by, action="schedule.generate", obj=cohort, details={"created": len(created)})
    return created


@transaction.atomic
def session_create(
    *,
    cohort: Cohort,
    by: User,
    date: dt.date,
    period: str,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    kind: str = SessionKind.PLATFORM,
    block=None,
    trainer: User | None = None,
) -> TrainingSession:
    cohort = Cohort.objects.select_related("school").get(pk=cohort.pk)
    _check_team(by, cohort.school)
    default_start, default_end = DEFAULT_HOURS.get(period, (None, None))
    start_time, end_time = start_time or default_start, end_time or default_end
    _check_times(period=period, start_time=start_time, end_time=end_time)
    if not cohort.start_date <= date <= cohort.end_date:
        raise ValidationError(
            {"date": "La date doit être comprise entre le début et la fin de la promotion."}
        )
    if cohort.sessions.filter(date=date, period=period).exists():
        raise ValidationError({"period": "Cette demi-journée existe déjà dans le calendrier."})
    _check_block(cohort, block)
    session = TrainingSession(
        cohort=cohort,
        date=date,
        period=period,
        start_time=start_time,
        end_time=end_time,
        duration_minutes=_minutes(start_time, end_time),
        kind=kind,
        block=block,
        trainer=trainer,
    )
    session.full_clean()
    session.save()
    audit_log(actor=by, action="session.create", obj=session, school=cohort.school)
    return session


def _check_block(cohort: Cohort, block) -> None:
    if block is not None and block.framework_id != cohort.framework_id:
        raise ValidationError({"block": "Ce bloc n'est pas dans le référentiel de la promotion."})


EDITABLE_FIELDS = {"date", "period", "start_time", "end_time", "kind", "block", "trainer"}


@transaction.atomic
def session_update(*, session: TrainingSession, by: User, data: dict) -> TrainingSession:
    session = TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
    _check_team(by, session.cohort.school)
    _check_unlocked(session)
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    for name, value in data.items():
        setattr(session, name, value)
    _check_times(period=session.period, start_time=session.start_time, end_time=session.end_time)
    cohort = session.cohort
    if not cohort.start_date <= session.date <= cohort.end_date:
        raise ValidationError(
            {"date": "La date doit être comprise entre le début et la fin de la promotion."}
        )
    if cohort.sessions.filter(date=session.date, period=session.period).exclude(pk=session.pk).exists():
        raise ValidationError({"period": "Cette demi-journée existe déjà dans le calendrier."})
    _check_block(cohort, session.block)
    session.duration_minutes = _minutes(session.start_time, session.end_time)
    session.full_clean()
    session.save(update_fields=[*sorted(data), "duration_minutes"])
    audit_log(
        actor=by, action="session.update", obj=session, school=cohort.school, details={"fields": sorted(data)}
    )
    return session


@transaction.atomic
def session_delete(*, session: TrainingSession, by: User) -> None:
    session = TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
    _check_team(by, session.cohort.school)
    if session.marks.exists():
        raise ValidationError("Cette demi-journée a déjà des présences : on ne peut plus la supprimer.")
    audit_log(actor=by, action="session.delete", obj=session, school=session.cohort.school)
    session.delete()


# --- Marking ------------------------------------------------------------------------------------


def sheet_enrolments(session: TrainingSession):
    """The learners on a half-day's sheet: in the cohort on that day (entered, not yet left);
    `has_history` when their month of that day was imported from a former spreadsheet."""
    month = AttendanceHistory.objects.filter(enrolment=OuterRef("pk"), month=session.date.replace(day=1))
    return (
        Enrolment.objects.filter(cohort_id=session.cohort_id)
        .on(session.date)
        .annotate(has_history=Exists(month))
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


@dataclass
class Mark:
    """What the trainer says about one learner on one half-day."""

    enrolment_id: int
    status: str
    late_minutes: int = 0
    excuse_reason: str = ""
    proof: object | None = field(default=None, repr=False)


def _check_mark(mark: Mark, session: TrainingSession, names: dict[int, str]) -> None:
    if mark.enrolment_id not in names:
        raise ValidationError(
            "Ce ou cette jeune n'est pas sur la feuille de cette demi-journée (pas dans la promotion ce jour-là).",
            code="not_on_sheet",
        )
    who = names[mark.enrolment_id]
    if mark.status not in AttendanceStatus.values:
        raise ValidationError(f"{who} : présence inconnue « {mark.status} ».")
    if mark.status == AttendanceStatus.LATE:
        if not isinstance(mark.late_minutes, int) or not 1 <= mark.late_minutes < session.duration_minutes:
            raise ValidationError(
                f"{who} : indiquez le retard en minutes (de 1 à {session.duration_minutes - 1})."
            )
    elif mark.late_minutes:
        raise ValidationError(f"{who} : un retard ne s'indique que pour une arrivée en retard.")
    if mark.status != AttendanceStatus.EXCUSED and (mark.excuse_reason.strip() or mark.proof):
        raise ValidationError(f"{who} : un motif ou un justificatif ne vont qu'avec une absence justifiée.")
    if mark.status == AttendanceStatus.EXCUSED and not mark.excuse_reason.strip():
        raise ValidationError(f"{who} : indiquez le motif de l'absence justifiée.")
    if len(mark.excuse_reason) > 200:
        raise ValidationError(f"{who} : le motif tient en 200 caractères.")


@transaction.atomic
def attendance_mark(*, session: TrainingSession, by: User, marks: Sequence[Mark]) -> list[Attendance]:
    """Mark some or all learners of an unlocked sheet. Everything is checked before anything is
    written; the session row is locked so that two devices marking at once both keep their marks.
    A learner who signed and is then marked absent loses their signature (they were not there)."""
    session = TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
    _check_team(by, session.cohort.school)
    _check_unlocked(session)
    if session.date > timezone.localdate():
        raise ValidationError("On ne marque pas les présences d'une demi-journée à venir.")
    enrolments = list(sheet_enrolments(session))
    names = {e.pk: str(e.learner) for e in enrolments}
    imported = {e.pk for e in enrolments if e.has_history}
    for mark in marks:
        if mark.enrolment_id in imported:
            raise ValidationError(
                f"{names[mark.enrolment_id]} : les heures de {session.date:%m/%Y} viennent de l'historique "
                "importé ; elles ne se comptent pas deux fois (annulez l'import pour tenir les feuilles).",
                code="history",
            )
    if len({m.enrolment_id for m in marks}) != len(marks):
        raise ValidationError("Chaque jeune n'apparaît qu'une fois sur la feuille.")
    for mark in marks:
        _check_mark(mark, session, names)
    proofs = {}
    for mark in marks:
        if mark.proof:
            proofs[mark.enrolment_id] = without_metadata(mark.proof, check_evidence(mark.proof))
    existing = {a.enrolment_id: a for a in session.marks.select_for_update()}
    saved = []
    for mark in marks:
        attendance = existing.get(mark.enrolment_id) or Attendance(
            session=session, enrolment_id=mark.enrolment_id
        )
        attendance.status = mark.status
        attendance.late_minutes = mark.late_minutes if mark.status == AttendanceStatus.LATE else 0
        attendance.excuse_reason = (
            mark.excuse_reason.strip() if mark.status == AttendanceStatus.EXCUSED else ""
        )
        if mark.status not in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            attendance.signature = None
        if mark.status != AttendanceStatus.EXCUSED:
            attendance.proof = ""
        attendance.updated_by = by
        attendance.save()
        if mark.enrolment_id in proofs:
            attendance.proof.save(proofs[mark.enrolment_id].name or "justificatif", proofs[mark.enrolment_id])
        saved.append(attendance)
    return saved


# --- Signing ------------------------------------------------------------------------------------


def _code_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "PLOMBIERS_SIGNING_CODE_MINUTES", 10))


def _max_attempts() -> int:
    return getattr(settings, "PLOMBIERS_SIGNING_CODE_MAX_ATTEMPTS", 5)


def _address_limit() -> tuple[int, dt.timedelta]:
    attempts, minutes = getattr(settings, "PLOMBIERS_SIGNING_CODE_ADDRESS_LIMIT", (30, 10))
    return attempts, dt.timedelta(minutes=minutes)


def _check_signing_day(session: TrainingSession) -> None:
    if session.date != timezone.localdate():
        raise ValidationError(
            "On signe une feuille d'émargement le jour même de la demi-journée.", code="not_today"
        )


def _check_started(session: TrainingSession) -> None:
    """One signs for a half-day one attends: not before it begins."""
    if not session.has_started:
        start = session.start_time
        raise ValidationError(
            f"Cette demi-journée commence à {start.hour} h {start.minute:02d} : "
            "on ne la signe pas avant son début.",
            code="not_started",
        )


@transaction.atomic
def signing_code_issue(*, session: TrainingSession, by: User) -> TrainingSession:
    """A new six-digit code, valid a few minutes, for the learners to sign on their own phone."""
    session = TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
    _check_team(by, session.cohort.school)
    _check_unlocked(session)
    _check_signing_day(session)
    session.signing_code = f"{secrets.randbelow(10**6):06d}"
    session.signing_code_issued_at = timezone.now()
    session.signing_code_expires_at = session.signing_code_issued_at + _code_lifetime()
    session.save(update_fields=["signing_code", "signing_code_issued_at", "signing_code_expires_at"])
    audit_log(actor=by, action="session.signing_code", obj=session, school=session.cohort.school)
    return session


def _code_attempts(session: TrainingSession):
    """The wrong codes typed against the code the trainer shows now."""
    since = session.signing_code_issued_at or (session.signing_code_expires_at - _code_lifetime())
    return SigningCodeAttempt.objects.filter(session=session, at__gte=since)


def code_locked_enrolments(session: TrainingSession) -> set[int]:
    """The learners whose code is locked on this sheet until a new code is shown (one query)."""
    if not session.signing_code or session.signing_code_expires_at is None:
        return set()
    return set(
        _code_attempts(session)
        .values("enrolment")
        .annotate(tries=Count("pk"))
        .filter(tries__gte=_max_attempts())
        .values_list("enrolment", flat=True)
    )


def code_locked(session: TrainingSession, enrolment: Enrolment) -> bool:
    return enrolment.pk in code_locked_enrolments(session)


LOCKED = (
    "Trop de codes erronés : la signature sur votre téléphone est bloquée pour cette demi-journée. "
    "Demandez à votre formateur·rice d'afficher un nouveau code, ou signez sur sa tablette."
)
THROTTLED = (
    "Trop de codes erronés depuis cette connexion : réessayez dans quelques minutes, "
    "ou signez sur la tablette de votre formateur·rice."
)


def normalise_code(code) -> str:
    """The code as typed: the tablet shows it in two groups (« 324 119 »), and phones may add
    non-breaking spaces; every kind of whitespace goes."""
    return "".join(str(code).split())


def _signing_code_refusal(
    *, session: TrainingSession, enrolment: Enrolment, by: User, code: str, address: str | None
) -> str | None:
    """Why a code typed on a phone is refused (None: it is the right one). Counts a wrong code."""
    now, school = timezone.now(), session.cohort.school
    details = {"enrolment": enrolment.pk, "address": address}
    if address:
        limit, window = _address_limit()
        if SigningCodeAttempt.objects.filter(at__gte=now - window, address=address).count() >= limit:
            audit_log(
                actor=by, action="attendance.code_throttled", obj=session, school=school, details=details
            )
            return THROTTLED
    if not session.signing_code:
        return "Ce code n'est pas le bon : vérifiez-le sur l'écran du formateur."
    if session.signing_code_expires_at is None or session.signing_code_expires_at <= now:
        # Said before the code is compared: an expired code tells nothing about the running one.
        return "Ce code a expiré : demandez-en un nouveau à votre formateur·rice."
    tries = _code_attempts(session).filter(enrolment=enrolment).count()
    if tries >= _max_attempts():
        return LOCKED
    if hmac.compare_digest(session.signing_code, normalise_code(code)):
        return None
    SigningCodeAttempt.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    SigningCodeAttempt.objects.create(session=session, enrolment=enrolment, address=address, at=now)
    tries += 1
    audit_log(
        actor=by,
        action="attendance.code_wrong",
        obj=session,
        school=school,
        details={**details, "tries": tries},
    )
    left = _max_attempts() - tries
    if left <= 0:
        audit_log(
            actor=by,
            action="attendance.code_locked",
            obj=session,
            school=school,
            details={**details, "tries": tries},
        )
        return LOCKED
    return (
        "Ce code n'est pas le bon : vérifiez-le sur l'écran du formateur "
        f"(encore {left} essai{'s' if left > 1 else ''})."
    )


def _check_signing_code(
    *, session: TrainingSession, enrolment: Enrolment, by: User, code: str, address: str | None
) -> None:
    """The phone's code, checked in a transaction of its own, committed before the signature's:
    a wrong code stays counted although the signature is refused."""
    if enrolment.learner.user_id is None or enrolment.learner.user_id != by.pk:
        raise PermissionDenied("On ne signe que pour soi-même.")
    with transaction.atomic():
        session = (
            TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
        )
        refusal = _signing_code_refusal(
            session=session, enrolment=enrolment, by=by, code=code, address=address
        )
    if refusal:
        raise ValidationError({"code": refusal})


@dataclass(frozen=True)
class Signing:
    """What a person gives to sign: a drawing (`strokes`), or — for whoever cannot draw — their
    full name typed (`typed_name`) and the box « Je confirme signer… » ticked (`confirmed`)."""

    strokes: object = None
    mode: str = SignatureMode.DRAWN
    typed_name: str = ""
    confirmed: bool = False


def _check_typed(signing: Signing, *, first_name: str, last_name: str) -> str:
    """The typed name, checked against the signer's name (see docs/metier.md): case, accents, spaces,
    hyphens and apostrophes do not count; the first and last names may come in either order."""
    typed = " ".join(str(signing.typed_name or "").split())
    errors = {}
    if not typed:
        errors["typed_name"] = "Saisissez votre nom complet (prénom et nom) pour signer sans dessiner."
    elif len(typed) > 200:
        errors["typed_name"] = "Le nom saisi tient en 200 caractères."
    elif not typed_name_matches(typed, first_name, last_name):
        errors["typed_name"] = (
            f"Le nom saisi « {typed} » ne correspond pas à « {first_name} {last_name} » : "
            "saisissez le prénom et le nom (majuscules, accents et espaces ne comptent pas)."
        )
    if signing.confirmed is not True:
        errors["confirmed"] = "Cochez la case « Je confirme signer… » pour signer sans dessiner."
    if errors:
        raise ValidationError(errors)
    return typed


def _signature(
    *, signing: Signing, first_name: str, last_name: str, name: str, by: User | None, method: str
) -> Signature:
    """The signature row, drawn or typed; checked whole before it is written."""
    if signing.mode == SignatureMode.TYPED:
        typed = _check_typed(signing, first_name=first_name, last_name=last_name)
        return Signature.objects.create(
            svg="",
            mode=SignatureMode.TYPED,
            typed_name=typed,
            signer_name=name,
            user=by,
            method=method,
            signed_at=timezone.now(),
        )
    if signing.mode != SignatureMode.DRAWN:
        raise ValidationError({"mode": f"Manière de signer inconnue « {signing.mode} »."})
    try:
        svg = strokes_to_svg(signing.strokes)
    except SignatureError as error:
        raise ValidationError({"signature": str(error)}) from error
    return Signature.objects.create(
        svg=svg, signer_name=name, user=by, method=method, signed_at=timezone.now()
    )


def attendance_sign(
    *,
    session: TrainingSession,
    enrolment: Enrolment,
    strokes=None,
    by: User,
    method: str = SignatureMethod.TABLET,
    code: str = "",
    address: str | None = None,
    signing: Signing | None = None,
) -> Attendance:
    """A learner signs the sheet of today's half-day.

    On the trainer's tablet (`by` is the trainer); or on their own phone (`by` is the learner's
    account, which must be the learner's own, with the code the trainer shows; `address` is the
    phone's IP address, for the throttle). A learner not yet marked is marked present; one marked
    absent cannot sign. They sign by drawing (`strokes`), or without drawing (`signing` with the
    typed mode: their name typed, the confirmation ticked).
    """
    signing = signing or Signing(strokes=strokes)
    if method == SignatureMethod.PHONE:
        _check_signing_code(session=session, enrolment=enrolment, by=by, code=code, address=address)
    return _attendance_sign(session=session, enrolment=enrolment, signing=signing, by=by, method=method)


@transaction.atomic
def _attendance_sign(
    *, session: TrainingSession, enrolment: Enrolment, signing: Signing, by: User, method: str
) -> Attendance:
    session = TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
    if method == SignatureMethod.TABLET:
        _check_team(by, session.cohort.school)
    elif method != SignatureMethod.PHONE:  # a phone's code was checked just before
        raise ValidationError(f"Moyen de signature inconnu « {method} ».")
    _check_unlocked(session)
    _check_signing_day(session)
    _check_started(session)
    if not sheet_enrolments(session).filter(pk=enrolment.pk).exists():
        raise ValidationError(
            "Ce ou cette jeune n'est pas sur la feuille de cette demi-journée.", code="not_on_sheet"
        )
    attendance = session.marks.select_for_update().filter(enrolment=enrolment).first()
    if attendance is None:
        attendance = Attendance(
            session=session, enrolment=enrolment, status=AttendanceStatus.PRESENT, updated_by=by
        )
    elif not attendance.is_there:
        raise ValidationError(
            f"{enrolment.learner} est noté·e « {attendance.get_status_display()} » : "
            "corrigez la présence avant de signer.",
            code="not_there",
        )
    if attendance.signature_id:
        raise ValidationError(f"{enrolment.learner} a déjà signé cette demi-journée.", code="already_signed")
    learner = enrolment.learner
    attendance.signature = _signature(
        signing=signing,
        first_name=learner.first_name,
        last_name=learner.last_name,
        name=str(learner),
        by=by,
        method=method,
    )
    attendance.save()
    return attendance


@transaction.atomic
def sheet_lock(
    *, session: TrainingSession, by: User, strokes=None, signing: Signing | None = None
) -> TrainingSession:
    """The trainer signs last: every learner on the sheet is marked and everyone there has signed.
    The sheet is then locked. The trainer draws (`strokes`) or types their name (`signing`)."""
    signing = signing or Signing(strokes=strokes)
    session = TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
    _check_team(by, session.cohort.school)
    _check_unlocked(session)
    if session.date > timezone.localdate():
        raise ValidationError("On ne signe pas une demi-journée à venir.")
    _check_started(session)
    marks = {a.enrolment_id: a for a in session.marks.all()}
    enrolments = list(sheet_enrolments(session))
    if not enrolments:
        raise ValidationError("Personne n'est inscrit dans la promotion ce jour-là : rien à signer.")
    unmarked = [str(e.learner) for e in enrolments if e.pk not in marks]
    if unmarked:
        raise ValidationError(f"Présence à indiquer pour : {', '.join(unmarked)}.", code="unmarked")
    unsigned = [str(e.learner) for e in enrolments if marks[e.pk].is_there and not marks[e.pk].signature_id]
    if unsigned:
        raise ValidationError(
            f"Signature manquante pour : {', '.join(unsigned)} (ou marquez-les absent·es).", code="unsigned"
        )
    session.trainer_signature = _signature(
        signing=signing,
        first_name=by.first_name,
        last_name=by.last_name,
        name=by.get_full_name() or by.email,
        by=by,
        method=SignatureMethod.TABLET,
    )
    session.locked_at, session.locked_by = timezone.now(), by
    session.signing_code, session.signing_code_issued_at, session.signing_code_expires_at = "", None, None
    if session.trainer_id is None:
        session.trainer = by
    session.save(
        update_fields=[
            "trainer_signature",
            "locked_at",
            "locked_by",
            "signing_code",
            "signing_code_issued_at",
            "signing_code_expires_at",
            "trainer",
        ]
    )
    audit_log(
        actor=by,
        action="session.lock",
        obj=session,
        school=session.cohort.school,
        details={"mode": session.trainer_signature.mode},
    )
    return session


def _snapshot(attendance: Attendance) -> dict:
    return {
        "status": attendance.status,
        "late_minutes": attendance.late_minutes,
        "excuse_reason": attendance.excuse_reason,
        "signed": attendance.signature_id is not None,
    }


@transaction.atomic
def attendance_amend(
    *,
    session: TrainingSession,
    enrolment: Enrolment,
    by: User,
    reason: str,
    status: str,
    late_minutes: int = 0,
    excuse_reason: str = "",
    proof=None,
) -> AttendanceAmendment:
    """Change one mark of a locked sheet, with a reason; the history keeps the mark before and after.

    The learner's signature stays with the mark if they remain present or late (they did sign that
    day); it is removed if the amendment says they were not there.
    """
    session = TrainingSession.objects.select_for_update().select_related("cohort__school").get(pk=session.pk)
    _check_team(by, session.cohort.school)
    if not session.is_locked:
        raise ValidationError("Cette feuille n'est pas encore signée : modifiez directement la présence.")
    if not reason.strip():
        raise ValidationError({"reason": "Le motif de la modification est obligatoire."})
    names = {e.pk: str(e.learner) for e in sheet_enrolments(session)}
    mark = Mark(
        enrolment_id=enrolment.pk,
        status=status,
        late_minutes=late_minutes,
        excuse_reason=excuse_reason,
        proof=proof,
    )
    _check_mark(mark, session, names)
    attendance = session.marks.select_for_update().filter(enrolment=enrolment).first()
    if attendance is None:
        attendance = Attendance(session=session, enrolment=enrolment)
        before = {}
    else:
        before = _snapshot(attendance)
    attendance.status = status
    attendance.late_minutes = late_minutes if status == AttendanceStatus.LATE else 0
    attendance.excuse_reason = excuse_reason.strip() if status == AttendanceStatus.EXCUSED else ""
    if status not in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
        attendance.signature = None
    attendance.updated_by = by
    attendance.save()
    if proof:
        attendance.proof.save(proof.name or "justificatif", without_metadata(proof, check_evidence(proof)))
    after = _snapshot(attendance)
    if before == after:
        raise ValidationError("Cette modification ne change rien à la feuille.")
    amendment = AttendanceAmendment.objects.create(
        session=session, attendance=attendance, reason=reason.strip(), before=before, after=after, by=by
    )
    audit_log(
        actor=by,
        action="attendance.amend",
        obj=session,
        school=session.cohort.school,
        details={"enrolment": enrolment.pk, "before": before, "after": after},
    )
    return amendment


# --- Hours --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """Minutes on the signed sheets of one learner (or summed over a cohort)."""

    scheduled: int
    attended: int
    late: int
    absent: int
    excused: int

    @staticmethod
    def format(minutes: int) -> str:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"

    @property
    def attended_display(self) -> str:
        return self.format(self.attended)

    @property
    def scheduled_display(self) -> str:
        return self.format(self.scheduled)

    @property
    def rate(self) -> float | None:
        """Share of the signed half-days' time actually attended."""
        return self.attended / self.scheduled if self.scheduled else None


def _hours(row) -> Hours:
    return Hours(
        scheduled=row.scheduled_minutes,
        attended=row.attended_minutes,
        late=row.late_minutes,
        absent=row.absent_minutes,
        excused=row.excused_minutes,
    )


def enrolment_hours(enrolment: Enrolment) -> Hours:
    return _hours(Enrolment.objects.with_hours().get(pk=enrolment.pk))


@dataclass(frozen=True)
class History:
    """Minutes of the months imported from the school's former spreadsheets (`AttendanceHistory`),
    summed for one enrolment: read beside the sheets' `Hours`, never mixed with them."""

    attended: int
    excused: int
    absent: int
    months: list[dt.date]


def enrolment_history(enrolment: Enrolment) -> History:
    """One query; each month's hours rounded to the minute, as the sums of `with_minutes`."""
    rows = list(
        AttendanceHistory.objects.filter(enrolment=enrolment)
        .order_by("month")
        .values_list("month", "attended_hours", "excused_hours", "unexcused_hours")
    )

    def total(index):
        return sum(int((row[index] * 60).to_integral_value(ROUND_HALF_UP)) for row in rows)

    return History(total(1), total(2), total(3), [row[0] for row in rows])


def cohort_hours(cohort: Cohort) -> dict[int, Hours]:
    """Hours of every learner of the cohort, by enrolment id, in one query."""
    return {row.pk: _hours(row) for row in Enrolment.objects.filter(cohort=cohort).with_hours()}
