"""Eligibility at the boundaries of its age rule: 16 to 25 years on the training's first day, 29
with the RQTH (`referrals.eligibility`)."""

import datetime as dt

import pytest

from plombiers.referrals.eligibility import evaluate
from plombiers.referrals.enums import Diploma

ON = dt.date(2027, 3, 1)


def _born(age: int, *, day_offset: int = 0) -> dt.date:
    """The birth date of someone who turns `age` on ON (plus `day_offset` days: +1, the birthday is
    the day after, so they are still `age - 1`)."""
    return ON.replace(year=ON.year - age) + dt.timedelta(days=day_offset)


def _evaluate(birth_date, *, has_rqth):
    return evaluate(
        birth_date=birth_date,
        highest_diploma=Diploma.LEVEL_3,
        is_neet=True,
        has_rqth=has_rqth,
        lives_in_qpv=False,
        on=ON,
    )


@pytest.mark.parametrize(
    ("age", "has_rqth", "eligible"),
    [
        (15, False, False),
        (16, False, True),
        (25, False, True),
        (26, False, False),
        (29, False, False),
        (15, True, False),
        (16, True, True),
        (25, True, True),
        (26, True, True),
        (29, True, True),
        (30, True, False),
    ],
)
def test_the_age_rule_at_each_boundary(age, has_rqth, eligible):
    """Catches the planted bug `age > max_age` → `age >= max_age` (25 and 29 would be refused),
    and `age < min_age` → `<=` (16 refused): ages on the very birthday, on the first day."""
    result = _evaluate(_born(age), has_rqth=has_rqth)
    assert result.eligible is eligible, result.reasons
    assert any(r.startswith("Âge") for r in result.reasons) is not eligible


@pytest.mark.parametrize(("age", "has_rqth"), [(16, False), (26, False), (30, True)])
def test_the_day_before_a_birthday_counts_the_year_before(age, has_rqth):
    """The birthday falls the day after the first day: still `age - 1` on it."""
    before = _evaluate(_born(age, day_offset=1), has_rqth=has_rqth)
    on_the_day = _evaluate(_born(age), has_rqth=has_rqth)
    assert before.eligible != on_the_day.eligible
    assert f"{age - 1} ans au 01/03/2027" in before.explanations[0]
