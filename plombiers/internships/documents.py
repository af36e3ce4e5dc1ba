"""The internship convention in PDF (Typst): the tripartite convention — the learner, the host
company and the school, plus the prescriber for a PMSMP — with the signatures given through the
personal links (name typed, date and time, IP address).

As in `plombiers/documents/services.py`: the data goes in as one JSON string through `sys.inputs`,
never pasted into the markup; dates and hours are formatted here, in French. The template imports
the documents' shared parts (`/documents/typst/common.typ`), so the compiler's root is the package.
"""

import json
import threading
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from plombiers.documents.services import CohortData, learner_name
from plombiers.lib import typst_compiler as typst
from plombiers.lib.formats import NBSP, date_fr, siret_fr

from .enums import InternshipKind, Party
from .models import Internship

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).parent / "typst" / "convention.typ"

_compilers = threading.local()


def _compiler() -> typst.Compiler:
    """One compiler per thread: fonts and parsed sources are loaded once."""
    compiler = getattr(_compilers, "convention", None)
    if compiler is None:
        compiler = _compilers.convention = typst.Compiler(
            str(TEMPLATE), root=str(ROOT), ignore_system_fonts=True
        )
    return compiler


def hours_fr(value: Decimal) -> str:
    """35 h, 17,5 h."""
    text = f"{Decimal(value).normalize():f}".replace(".", ",")
    return f"{text}{NBSP}h"


def _place(address: str, commune) -> str:
    place = f"{commune.main_postal_code} {commune.name}".strip() if commune else ""
    return ", ".join(part for part in (address.strip(), place) if part)


def _signature(signature) -> dict:
    signed_at = timezone.localtime(signature.signed_at) if signature.signed_at else None
    return {
        "party": Party(signature.party).label,
        "name": signature.name,
        "signed": signature.signed_at is not None,
        "signed_name": signature.signed_name,
        "signed_at": f"{signed_at:%d/%m/%Y} à {signed_at:%H:%M}" if signed_at else "",
        "ip": signature.ip_address or "",
    }


def convention_data(internship: Internship) -> dict:
    internship = (
        Internship.objects.select_related(
            "enrolment__learner",
            "enrolment__cohort",
            "site__company__commune",
            "site__commune",
            "tutor",
            "prescriber_organisation__commune",
        )
        .prefetch_related("objectives__block", "signatures")
        .get(pk=internship.pk)
    )
    cohort_data = CohortData.load(internship.enrolment.cohort)
    learner = internship.enrolment.learner
    company, site, tutor = internship.site.company, internship.site, internship.tutor
    prescriber = internship.prescriber_organisation
    blocks: dict[int, dict] = {}
    for skill in sorted(
        internship.objectives.all(), key=lambda s: (s.block.position, s.block_id, s.position, s.pk)
    ):
        block = blocks.setdefault(skill.block_id, {"title": skill.block.title, "skills": []})
        block["skills"].append(f"{skill.code} {skill.title}")
    days = (internship.end_date - internship.start_date).days + 1
    return {
        "provider": cohort_data.provider,
        "kind": internship.kind,
        "title": "Convention de période de mise en situation en milieu professionnel"
        if internship.kind == InternshipKind.PMSMP
        else "Convention de stage en entreprise",
        "cohort": internship.enrolment.cohort.name,
        "learner": {
            "name": learner_name(learner),
            "birth_date": date_fr(learner.birth_date),
            "email": learner.email or "",
        },
        "company": {
            "name": company.name,
            "address": _place(company.address, company.commune),
            "siret": siret_fr(company.siret),
        },
        "site": {"name": site.name, "address": _place(site.address, site.commune)},
        "tutor": {
            "name": tutor.full_name,
            "job": tutor.job_title,
            "email": tutor.email,
            "phone": tutor.phone,
        },
        "prescriber": {"name": prescriber.name, "address": _place(prescriber.address, prescriber.commune)}
        if prescriber
        else None,
        "start": date_fr(internship.start_date),
        "end": date_fr(internship.end_date),
        "days": str(days),
        "weekly_hours": hours_fr(internship.weekly_hours),
        "objectives": list(blocks.values()),
        "activities": internship.activities,
        "renewal": internship.renewal_of_id is not None,
        "signatures": [_signature(s) for s in internship.signatures.all()],
        "issued": {"city": cohort_data.provider["city"], "date": date_fr(timezone.localdate())},
    }


def internship_convention_pdf(*, internship: Internship) -> bytes:
    """The convention of one internship, with the signatures given so far."""
    data = convention_data(internship)
    return _compiler().compile(format="pdf", sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
