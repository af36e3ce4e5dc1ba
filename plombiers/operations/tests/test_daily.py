"""`plombiers daily` runs the jobs each app declares in its `nightly.py`, in their order, and
imports no app by name."""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command

from plombiers.lib.nightly import Job
from plombiers.operations.management.commands import daily

COMMAND = Path(daily.__file__)


def test_every_app_s_jobs_are_found_in_today_s_order():
    assert [job.name for job in daily.nightly_jobs()] == [
        "requeue_dead_tasks",
        "referrals_expire",
        "compute_alerts",
        "follow_ups_expire",
        "notify_follow_ups_due",
        "send_report_reminders",
        "webhooks_retry_due",  # the deliveries a lost task left behind
        "webhooks_purge",  # the delivery log after its retention (one month)
        "imports_forget_files",  # the files uploaded and never imported, after their retention
        "invitations_purge",  # the invitations nobody accepted, after their retention
        "purge",  # the retention rules (privacy)
        "refresh_rollup",  # it sums what the others changed
        "webhooks_impact_updated",  # the funders' aggregated figures, once the rollup is fresh
    ]


def test_the_command_imports_no_app_by_name():
    imported = set()
    for node in ast.walk(ast.parse(COMMAND.read_text())):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert {name for name in imported if name.startswith("plombiers")} == {"plombiers.lib.nightly"}


@pytest.mark.django_db
def test_a_new_app_s_job_runs_in_its_place_and_an_empty_message_prints_nothing(monkeypatch, capsys):
    ran = []
    jobs = [
        Job(order=2, name="second", run=lambda: ran.append("second") or "deuxième"),
        Job(order=1, name="first", run=lambda: ran.append("first") or ""),
    ]
    monkeypatch.setattr(daily, "nightly_jobs", lambda: sorted(jobs, key=lambda job: job.order))
    call_command("daily")
    assert ran == ["first", "second"]
    assert capsys.readouterr().out == "deuxième\n"
