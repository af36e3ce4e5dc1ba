"""The ROME 4.0 (Répertoire opérationnel des métiers et des emplois, France Travail) job sheets
the frameworks name (`rome:` in plombiers/frameworks/data/*.yaml): an employer's software reads
an attestation's gestures against them. The frameworks give sheet codes, not the ROME's own
competence codes, so the credential aligns each achievement with its sheets; a code missing
here is still aligned, under its code alone."""

FRAMEWORK = "ROME 4.0 — Répertoire opérationnel des métiers et des emplois (France Travail)"
TARGET_TYPE = "ext:FicheMetierROME"

LABELS = {
    "F1605": "Montage de réseaux électriques et télécoms",
    "I1307": "Installation et maintenance télécoms et courants faibles",
    "I1401": "Maintenance informatique et bureautique",
    "M1810": "Production et exploitation de systèmes d'information",
}


def label(code: str) -> str:
    return LABELS.get(code, f"Fiche métier ROME {code}")


def url(code: str) -> str:
    return f"https://candidat.francetravail.fr/metierscope/fiche-metier/{code}"
