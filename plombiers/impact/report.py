"""The yearly report of a school for its funders, in PDF (Typst, like `plombiers.documents`):
the figures of the year with their counts, the positive-exit rate at exit and at each follow-up,
the last years, and charts as vector SVG. Aggregates only: no name of a young person; a funder's
copy hides small cells as its dashboards do (`secrecy`)."""

import dataclasses
import datetime as dt
import json
from pathlib import Path

from plombiers.lib import typst_compiler as typst
from plombiers.lib.formats import date_fr
from plombiers.lib.secrecy import LEGEND

from . import secrecy
from .charts import bar_chart
from .selectors import FUNNEL, HORIZONS, INDICATOR, TARGET, Filters, Row, Scope, indicators_with_total

TEMPLATE = Path(__file__).parent / "typst" / "rapport.typ"
KEYS = [
    *FUNNEL,
    "positive_exit_rate",
    "durable_job_rate",
    "completion_rate",
    "dropout_rate",
    "attendance_rate",
    "time_to_first_job",
    "skills_per_learner",
    "barriers_lifted_rate",
    "women_share",
    "qpv_share",
    "rqth_share",
    "non_qualified_share",
]
HORIZON_KEYS = ["positive_exit_rate", *[f"positive_exit_rate_{h}m" for h in HORIZONS]]


def _figure(figure) -> dict:
    return {"label": figure.indicator.label, "value": figure.display, "counts": figure.counts}


def report_data(scope: Scope, year: int, *, today: dt.date) -> dict:
    # The report is written for the school's funders, whoever downloads it: the team forwards it,
    # so its small cells are always hidden (for the team too).
    scope = dataclasses.replace(scope, can_list_learners=False)
    school = scope.obj
    # Every year's figures at once: the year of the report is one of its rows.
    total, by_year = indicators_with_total(scope, Filters(), "year")
    secrecy.protect(scope, Filters(), total, {"year": by_year.rows})
    row = next((r for r in by_year.rows if r.key == year), Row(year, str(year), {}))
    years = [r for r in by_year.rows if r.key is not None and year - 4 <= r.key <= year]
    target = int(TARGET * 100)
    horizon_labels = ["À la sortie", *[f"{h} mois" for h in HORIZONS]]
    return {
        "school": school.name,
        "trade": school.trade.name,
        "commune": school.commune.name,
        "year": str(year),
        "issued": date_fr(today),
        "target": f"{target} %",
        "legend": [f"« {mark} » : {text}" for mark, text in LEGEND.items()] if scope.protected else [],
        "figures": [_figure(row[k]) for k in KEYS],
        "horizons": [
            {**_figure(row[k]), "label": label} for label, k in zip(horizon_labels, HORIZON_KEYS, strict=True)
        ],
        "years": [{"year": str(r.key), **_figure(r["positive_exit_rate"])} for r in years],
        "charts": {
            "horizons": bar_chart(horizon_labels, [row[k].percent for k in HORIZON_KEYS], target=target),
            "years": bar_chart(
                [str(r.key) for r in years], [r["positive_exit_rate"].percent for r in years], target=target
            ),
            "funnel": bar_chart(
                [INDICATOR[k].label.split(" (")[0] for k in FUNNEL],
                [row[k].value for k in FUNNEL],
                percent=False,
            ),
        },
    }


def report_pdf(scope: Scope, year: int, *, today: dt.date) -> bytes:
    data = report_data(scope, year, today=today)
    return typst.compile(
        str(TEMPLATE),
        root=str(TEMPLATE.parent),
        format="pdf",
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )
