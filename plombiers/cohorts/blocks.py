"""The page blocks cohorts contributes to the pages of the apps below it (plombiers/lib/slots.py):
those apps never read cohorts, not even through a reverse relation."""

from plombiers.accounts.enums import Role

from .models import Cohort, Enrolment


def school_cohorts(request, school):
    """The « Promotions » of a school's page (network): its last ten cohorts, for the school's team
    and the network staff; one query."""
    user = request.user
    manages = user.acts_for(school, Role.SCHOOL_MANAGER)  # the staff of *its* network, or its manager
    if not (manages or school.pk in user.school_ids()):
        return None
    cohorts = (
        Cohort.objects.visible_to(user)
        .filter(school=school)
        .with_list_related_data()
        .order_by("-start_date", "pk")[:10]
    )
    return "cohorts/includes/school_cohorts.html", {
        "school": school,
        "cohorts": cohorts,
        "can_create": manages,
    }


def learner_enrolments(request, learner):
    """The « Inscriptions en promotion » of a learner's page (referrals): the enrolments the user
    may see, latest first; one query."""
    enrolments = (
        Enrolment.objects.visible_to(request.user)
        .filter(learner=learner)
        .select_related("cohort__school")
        .order_by("-entry_date")
    )
    return "cohorts/includes/learner_enrolments.html", {"enrolments": enrolments}
