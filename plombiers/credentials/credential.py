"""The Open Badges 3.0 `OpenBadgeCredential` of an attestation, built from its snapshot.

Written for the employer who reads it in a wallet or a recruiting tool: the achievement names
each gesture (an `alignment` on the school's framework) and the ROME 4.0 job sheets it belongs
to, says in plain French how a gesture gets on the attestation (`criteria`) and what the two
levels mean (`resultDescription`); the evidence says, block by block, at which level each
gesture was seen. (A `result` per gesture would say it too, but doubles the signing time: 25
more nodes to canonicalise.) The issuer is the school, with its address and the SIRET of the
legal entity that runs it.

Every term used is defined by one of the three contexts (`proof.expand_strictly` refuses to sign
otherwise): the 1EdTech extensions context defines the type of the `credentialSchema`."""

import datetime as dt
import hashlib

from plombiers.lib.formats import siret_fr

from . import rome
from .standards import OB_V3_CONTEXT, OB_V3_EXTENSIONS, VC_V2_CONTEXT
from .urls_public import (
    credential_url,
    framework_url,
    issuer_url,
    network_url,
    status_list_url,
    verification_url,
)

OB_SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

CONTEXT = [VC_V2_CONTEXT, OB_V3_CONTEXT, OB_V3_EXTENSIONS]

CRITERIA = (
    "Pas de note ni d'examen : chaque geste professionnel est appris en le faisant, sur le plateau "
    "technique de l'école et en entreprise. Un formateur ou un tuteur l'a observé plusieurs fois, en "
    "situation réelle, avec les critères observables du référentiel du métier. Un geste figure sur "
    "cette attestation quand il a été observé au niveau « acquis » (réalisé seul, dans les règles) "
    "ou « maîtrisé » (réalisé seul, avec aisance, et expliqué à d'autres)."
)
CRITERIA_PARTIAL = (
    " Le parcours a été interrompu : l'attestation ne porte que sur les gestes observés avant le départ."
)

#: The two levels a gesture is attested at (the code of the skills app, its name, what it means).
LEVELS = (
    ("acquis", "Acquis", "Le geste est réalisé seul, dans les règles de sécurité et de qualité du métier."),
    (
        "maitrise",
        "Maîtrisé",
        "Le geste est réalisé seul, avec aisance, et la personne sait l'expliquer et le montrer à d'autres.",
    ),
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
        "targetCode": skill["code"],
        "targetType": "ceasn:Competency",
        "targetFramework": f"{framework['title']} (version {framework['version']})",
    }
    if skill["description"]:
        alignment["targetDescription"] = skill["description"]
    return alignment


def _rome_alignments(snapshot: dict) -> list[dict]:
    """The ROME 4.0 job sheets of the attested gestures (or of the framework), in order."""
    codes = [
        code for block in snapshot["blocks"] for skill in block["skills"] for code in skill["rome_codes"]
    ]
    codes += (snapshot["framework"] or {}).get("rome_codes", [])
    return [
        {
            "type": ["Alignment"],
            "targetName": rome.label(code),
            "targetCode": code,
            "targetFramework": rome.FRAMEWORK,
            "targetType": rome.TARGET_TYPE,
            "targetUrl": rome.url(code),
        }
        for code in dict.fromkeys(codes)
    ]


def _levels_id(public_id) -> str:
    return f"{credential_url(public_id)}#niveaux"


def _level_id(public_id, code: str) -> str:
    return f"{credential_url(public_id)}#niveau-{code}"


def _result_description(public_id) -> dict:
    return {
        "id": _levels_id(public_id),
        "type": ["ResultDescription"],
        "name": "Niveau auquel le geste a été observé",
        "resultType": "RubricCriterionLevel",
        "allowedValue": [name.lower() for _code, name, _description in LEVELS],
        "requiredLevel": _level_id(public_id, LEVELS[0][0]),
        "rubricCriterionLevel": [
            {
                "id": _level_id(public_id, code),
                "type": ["RubricCriterionLevel"],
                "name": name,
                "level": name.lower(),
                "description": description,
            }
            for code, name, description in LEVELS
        ],
    }


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
    """The school as issuer: its address, and the SIRET of the legal entity that runs it (its
    project holder), for an employer who wants to know who stands behind the attestation.
    Snapshots taken before these were recorded simply lack them."""
    school, network = snapshot["school"], snapshot["network"]
    address = {"type": ["Address"]}
    if school.get("address"):
        address["streetAddress"] = school["address"]
    if school.get("postal_code"):
        address["postalCode"] = school["postal_code"]
    address |= {"addressLocality": school["city"], "addressCountry": "France", "addressCountryCode": "FR"}
    profile = {
        "id": issuer_url(school["slug"]),
        "type": ["Profile"],
        "name": school["name"],
        "url": issuer_url(school["slug"]),
        "address": address,
        "parentOrg": {"id": network_url(network["slug"]), "type": ["Profile"], "name": network["name"]},
    }
    legal_name, siret = school.get("legal_name"), school.get("siret")
    if legal_name or siret:
        profile["description"] = (
            f"{school['name']} ({network['name']}) est portée par {legal_name or school['name']}"
            + (f", SIRET {siret_fr(siret)}" if siret else "")
            + "."
        )
    if siret:
        profile["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": siret, "identifierType": "ext:SIRET"}
        ]
    if school.get("email"):
        profile["email"] = school["email"]
    if school.get("phone"):
        profile["phone"] = school["phone"]
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
        "criteria": {"narrative": CRITERIA + (CRITERIA_PARTIAL if partial else "")},
        "inLanguage": "fr",
        "fieldOfStudy": snapshot["trade"],
        "resultDescription": [_result_description(public_id)],
    }
    framework = snapshot["framework"]
    alignments = (
        [_alignment(snapshot, skill) for block in snapshot["blocks"] for skill in block["skills"]]
        if framework
        else []
    ) + _rome_alignments(snapshot)
    if alignments:
        achievement["alignment"] = alignments
    if framework:
        achievement["version"] = framework["version"]
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [identity(snapshot, salt)],
        "activityStartDate": datetime_z(start),
        "activityEndDate": datetime_z(end),
        "achievement": achievement,
    }
    status_url = status_list_url(school["slug"])
    return {
        "@context": list(CONTEXT),
        "id": credential_url(public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "description": f"Vérifiable en ligne : {verification_url(public_id)}",
        "issuer": issuer_profile(snapshot),
        "validFrom": datetime_z(issued_at),
        "awardedDate": datetime_z(issued_at),
        "credentialSubject": subject,
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
