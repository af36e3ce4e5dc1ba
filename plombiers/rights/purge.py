"""Applying the retention rules (`retention.RULES`): what is due, and anonymising a person.

Privacy sits at the base of the layers, yet retention reaches the records of every app of the
path: it names them by label through the app registry (`apps.get_model`) rather than importing
them, so that no app below imports one above. Each rule selects what is due with one query, then
treats one person per transaction, so that a failure leaves every person either untouched or done.
Every selection excludes what was already done: a second run finds nothing (idempotent).

Anonymisation keeps the statistics: what the indicators, the open data and the funders' figures
read (the person's school, commune, gender, QPV, RQTH, diploma and last class, the birth year,
every referral, enrolment, attendance mark and month of imported attendance history, observation level, barrier category and its lifting,
internship, exit and follow-up category) stays; names, contact details, identifiers, free texts,
encrypted notes, files and the account's identity go. No indicator reads the exact birth date
(the age at entry only decides eligibility, stored with the referral), so it becomes 1 January of
the birth year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from plombiers.privacy.retention import months_before, months_for
from plombiers.privacy.services import audit_log

#: The identity key of an anonymised person: unique per record, matches no one.
ANONYMISED_KEY = "anonyme|{pk}"
ANONYMISED_FIRST_NAME = "Personne anonymisée"


def _model(label: str):
    return apps.get_model(label)


def anonymised_last_name(pk: int) -> str:
    return f"n° {pk}"


def is_anonymised(learner) -> bool:
    return learner.identity_key == ANONYMISED_KEY.format(pk=learner.pk)


def _not_anonymised(learners: QuerySet) -> QuerySet:
    return learners.exclude(identity_key__startswith="anonyme|")


def _delete_file(field_file) -> None:
    if field_file and field_file.name:
        field_file.storage.delete(field_file.name)


# --- what one person loses ----------------------------------------------------------------------


def support_notes_delete(*, learner) -> int:
    """The journal goes; barrier summaries and action outcomes lose their text. The barriers, their
    level and their lifting stay (indicators count them). Returns how many records changed."""
    journal, _ = _model("support.JournalEntry").objects.filter(learner=learner).delete()
    barriers = _model("support.Barrier").objects.filter(learner=learner).exclude(summary="")
    changed = barriers.update(summary="")
    actions = _model("support.Action").objects.filter(barrier__learner=learner).exclude(outcome="")
    return journal + changed + actions.update(outcome="")


def training_proofs_delete(*, enrolments: QuerySet) -> int:
    """Signature images, absence proofs and evidence files of these enrolments leave the storage;
    the marks themselves (present, absent…) stay. Returns the number of files and images removed."""
    removed = 0
    attendance = _model("cohorts.Attendance").objects.filter(enrolment__in=enrolments)
    for mark in attendance.exclude(proof=""):
        _delete_file(mark.proof)
        removed += 1
    attendance.exclude(proof="").update(proof="")
    signatures = (
        _model("cohorts.Signature").objects.filter(pk__in=attendance.values("signature")).exclude(svg="")
    )
    removed += signatures.update(svg="")
    evidence = _model("skills.Evidence").objects.filter(observation__enrolment__in=enrolments)
    for item in evidence:
        _delete_file(item.file)
        removed += 1
    evidence.delete()
    return removed


def learner_anonymise(*, learner, keep_training_proofs: bool = False) -> None:
    """Turn one person's record into « Personne anonymisée n° <id> », keeping the statistics.

    `keep_training_proofs`: an erasure before the end of the keeping period of attendance sheets
    keeps the signatures on them (a legal obligation); the purge removes them when it ends."""
    Learner = _model("referrals.Learner")
    with transaction.atomic():
        learner = Learner.objects.select_for_update().get(pk=learner.pk)
        label = f"{ANONYMISED_FIRST_NAME} {anonymised_last_name(learner.pk)}"
        learner.first_name = ANONYMISED_FIRST_NAME
        learner.last_name = anonymised_last_name(learner.pk)
        learner.birth_date = learner.birth_date.replace(month=1, day=1)
        learner.phone = learner.email = learner.address = learner.france_travail_id = ""
        learner.neet_since = None
        learner.max_travel_km = None
        learner.identity_key = ANONYMISED_KEY.format(pk=learner.pk)
        learner.save(
            update_fields=[
                "first_name", "last_name", "birth_date", "phone", "email", "address",
                "france_travail_id", "neet_since", "max_travel_km", "identity_key",
            ]
        )  # fmt: skip
        if learner.user_id:
            _account_close(user=learner.user)

        referrals = _model("referrals.Referral").objects.filter(learner=learner)
        referrals.update(motivation="", reason_detail="", eligibility_override="")
        _model("referrals.ReferralEvent").objects.filter(referral__in=referrals).update(note="")
        support_notes_delete(learner=learner)

        enrolments = _model("cohorts.Enrolment").objects.filter(learner=learner)
        enrolments.update(drop_out_detail="", eligibility_override="")
        # The hours of the imported months stay, as the marks do (statistics); the name of the file
        # they came from goes (a school may have named it after the person).
        _model("cohorts.AttendanceHistory").objects.filter(enrolment__in=enrolments).update(source="")
        _model("skills.Observation").objects.filter(enrolment__in=enrolments).update(comment="")
        _model("alerts.Alert").objects.filter(enrolment__in=enrolments).update(note="")
        invitations = _model("surveys.SurveyInvitation").objects.filter(enrolment__in=enrolments)
        invitations.update(addressee=label, respondent_name="", email="")
        _model("surveys.SurveyAnswer").objects.filter(invitation__in=invitations).update(text="")
        internships = _model("internships.Internship").objects.filter(enrolment__in=enrolments)
        internships.update(interruption_reason="")
        _model("internships.TutorEvaluation").objects.filter(internship__in=internships).update(comment="")
        _model("internships.ConventionSignature").objects.filter(
            internship__in=internships,
            party="jeune",  # internships.enums.Party.LEARNER
        ).update(name=label, email="", signed_name=label, user_agent="")
        _model("internships.Application").objects.filter(enrolment__in=enrolments).update(
            note="", shared_note=""
        )
        exits = _model("outcomes.Exit").objects.filter(enrolment__in=enrolments)
        exits.update(comment="")
        _model("outcomes.FollowUp").objects.filter(exit__in=exits).update(comment="")
        _attestations_anonymise(enrolments=enrolments, label=label)

        if keep_training_proofs:
            # Evidence photos prove an evaluation, not a funded hour: they go at once.
            for item in _model("skills.Evidence").objects.filter(observation__enrolment__in=enrolments):
                _delete_file(item.file)
            _model("skills.Evidence").objects.filter(observation__enrolment__in=enrolments).delete()
        else:
            training_proofs_delete(enrolments=enrolments)
            _signatures_rename(enrolments=enrolments, label=label)


def _signatures_rename(*, enrolments: QuerySet, label: str) -> None:
    marks = _model("cohorts.Attendance").objects.filter(enrolment__in=enrolments)
    signatures = _model("cohorts.Signature").objects.filter(pk__in=marks.values("signature"))
    signatures.update(signer_name=label)
    # A signature without drawing holds the name as the person typed it.
    signatures.exclude(typed_name="").update(typed_name=label)


def _attestations_anonymise(*, enrolments: QuerySet, label: str) -> None:
    """The frozen snapshot loses the name and e-mail (the PDF and the verification page read it);
    the signed credential, which holds only a salted hash, is left byte for byte: it still verifies."""
    for attestation in _model("credentials.Attestation").objects.filter(enrolment__in=enrolments):
        learner = dict(attestation.snapshot.get("learner", {}))
        learner.update(
            name=label, first_name=ANONYMISED_FIRST_NAME, last_name=label.removeprefix(ANONYMISED_FIRST_NAME).strip(),
            initials="—", email="",
        )  # fmt: skip
        attestation.snapshot = {**attestation.snapshot, "learner": learner}
        attestation.save(update_fields=["snapshot"])


def _account_close(*, user) -> None:
    """The young person's account can no longer log in and no longer names them."""
    user.email = f"anonyme-{user.pk}@anonyme.invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
    _model("accounts.ApiToken").objects.filter(user=user).delete()
    for label in ("account.EmailAddress", "mfa.Authenticator"):
        try:
            model = apps.get_model(label)
        except LookupError:  # pragma: no cover - allauth's apps are installed
            continue
        model.objects.filter(user=user).delete()


# --- what is due --------------------------------------------------------------------------------


def _learners(network) -> QuerySet:
    return _model("referrals.Learner").objects.filter(school__network=network)


def _active_since(cutoff: dt.date) -> Q:
    """Any sign of activity on or after `cutoff`: the definition of « dernière activité »."""
    Referral = _model("referrals.Referral")
    Enrolment = _model("cohorts.Enrolment")
    Attendance = _model("cohorts.Attendance")
    History = _model("cohorts.AttendanceHistory")
    Exit = _model("outcomes.Exit")
    FollowUp = _model("outcomes.FollowUp")
    learner = OuterRef("pk")
    return (
        Q(created_at__date__gte=cutoff)
        | Exists(Referral.objects.filter(learner=learner, status_changed_at__date__gte=cutoff))
        | Exists(Referral.objects.filter(learner=learner, referred_on__gte=cutoff))
        | Exists(
            Enrolment.objects.filter(learner=learner).filter(
                Q(entry_date__gte=cutoff)
                | Q(end_date__gte=cutoff)
                | Q(end_date__isnull=True, cohort__end_date__gte=cutoff)
            )
        )
        | Exists(Attendance.objects.filter(enrolment__learner=learner, session__date__gte=cutoff))
        | Exists(History.objects.filter(enrolment__learner=learner, month__gte=cutoff))
        | Exists(Exit.objects.filter(enrolment__learner=learner, exit_date__gte=cutoff))
        | Exists(FollowUp.objects.filter(exit__enrolment__learner=learner, answered_at__date__gte=cutoff))
    )


def due_support_notes(network, today: dt.date) -> QuerySet:
    """Learners whose support ended (last follow-up due, or exit when none) before the cutoff and
    who still have notes. A person back in training (an enrolment without exit) keeps them."""
    cutoff = months_before(today, months_for(network, "support_notes"))
    FollowUp = _model("outcomes.FollowUp")
    Exit = _model("outcomes.Exit")
    last_follow_up = FollowUp.objects.filter(exit__enrolment__learner=OuterRef("pk")).order_by("-due_on")
    last_exit = Exit.objects.filter(enrolment__learner=OuterRef("pk")).order_by("-exit_date")
    has_notes = (
        Exists(_model("support.JournalEntry").objects.filter(learner=OuterRef("pk")))
        | Exists(_model("support.Barrier").objects.filter(learner=OuterRef("pk")).exclude(summary=""))
        | Exists(_model("support.Action").objects.filter(barrier__learner=OuterRef("pk")).exclude(outcome=""))
    )
    ongoing = _model("cohorts.Enrolment").objects.filter(learner=OuterRef("pk"), exit__isnull=True)
    return (
        _learners(network)
        .annotate(
            support_end=Coalesce(
                Subquery(last_follow_up.values("due_on")[:1]), Subquery(last_exit.values("exit_date")[:1])
            )
        )
        .filter(has_notes, support_end__lt=cutoff)
        .exclude(Exists(ongoing))
    )


def due_referrals_not_admitted(network, today: dt.date) -> QuerySet:
    cutoff = months_before(today, months_for(network, "referrals_not_admitted"))
    enrolled = _model("cohorts.Enrolment").objects.filter(learner=OuterRef("pk"))
    return _not_anonymised(_learners(network)).exclude(Exists(enrolled)).exclude(_active_since(cutoff))


def due_learners(network, today: dt.date) -> QuerySet:
    cutoff = months_before(today, months_for(network, "learners"))
    enrolled = _model("cohorts.Enrolment").objects.filter(learner=OuterRef("pk"))
    return _not_anonymised(_learners(network)).filter(Exists(enrolled)).exclude(_active_since(cutoff))


def due_training_proofs(network, today: dt.date) -> QuerySet:
    """Enrolments whose training ended before the cutoff and that still hold a file or an image."""
    cutoff = months_before(today, months_for(network, "training_proofs"))
    Attendance = _model("cohorts.Attendance")
    marks = Attendance.objects.filter(enrolment=OuterRef("pk"))
    holds = (
        Exists(marks.exclude(proof=""))
        | Exists(marks.filter(signature__isnull=False).exclude(signature__svg=""))
        | Exists(_model("skills.Evidence").objects.filter(observation__enrolment=OuterRef("pk")))
    )
    return (
        _model("cohorts.Enrolment")
        .objects.filter(cohort__school__network=network)
        .annotate(training_end=Coalesce(F("end_date"), F("cohort__end_date")))
        .filter(holds, training_end__lt=cutoff)
    )


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Step:
    key: str
    #: What is counted, in plain French: « personne(s) » or « inscription(s) ».
    unit: str
    due: callable
    apply: callable
    #: The path from what is counted to its school (the audit event goes to the school's trail).
    school: str = "school"


def _apply_training_proofs(enrolment) -> None:
    with transaction.atomic():
        enrolments = _model("cohorts.Enrolment").objects.filter(pk=enrolment.pk)
        training_proofs_delete(enrolments=enrolments)
        learner = _model("referrals.Learner").objects.get(pk=enrolment.learner_id)
        if is_anonymised(learner):
            _signatures_rename(enrolments=enrolments, label=str(learner))


def _apply_support_notes(learner) -> None:
    with transaction.atomic():
        support_notes_delete(learner=learner)


STEPS = (
    Step("support_notes", "personne(s)", due_support_notes, _apply_support_notes),
    Step(
        "referrals_not_admitted",
        "personne(s)",
        due_referrals_not_admitted,
        lambda learner: learner_anonymise(learner=learner),
    ),
    Step("learners", "personne(s)", due_learners, lambda learner: learner_anonymise(learner=learner)),
    Step(
        "training_proofs",
        "inscription(s)",
        due_training_proofs,
        _apply_training_proofs,
        school="cohort__school",
    ),
)  # fmt: skip


def purge(*, today: dt.date | None = None, dry_run: bool = False, networks: Iterable | None = None) -> dict:
    """Apply every rule to every network; returns {rule key: count}. With `dry_run`, only counts.
    Each rule leaves one audit event per school with its count (never a name), in the trail its
    manager and the network staff read."""
    today = today or timezone.localdate()
    Network = _model("network.Network")
    counts = {step.key: 0 for step in STEPS}
    for network in networks if networks is not None else Network.objects.order_by("pk"):
        for step in STEPS:
            due = step.due(network, today).order_by("pk")
            if dry_run:
                counts[step.key] += due.count()
                continue
            # The ids first: each person is then changed in their own transaction, never under an
            # open cursor over the table being changed (SQLite does not isolate the two).
            by_school = Counter()
            for pk, school_id in list(due.values_list("pk", step.school)):
                step.apply(due.model.objects.get(pk=pk))
                by_school[school_id] += 1
            counts[step.key] += sum(by_school.values())
            months = months_for(network, step.key)
            for school in _model("network.School").objects.filter(pk__in=by_school).order_by("pk"):
                audit_log(
                    actor=None,
                    action="privacy.purge",
                    obj=school,
                    details={"rule": step.key, "count": by_school[school.pk], "months": months},
                )
    return counts
