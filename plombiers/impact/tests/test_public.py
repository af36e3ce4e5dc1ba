"""The public results page reads its figures as last computed (`public.PublicResults`), in the
statement that reads the school, until a write changes what they stand on: every kind of change
shows on the next view, never a stale figure."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plombiers.cohorts.models import Enrolment
from plombiers.impact import rollup
from plombiers.impact.models import MonthRollup, PublicResults
from plombiers.impact.public import public_figures, public_school, published_figures
from plombiers.lib import derived
from plombiers.network.enums import SchoolStatus
from plombiers.outcomes.enums import ExitType
from plombiers.outcomes.models import Exit
from plombiers.referrals.tests.factories import ReferralFactory

#: Read on 10 June 2026: the twelve months from June 2025 to May 2026 hold cohort A2's exits
#: (17/04/2026): seven, two neutralised, five positive.
TODAY = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(cast, world):
    cast.school_a.status = SchoolStatus.OPEN
    cast.school_a.opened_on = dt.date(2017, 9, 1)
    cast.school_a.save()
    rollup.refresh()
    return reverse("impact:public_results", args=[cast.school_a.slug])


def _read(client, url):
    """(figures, statements) of one view of the page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    figures = [(f.label, f.percent, f.sample, f.secret, f.period) for f in response.context["figures"]]
    return figures, len(queries)


def _computed(school):
    return [(f.label, f.percent, f.sample, f.secret, f.period) for f in public_figures(school)]


def _positive(figures):
    return figures[3][1:3]  # positive exits at exit: (percent, sample)


@time_machine.travel(TODAY, tick=False)
def test_the_page_reads_its_figures_in_one_statement_until_they_change(client, cast, page):
    computed, count = _read(client, page)
    # The school with its stamp; the survey's answers, the last run, the rollup by month; the figures kept.
    assert count == 5
    assert computed == _computed(cast.school_a)
    assert _positive(computed) == (100, 5)
    kept, count = _read(client, page)
    assert (kept, count) == (computed, 1)
    stored = PublicResults.objects.get(school=cast.school_a)
    assert stored.since == dt.date(2025, 6, 1)
    rows = MonthRollup.objects.filter(school=cast.school_a)
    assert stored.stamp == f"{rows.count()}:{rows.latest('pk').pk}"


@time_machine.travel(TODAY, tick=False)
def test_a_changed_exit_shows_on_the_next_view(client, cast, page):
    _read(client, page)
    changed = Exit.objects.get(enrolment__cohort__name="A2", exit_type=ExitType.INCARCERATION)
    changed.exit_type = ExitType.CDI  # neutralised → a durable job
    changed.save()  # in the test's transaction: the page recomputes the rollup first (`derived`)
    figures, _count = _read(client, page)
    assert _positive(figures) == (100, 6)
    assert figures == _computed(cast.school_a)


@time_machine.travel(TODAY, tick=False)
def test_a_deleted_enrolment_shows_on_the_next_view(client, cast, page):
    before, _count = _read(client, page)
    gone = Enrolment.objects.get(cohort__name="A2", exit__exit_type=ExitType.DEATH)
    gone.exit.delete()
    gone.delete()
    derived.flush()  # as the commit would
    figures, count = _read(client, page)
    assert count == 5
    assert figures[2][2] == before[2][2] - 1  # completion: one fewer who left
    assert figures == _computed(cast.school_a)


@time_machine.travel(TODAY, tick=False)
def test_the_nightly_check_correcting_the_rows_shows_on_the_next_view(client, cast, page):
    """Writes the maintenance missed, corrected by the nightly check: a row added (here by hand)
    raises the largest id; the row of a month left empty, removed, lowers the count of the rows."""
    figures, _count = _read(client, page)
    stray = MonthRollup.objects.create(school=cast.school_a, year=2026, month=5, exits=4, counted_exits=4)
    wrong, count = _read(client, page)
    assert count == 5
    assert _positive(wrong) == (56, 9)  # what the rollup says: 5 of 9
    assert rollup.refresh().corrected >= 1
    assert not MonthRollup.objects.filter(pk=stray.pk).exists()
    right, count = _read(client, page)
    assert (right, count) == (figures, 5)
    # A referral alone in its month, deleted unseen: its row goes, not the last one, and the rows
    # left are fewer with the same largest id.
    referral = ReferralFactory(school=cast.school_a, referred_on=dt.date(2025, 8, 4))
    derived.flush()  # as its commit would
    august = MonthRollup.objects.get(school=cast.school_a, year=2025, month=8)
    assert august.pk != MonthRollup.objects.filter(school=cast.school_a).latest("pk").pk
    assert _read(client, page)[1] == 5
    with derived.paused():
        referral.delete()
    assert _read(client, page)[1] == 1  # unseen: the rollup still says so
    rollup.refresh()
    assert not MonthRollup.objects.filter(pk=august.pk).exists()
    assert _read(client, page) == (right, 5)


def test_a_new_month_computes_the_figures_again(client, cast, page):
    with time_machine.travel(TODAY, tick=False):
        may, _count = _read(client, page)
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        june, count = _read(client, page)
        assert count == 5
        assert june[0][4] == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
        assert PublicResults.objects.get(school=cast.school_a).since == dt.date(2025, 7, 1)
    assert june != may


@time_machine.travel(TODAY, tick=False)
def test_figures_computed_after_a_write_keep_the_stamp_read_before_it(client, cast, page):
    """A write between the read of the stamp and the figures: they are the new ones, kept with the
    old stamp, so the next view computes them again rather than trust them."""
    school = public_school(cast.school_a.slug)
    changed = Exit.objects.get(enrolment__cohort__name="A2", exit_type=ExitType.INCARCERATION)
    changed.exit_type = ExitType.CDI
    changed.save()
    figures = published_figures(school)
    assert (figures[3].percent, figures[3].sample) == (100, 6)
    again, count = _read(client, page)
    assert count == 5
    assert _positive(again) == (100, 6)
    assert _read(client, page)[1] == 1


def test_before_the_first_complete_run_nothing_is_kept(client, cast, world):
    """Nothing rewrites the rows by month before the first complete run: the figures are always
    computed from the records."""
    url = reverse("impact:public_results", args=[cast.school_a.slug])
    _read(client, url)
    _figures, count = _read(client, url)
    assert count == 6  # the school; the answers, the last run; enrolments, exits, follow-ups
    assert not PublicResults.objects.exists()
