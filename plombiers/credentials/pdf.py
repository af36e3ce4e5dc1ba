"""The attestation in PDF (Typst), from its frozen snapshot: what a young person shows an employer."""

import datetime as dt
import json
import threading
from pathlib import Path

import segno
from django.utils import timezone

from plombiers.lib import typst_compiler as typst
from plombiers.lib.formats import date_fr

from .models import Attestation
from .public import full_link_token
from .urls_public import verification_url

TEMPLATE = Path(__file__).parent / "typst" / "attestation.typ"
_compilers = threading.local()


def _compiler() -> typst.Compiler:
    """One compiler per thread: fonts and the parsed template are loaded once."""
    compiler = getattr(_compilers, "attestation", None)
    if compiler is None:
        compiler = _compilers.attestation = typst.Compiler(
            str(TEMPLATE), root=str(TEMPLATE.parent), ignore_system_fonts=True
        )
    return compiler


def full_verification_url(attestation: Attestation) -> str:
    """The holder's link: the verification page with their full name."""
    return f"{verification_url(attestation.public_id)}?cle={full_link_token(attestation)}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, border=0, dark="#13294b")


def data(attestation: Attestation) -> dict:
    s = attestation.snapshot
    framework = s["framework"] or {}
    url = full_verification_url(attestation)
    return {
        "id": str(attestation.public_id),
        "learner": s["learner"]["name"],
        "network": s["network"]["name"],
        "school": s["school"]["name"],
        "city": s["school"]["city"],
        "provider": s["provider"],
        "trade": s["trade"],
        "partial": s["partial"],
        "start": date_fr(dt.date.fromisoformat(s["start"])),
        "end": date_fr(dt.date.fromisoformat(s["end"])),
        "hours": s["hours"],
        "acquired": str(s["acquired"]),
        "total": str(s["total"]),
        "framework": f"{framework.get('title', '')} (version {framework.get('version', '')})",
        "blocks": [
            {
                "code": block["code"],
                "title": block["title"],
                "skills": [
                    {
                        "title": skill["title"],
                        "mastered": skill["level"] == "maitrise",
                        "safety": skill["safety_critical"],
                    }
                    for skill in block["skills"]
                ],
            }
            for block in s["blocks"]
        ],
        "manager": s["manager"] or "La direction de l'école",
        "issued": date_fr(timezone.localtime(attestation.issued_at).date()),
        "verify_url": url,
        "verify_short": verification_url(attestation.public_id).split("://", 1)[-1],
        "qr": qr_svg(url),
    }


def attestation_pdf(attestation: Attestation) -> bytes:
    return _compiler().compile(
        format="pdf", sys_inputs={"data": json.dumps(data(attestation), ensure_ascii=False)}
    )
