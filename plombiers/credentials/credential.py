"""The Open Badges 3.0 `OpenBadgeCredential` of an attestation, built from its snapshot."""

import datetime as dt
import hashlib

from .standards import OB_V3_CONTEXT, VC_V2_CONTEXT
from .urls_public import (
    credential_url,
    framework_url,
    issuer_url,
    network_url,
    status_list_url,
    verification_url,
)

OB_SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

CRITERIA = (
    "Pas de note ni d'examen : chaque geste professionnel est appris en le faisant, sur le plateau "
    "technique de l'école et en entreprise. Un formateur ou un tuteur l'a observé plusieurs fois, en "
    "situation réelle, avec les critères observables du référentiel du métier. Un geste figure sur "
    "cette attestation quand il a été observé au niveau « acquis » (réalisé seul, dans les règles) "
    "ou « maîtrisé » (réalisé seul, avec aisance, et expliqué à d'autres)."
)


def datetime_z(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity(snapshot: dict, salt: str) -> dict:
    """The holder, identified by a salted hash of their e-mail address (or, without one, of their
    name): no name, no birth date in the credential."""
    learner = snapshot["learner"]
    value, kind = (
        (learner["email"].strip().lower(), "emailAddress") if learner["email"] else (learner["name"], "name")
    )
    digest = hashlib.sha256((value + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": kind,
        "hashed": True,
        "salt": salt,
    }


def _alignment(snapshot: dict, skill: dict) -> dict:
    framework = snapshot["framework"]
    alignment = {
        "type": ["Alignment"],
        "targetName": skill["title"],
        "targetUrl": f"{framework_url(framework['id'])}#competence-{skill['code']}",
        "targetType": "ceasn:Competency",
        "targetFramework": f"{framework['title']} (version {framework['version']})",
    }
    if skill["rome_codes"]:
        alignment["targetCode"] = skill["rome_codes"][0]
    if skill["description"]:
        alignment["targetDescription"] = skill["description"]
    return alignment


def _evidence(snapshot: dict) -> list[dict]:
    evidence = []
    for block in snapshot["blocks"]:
        lines = []
        for skill in block["skills"]:
            where = " ; ".join(
                f"{context.lower()} depuis le {dt.date.fromisoformat(first):%d/%m/%Y}"
                for context, first in skill["seen"].items()
            )
            level = "maîtrisé" if skill["level"] == "maitrise" else "acquis"
            lines.append(f"{skill['title']} : {level}" + (f" ({where})" if where else ""))
        evidence.append(
            {
                "type": ["Evidence"],
                "name": f"Bloc {block['code']} — {block['title']}",
                "narrative": "Gestes observés en situation réelle. " + " · ".join(lines),
            }
        )
    return evidence


def issuer_profile(snapshot: dict) -> dict:
    school, network = snapshot["school"], snapshot["network"]
    profile = {
        "id": issuer_url(school["slug"]),
        "type": ["Profile"],
        "name": school["name"],
        "url": issuer_url(school["slug"]),
        "address": {
            "type": ["Address"],
            "addressLocality": school["city"],
            "addressCountry": "France",
            "addressCountryCode": "FR",
        },
        "parentOrg": {"id": network_url(network["slug"]), "type": ["Profile"], "name": network["name"]},
    }
    if school["postal_code"]:
        profile["address"]["postalCode"] = school["postal_code"]
    if school["email"]:
        profile["email"] = school["email"]
    return profile


def build(*, public_id, snapshot: dict, issued_at: dt.datetime, status_index: int, salt: str) -> dict:
    """The unsigned credential."""
    school = snapshot["school"]
    partial = snapshot["partial"]
    title = f"Attestation de compétences{' (parcours partiel)' if partial else ''} — {snapshot['trade']}"
    start = dt.datetime.fromisoformat(snapshot["start"]).replace(tzinfo=dt.UTC)
    end = dt.datetime.fromisoformat(snapshot["end"]).replace(tzinfo=dt.UTC)
    hours = f" de {snapshot['hours']}" if snapshot["attended_minutes"] else ""
    achievement = {
        "id": f"{credential_url(public_id)}#achievement",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": (
            f"Gestes professionnels du métier « {snapshot['trade']} » acquis pendant une formation "
            f"par le geste{hours} à {school['name']} ({snapshot['network']['name']}) : "
            f"{snapshot['acquired']} gestes sur les {snapshot['total']} du référentiel. "
            "Ce n'est pas un diplôme : une attestation des gestes que la personne sait faire."
        ),
        "criteria": {"narrative": CRITERIA},
        "inLanguage": "fr",
        "fieldOfStudy": snapshot["trade"],
    }
    alignments = (
        [_alignment(snapshot, skill) for block in snapshot["blocks"] for skill in block["skills"]]
        if snapshot["framework"]
        else []
    )
    if alignments:
        achievement["alignment"] = alignments
    if snapshot["framework"]:
        achievement["version"] = snapshot["framework"]["version"]
    status_url = status_list_url(school["slug"])
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": credential_url(public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "description": f"Vérifiable en ligne : {verification_url(public_id)}",
        "issuer": issuer_profile(snapshot),
        "validFrom": datetime_z(issued_at),
        "awardedDate": datetime_z(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [identity(snapshot, salt)],
            "activityStartDate": datetime_z(start),
            "activityEndDate": datetime_z(end),
            "achievement": achievement,
        },
        "evidence": _evidence(snapshot),
        "credentialSchema": [{"id": OB_SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {
            "id": f"{status_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_url,
        },
    }
