"""The rollup kept exact as the records change: which writes change a measure, and how their school
is found.

Every model a measure of `selectors.MEASURES` reads (`selectors.SOURCES`): referrals; enrolments
(entry, end, status, prescriber through the referral); attendance marks and the sheets they are on
(signed or not, duration), and the months of attendance history a school imported; situations at exit (with whether the internship host hired); follow-ups;
observations of skills; barriers; and the young person's own fields that are counted (gender, QPV,
RQTH, diploma). Internships and grants change no measure (the hire by an internship host is recorded
on the exit; a funder's schools are read through its partnerships when the rollup is read).

A receiver of `post_save` / `post_delete` (connected by `ImpactConfig.ready`: impact sits above
those apps) notes a key with `plombiers.lib.derived.mark` — the school itself, or the cohort,
enrolment, exit or learner it hangs from, resolved to schools in one query per kind when the
transaction flushes (`flush`, just before it commits: see `plombiers.lib.derived`). A write costs no
query. A deletion marks the same key: if what it hangs from is deleted too in the transaction
(a cascade), that deletion marks its own parent, up to the cohort, whose deletion marks its school.
Writes that send no signal — `bulk_create`, `QuerySet.update()` — mark their keys themselves in
the services that make them (`derived.mark("cohort", …)`); a queryset's `delete()` sends the
signals (Django collects the rows when a receiver listens).
"""

from django.db.models.signals import post_delete, post_save

from plombiers.cohorts.models import Attendance, AttendanceHistory, Cohort, Enrolment, TrainingSession
from plombiers.lib import derived
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals.models import Learner, Referral
from plombiers.skills.models import Observation
from plombiers.support.models import Barrier

#: The learner's fields a measure counts (« started »: women, QPV, RQTH, without a diploma).
LEARNER_FIELDS = {"gender", "lives_in_qpv", "has_rqth", "highest_diploma"}


def schools_of(keys: dict[str, set], using: str = "default") -> set[int]:
    """The schools whose rows these keys ({kind: {pk, …}}) change: one query per kind."""
    lookups = {
        "cohort": (Cohort, "school_id"),
        "enrolment": (Enrolment, "cohort__school_id"),
        "exit": (Exit, "enrolment__cohort__school_id"),
    }
    schools = set(keys.get("school", ()))
    for kind, (model, path) in lookups.items():
        if keys.get(kind):
            schools.update(model.objects.using(using).filter(pk__in=keys[kind]).values_list(path, flat=True))
    if keys.get("learner"):
        schools.update(
            Enrolment.objects.using(using)
            .filter(learner__in=keys["learner"])
            .values_list("cohort__school_id", flat=True)
        )
    return schools


def flush(keys: dict[str, set], using: str) -> None:
    """`plombiers.lib.derived`'s callback: recompute the rows of every school concerned."""
    from .rollup import kept, update_schools

    if kept(using):  # checked first: no keys to resolve before the first complete run
        update_schools(schools_of(keys, using), using)


# --- what each write marks -----------------------------------------------------------------------

#: model → (kind of key, the instance's field that holds it).
KEYS = {
    Referral: ("school", "school_id"),
    Enrolment: ("cohort", "cohort_id"),
    TrainingSession: ("cohort", "cohort_id"),
    Attendance: ("enrolment", "enrolment_id"),
    AttendanceHistory: ("enrolment", "enrolment_id"),
    Observation: ("enrolment", "enrolment_id"),
    Exit: ("enrolment", "enrolment_id"),
    FollowUp: ("exit", "exit_id"),
    Barrier: ("learner", "learner_id"),
    Learner: ("learner", "pk"),
}
#: Deleted only: the end of every chain of deletions (a cohort holds no measure of its own).
DELETED = {**KEYS, Cohort: ("school", "school_id")}


def _counts(instance, created: bool, update_fields) -> bool:
    """Whether this save may change a measure (False only when it surely does not)."""
    if isinstance(instance, Learner):
        return update_fields is None or bool(LEARNER_FIELDS & set(update_fields))
    if isinstance(instance, TrainingSession):
        # A sheet counts once signed (`locked_at`); an unsigned one only when it may have just been
        # unlocked (a new one, unsigned, counts nowhere yet).
        if instance.locked_at is not None:
            return True
        return not created and (update_fields is None or "locked_at" in update_fields)
    if isinstance(instance, Attendance) and Attendance.session.is_cached(instance):
        # A mark on a sheet not yet signed counts nowhere (the sheet's signature marks them all).
        return instance.session.locked_at is not None
    return True


def saved(sender, instance, created=False, update_fields=None, using="default", **kwargs):
    if not _counts(instance, created, update_fields):
        return
    kind, attr = KEYS[sender]
    derived.mark(kind, [getattr(instance, attr)], using=using)


def deleted(sender, instance, using="default", **kwargs):
    kind, attr = DELETED[sender]
    derived.mark(kind, [getattr(instance, attr)], using=using)


def connect() -> None:
    for model in KEYS:
        post_save.connect(saved, sender=model, dispatch_uid=f"impact-rollup-save-{model._meta.label}")
    for model in DELETED:
        post_delete.connect(deleted, sender=model, dispatch_uid=f"impact-rollup-delete-{model._meta.label}")
    derived.register(flush)
