"""Who reads what of the gesture-based training: one predicate per rule, for the pages and the API.

Moved here as they were from `views.py`, so that `api.py` needs no view. They read the memberships
already loaded for the request: no query."""

from plombiers.cohorts.models import Enrolment


def is_school_side(user, school) -> bool:
    """The school's team (manager, trainers, social workers) and the staff of its network."""
    return user.acts_for(school)


def sees_details(user, enrolment: Enrolment) -> bool:
    """Comments, evidence and the timeline: the school side and the learner; never the prescriber."""
    learner_user = enrolment.learner.user_id
    return is_school_side(user, enrolment.cohort.school) or (
        learner_user is not None and learner_user == user.pk
    )
