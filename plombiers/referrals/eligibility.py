"""Eligibility of a young person, with its explanation in plain French.

The rules are settings of the network (`PLOMBIERS_ELIGIBILITY`); a school may
still admit someone outside them, with a written justification.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.conf import settings

from .enums import DIPLOMA_RANK, Diploma

DEFAULT_RULES = {
    "min_age": 16,
    "max_age": 25,
    "max_age_rqth": 29,
    "max_diploma_level": 3,
}


def rules() -> dict:
    return {**DEFAULT_RULES, **getattr(settings, "PLOMBIERS_ELIGIBILITY", {})}


@dataclass
class Eligibility:
    eligible: bool
    checked_on: str
    reasons: list[str] = field(default_factory=list)  # why not, one sentence each
    explanations: list[str] = field(default_factory=list)  # every rule, met or not
    priorities: list[str] = field(default_factory=list)  # QPV, RQTH

    def as_dict(self) -> dict:
        return asdict(self)


def evaluate(
    *,
    birth_date: dt.date,
    highest_diploma: str,
    is_neet: bool,
    has_rqth: bool,
    lives_in_qpv: bool,
    on: dt.date,
) -> Eligibility:
    """Evaluate the rules on the day the training starts (`on`)."""
    r = rules()
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    max_age = r["max_age_rqth"] if has_rqth else r["max_age"]
    reasons, explanations = [], []

    age_text = f"{age} ans au {on:%d/%m/%Y}"
    if age < r["min_age"]:
        reasons.append(f"Âge : {age_text}, moins de {r['min_age']} ans.")
    elif age > max_age:
        ceiling = f"{max_age} ans" + (" avec la RQTH" if has_rqth else "")
        reasons.append(f"Âge : {age_text}, au-delà de {ceiling}.")
    else:
        explanations.append(f"Âge : {age_text}, entre {r['min_age']} et {max_age} ans.")

    label = Diploma(highest_diploma).label
    if DIPLOMA_RANK[Diploma(highest_diploma)] > r["max_diploma_level"]:
        reasons.append(f"Diplôme : {label}, au-dessus du niveau {r['max_diploma_level']}.")
    else:
        explanations.append(f"Diplôme : {label}, pas au-dessus du niveau {r['max_diploma_level']}.")

    if is_neet:
        explanations.append("Situation : ni en emploi, ni en études, ni en formation.")
    else:
        reasons.append("Situation : déclaré·e en emploi, en études ou en formation.")

    priorities = []
    if lives_in_qpv:
        priorities.append("Habite un quartier prioritaire de la politique de la ville (QPV)")
    if has_rqth:
        priorities.append("Reconnaissance de la qualité de travailleur handicapé (RQTH)")
    return Eligibility(
        eligible=not reasons,
        checked_on=on.isoformat(),
        reasons=reasons,
        explanations=reasons + explanations,
        priorities=priorities,
    )


def evaluate_learner(learner, *, on: dt.date) -> Eligibility:
    return evaluate(
        birth_date=learner.birth_date,
        highest_diploma=learner.highest_diploma,
        is_neet=learner.is_neet,
        has_rqth=learner.has_rqth,
        lives_in_qpv=learner.lives_in_qpv,
        on=on,
    )
