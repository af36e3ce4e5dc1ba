"""The public side: the credential files, the issuers' keys and status lists, and the
verification pages. No account needed; nothing personal beyond initials unless the holder
shares their full link."""

import json

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from plombiers.network.models import Network, School

from . import rome, verification
from .credential import issuer_profile
from .forms import VerifyUploadForm
from .models import Attestation, IssuerKey, StatusList
from .snapshot import issuer_data
from .standards import DID_V1_CONTEXT, MULTIKEY_CONTEXT, OB_V3_CONTEXT, VC_V2_CONTEXT
from .urls_public import issuer_url, network_url

LD_JSON = "application/ld+json"
#: The issuer profile is the controller document of the school's keys: the DID context defines
#: `verificationMethod` and `assertionMethod` (without them, a verifier's proof-purpose check
#: finds no authorised key), the Multikey context the keys themselves.
ISSUER_CONTEXT = [VC_V2_CONTEXT, OB_V3_CONTEXT, DID_V1_CONTEXT, MULTIKEY_CONTEXT]
FULL_LINK_SALT = "plombiers.credentials.full-link"


def full_link_token(attestation: Attestation) -> str:
    """The holder's key to show their full name on the verification page."""
    return signing.Signer(salt=FULL_LINK_SALT).sign(str(attestation.public_id)).split(":", 1)[1]


def _shows_full_name(request, attestation: Attestation) -> bool:
    token = request.GET.get("cle", "")
    try:
        return bool(token) and signing.Signer(salt=FULL_LINK_SALT).unsign(
            f"{attestation.public_id}:{token}"
        ) == str(attestation.public_id)
    except signing.BadSignature:
        return False


def _ld(text_or_data, status=200) -> HttpResponse:
    text = (
        text_or_data
        if isinstance(text_or_data, str)
        else json.dumps(text_or_data, ensure_ascii=False, indent=2)
    )
    response = HttpResponse(text, content_type=f"{LD_JSON}; charset=utf-8", status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_GET
def credential_json(request, public_id):
    """The credential exactly as signed."""
    attestation = get_object_or_404(Attestation.objects.only("credential"), public_id=public_id)
    response = _ld(attestation.credential)
    response["Content-Disposition"] = f'inline; filename="attestation-{public_id}.json"'
    return response


def issuer_document(school: School, keys) -> dict:
    """The school's issuer Profile with its keys (Multikey), authorised for `assertionMethod`."""
    url = issuer_url(school.slug)
    methods = [
        {
            "id": f"{url}#{key.public_key_multibase}",
            "type": "Multikey",
            "controller": url,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": list(ISSUER_CONTEXT),
        **issuer_profile(issuer_data(school)),
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


@login_not_required
@require_GET
def issuer(request, slug):
    """The school's issuer Profile with every key it ever signed with, the target of the proofs'
    `verificationMethod`. Old keys stay listed forever."""
    school = get_object_or_404(
        School.objects.select_related("network", "commune", "project_holder"), slug=slug
    )
    keys = list(IssuerKey.objects.filter(school=school).order_by("created_at", "pk"))
    if not keys:
        raise Http404
    return _ld(issuer_document(school, keys))


@login_not_required
@require_GET
def network(request, slug):
    network = get_object_or_404(Network, slug=slug)
    return _ld(
        {
            "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
            "id": network_url(slug),
            "type": ["Profile"],
            "name": network.name,
        }
    )


@login_not_required
@require_GET
def status_list(request, slug):
    found = get_object_or_404(StatusList.objects.exclude(credential=""), school__slug=slug)
    response = _ld(found.credential)
    response["Cache-Control"] = "no-cache"
    return response


def _described(document) -> dict:
    """What the page shows of a verified credential: the gestures apart from the ROME job sheets
    they belong to, the issuer's address and SIRET."""
    subject = document.get("credentialSubject", {}) if isinstance(document, dict) else {}
    achievement = subject.get("achievement", {}) if isinstance(subject, dict) else {}
    achievement = achievement if isinstance(achievement, dict) else {}
    alignments = [a for a in achievement.get("alignment") or [] if isinstance(a, dict)]
    issuer = document.get("issuer") if isinstance(document, dict) else None
    issuer = issuer if isinstance(issuer, dict) else {}
    address = issuer.get("address") if isinstance(issuer.get("address"), dict) else {}
    identifiers = [i for i in issuer.get("otherIdentifier") or [] if isinstance(i, dict)]
    levels = [
        {
            "name": str(description.get("name", "")),
            "levels": [
                (str(level.get("name", "")), str(level.get("description", "")))
                for level in description.get("rubricCriterionLevel") or []
                if isinstance(level, dict)
            ],
        }
        for description in achievement.get("resultDescription") or []
        if isinstance(description, dict)
    ]
    return {
        "levels": levels,
        "achievement": achievement,
        "gestures": [a for a in alignments if a.get("targetType") != rome.TARGET_TYPE],
        "rome_sheets": [a for a in alignments if a.get("targetType") == rome.TARGET_TYPE],
        "issuer_address": " ".join(
            str(address[k]) for k in ("streetAddress", "postalCode", "addressLocality") if address.get(k)
        ),
        "issuer_siret": next(
            (str(i.get("identifier")) for i in identifiers if i.get("identifierType") == "ext:SIRET"), ""
        ),
    }


def _page(request, verdict, *, attestation=None, document=None, full_name=False, source=""):
    snapshot = attestation.snapshot if attestation else None
    return render(
        request,
        "credentials/verify.html",
        {
            "verdict": verdict,
            "attestation": attestation,
            "document": document if isinstance(document, dict) else None,
            **_described(document),
            "snapshot": snapshot,
            "holder": (snapshot["learner"]["name"] if full_name else snapshot["learner"]["initials"])
            if snapshot
            else "",
            "full_name": full_name,
            "source": source,
        },
        status=200,
    )


@login_not_required
@require_GET
def verify_page(request, public_id):
    """« Attestation authentique » (or revoked, or tampered): the proof is recomputed from the
    stored credential each time."""
    attestation = get_object_or_404(Attestation.objects.select_related("school"), public_id=public_id)
    try:
        document = json.loads(attestation.credential)
    except ValueError:
        document = None
    verdict = verification.verify(document)
    return _page(
        request,
        verdict,
        attestation=attestation,
        document=document,
        full_name=_shows_full_name(request, attestation),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_upload(request):
    """Check any credential file someone received: the JSON, or a badge image it is baked in."""
    form = VerifyUploadForm(request.POST, request.FILES) if request.method == "POST" else VerifyUploadForm()
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        verdict = verification.verify(document)
        attestation = _attestation_of(document) if verdict.checks.get("signature") else None
        return _page(
            request, verdict, attestation=attestation, document=document, source=form.cleaned_data["source"]
        )
    return render(
        request, "credentials/verify_upload.html", {"form": form}, status=400 if form.errors else 200
    )


def _attestation_of(document: dict) -> Attestation | None:
    """The attestation a verified file is a copy of, when it comes from this site."""
    credential = verification.own_route(document.get("id"), "credentials:credential_json")
    issuer = verification.own_route(verification.issuer_id(document), "credentials:issuer")
    if not credential or not issuer:
        return None
    return Attestation.objects.filter(public_id=credential["public_id"], school__slug=issuer["slug"]).first()
