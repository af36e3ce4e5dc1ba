"""The « À compléter » block of a school's page (network, plombiers/lib/slots.py): what « Ouvrir une
école » still misses, for the network staff."""

from .checklist import progress, school_checklist
from .permissions import opens


def school_to_complete(request, school):
    if not opens(request.user, school):
        return None
    steps = school_checklist(school)
    done, total = progress(steps)
    missing = [step for step in steps if not step.done]
    return "openings/includes/to_complete.html", {
        "school": school,
        "missing": missing,
        "done": done,
        "total": total,
    }
