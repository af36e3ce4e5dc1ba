"""Printable documents of the support: the information notice a young person reads and signs.

Rendered with Typst (the `typst` wheel: no system libraries, its own fonts embedded in the PDF).
The template is in `typst/`; names go in through `sys.inputs`, as plain strings, never pasted
into the markup, so that nothing a person typed can change the document.
"""

import re
from functools import cache
from pathlib import Path

from plombiers.lib import typst_compiler as typst
from plombiers.network.models import School
from plombiers.privacy import retention
from plombiers.referrals.models import Learner

TEMPLATES = Path(__file__).parent / "typst"


@cache
def _template(name: str) -> bytes:
    return (TEMPLATES / name).read_bytes()


def _french_spaces(text: str) -> str:
    """No line break before « : ; ? ! » nor inside « guillemets »: non-breaking spaces."""
    return re.sub(r" ([:;?!»])", "\u00a0\\1", text).replace("« ", "«\u00a0")


def consent_notice_pdf(*, learner: Learner, school: School) -> bytes:
    """The information notice (who processes the data, what, why, who sees what, how long, rights)
    with the two consents to tick and the signature boxes, the young person's and school's names
    filled in."""
    inputs = {
        "learner": f"{learner.first_name} {learner.last_name}".strip(),
        "school": school.name,
        "network": school.network.name,
        "contact": school.email,
        # The retention table, one rule a line, its cells split by tabs: the same rows as the public
        # page « Conservation des données », with the durations of the school's network.
        "retention": "\n".join(
            "\t".join(
                _french_spaces(cell)
                for cell in [row.rule.label, row.duration, row.rule.counted_from, row.rule.action_label]
            )
            for row in retention.table(school.network)
        ),
    }
    return typst.compile(
        _template("notice.typ"),
        root=str(TEMPLATES),
        sys_inputs=inputs,
        format="pdf",
        ignore_system_fonts=True,  # the same fonts everywhere: those Typst embeds
    )
