"""The credentials benchmarks (issue 8): Open Badges 3.0 credentials signed and verified per second
on one core (eddsa-rdfc-2022: RDFC-1.0 canonicalisation of the credential and of its proof
options, SHA-256, Ed25519), beside the Ed25519 signature alone; attestation PDFs per second.

The credentials are those of a full attestation (25 gestures in 5 blocks, evidence by block), each
one for a different person (a new identity hash and salt), so that no cache of a document flatters
the figure. Nothing is written to the database."""

import datetime as dt
import hashlib
import time
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from plombiers.credentials import credential as ob3
from plombiers.credentials import proof
from plombiers.credentials.models import Attestation
from plombiers.credentials.pdf import attestation_pdf
from plombiers.credentials.verification import schema_errors

from .harness import Measure, benchmark, measure


def cpu_per_second(call, n: int) -> float:
    """Calls per second of processor time of this process: one core, whatever else runs."""
    start = time.process_time()
    for _ in range(n):
        call()
    return n / (time.process_time() - start)


BLOCKS, SKILLS_PER_BLOCK = 5, 5


def snapshot(i: int) -> dict:
    return {
        "learner": {
            "name": f"Stagiaire {i:06d}",
            "first_name": "Stagiaire",
            "last_name": f"{i:06d}",
            "initials": "S. 0.",
            "email": f"stagiaire.{i}@example.org",
        },
        "school": {
            "name": "Plombiers Chelles",
            "slug": "chelles",
            "city": "Chelles",
            "postal_code": "77500",
            "email": "chelles@plombiers.example",
            "phone": "",
        },
        "network": {"name": "Réseau Plombiers — démonstration", "slug": "demo"},
        "provider": "École de la 2e Chance de Chelles",
        "trade": "Fibre optique",
        "cohort": "Fibre printemps 2026",
        "framework": {
            "id": 1,
            "title": "Technicien·ne fibre optique",
            "version": "2026.1",
            "rome_codes": ["I1307"],
        },
        "start": "2026-03-02",
        "end": "2026-06-26",
        "attended_minutes": 24_000 + i % 600,
        "hours": "400\u00a0h",
        "partial": False,
        "blocks": [
            {
                "code": f"B{b}",
                "title": f"Bloc de compétences n° {b}",
                "skills": [
                    {
                        "code": f"B{b}S{s}",
                        "title": f"Geste professionnel {b}.{s} réalisé dans les règles de l'art",
                        "description": "Critères observables du référentiel.",
                        "level": "maitrise" if (i + s) % 3 == 0 else "acquis",
                        "rome_codes": ["I1307"],
                        "safety_critical": s == 0,
                        "seen": {
                            "Plateau technique": "2026-04-15",
                            "Chantier / stage en entreprise": "2026-06-01",
                        },
                    }
                    for s in range(SKILLS_PER_BLOCK)
                ],
            }
            for b in range(BLOCKS)
        ],
        "acquired": BLOCKS * SKILLS_PER_BLOCK,
        "total": BLOCKS * SKILLS_PER_BLOCK,
        "manager": "Karim Boulay",
    }


@benchmark("credentials")
def credentials_benchmarks(ctx) -> list[Measure]:
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    issued = timezone.now()
    count = max(ctx.repeat, 10)
    documents = [
        ob3.build(
            public_id=uuid.UUID(int=i + 1, version=4),
            snapshot=snapshot(i),
            issued_at=issued,
            status_index=i,
            salt=hashlib.sha256(str(i).encode()).hexdigest()[:16],
        )
        for i in range(count * 4 + 8)
    ]
    method = "http://127.0.0.1:8000/credentials/issuers/chelles#" + proof.public_key_multibase(public)
    created = issued.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    todo = iter(documents)

    def sign_one():
        return proof.sign(next(todo), key, verification_method=method, created=created, as_list=True)

    signing = Measure(
        "credential_sign",
        f"Signer un credential Open Badges 3.0 (eddsa-rdfc-2022, {BLOCKS * SKILLS_PER_BLOCK} gestes), un par personne",
        floor_name="la signature Ed25519 seule (64 octets)",
    )
    signing.timing = measure(sign_one, repeat=count, warmup=2)
    signed = [
        proof.sign(d, key, verification_method=method, created=created, as_list=True)
        for d in documents[:count]
    ]
    data = b"\x00" * 64
    signing.floor = measure(lambda: key.sign(data), repeat=count, warmup=2)
    signing.details = {
        "per_second": round(1000 / signing.timing.median_ms, 1),
        "per_second_cpu": round(cpu_per_second(sign_one, count), 1),
    }
    signing.note = (
        f"{signing.details['per_second']:.0f} credentials signés par seconde "
        f"({signing.details['per_second_cpu']:.0f} par seconde de processeur, un cœur ; attendu ≥ 100)"
    )

    checks = iter(signed * 3)

    def verify_one():
        document = next(checks)
        assert not schema_errors(document)
        assert not proof.check(document, public)

    verifying = Measure(
        "credential_verify",
        "Vérifier un credential : schéma JSON Open Badges 3.0, puis la preuve recalculée",
        floor_name="la vérification Ed25519 seule",
    )
    verifying.timing = measure(verify_one, repeat=count, warmup=2)
    signature = key.sign(data)
    verifying.floor = measure(lambda: public.verify(signature, data), repeat=count, warmup=2)
    verifying.details = {
        "per_second": round(1000 / verifying.timing.median_ms, 1),
        "per_second_cpu": round(cpu_per_second(verify_one, count), 1),
    }
    verifying.note = (
        f"{verifying.details['per_second']:.0f} credentials vérifiés par seconde "
        f"({verifying.details['per_second_cpu']:.0f} par seconde de processeur, un cœur ; attendu ≥ 100)"
    )

    pdfs = iter(range(10**6))

    def pdf_one():
        i = next(pdfs)
        attestation = Attestation(
            public_id=uuid.UUID(int=i + 1, version=4), snapshot=snapshot(i), issued_at=issued
        )
        return attestation_pdf(attestation)

    pdf = Measure(
        "attestation_pdf",
        "Une attestation de compétences en PDF (Typst, QR code), une personne différente à chaque fois",
    )
    pdf.timing = measure(pdf_one, repeat=count, warmup=2)
    pdf.details = {"per_second": round(1000 / pdf.timing.median_ms, 1)}
    pdf.note = f"{1000 / pdf.timing.median_ms:.0f} attestations PDF par seconde"
    return [signing, verifying, pdf]
