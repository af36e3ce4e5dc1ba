"""Sending one body to a partner's URL: https only (http to this machine when local targets are
allowed: DEBUG and the tests), never to a private address (SSRF), no redirect followed, 5 s."""

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

TIMEOUT_SECONDS = 5
EXCERPT = 500
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Response:
    code: int | None  # None: no HTTP answer (refused, timeout, unreachable)
    excerpt: str


def allow_local() -> bool:
    return settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check_url(url: str, *, resolve: bool = True) -> None:
    """Refuse, in French, a URL Plombiers will not post to."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 — a port out of range or not a number raises here
    except ValueError:
        host = ""
    if not host or any(char.isspace() or not char.isprintable() for char in url):
        raise ValidationError(
            {"url": "Indiquez une adresse complète, par exemple https://exemple.fr/webhooks."}
        )
    local = host in LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local and allow_local()):
        raise ValidationError(
            {"url": "L'adresse doit commencer par https:// (les corps sont signés, pas chiffrés)."}
        )
    if parts.username or parts.password:
        raise ValidationError({"url": "L'adresse ne doit pas contenir d'identifiant ni de mot de passe."})
    if allow_local():
        return
    if local:
        raise ValidationError({"url": "Cette adresse désigne un réseau privé : elle est refusée."})
    if resolve:
        addresses = _addresses(host)
        if not addresses:
            raise ValidationError({"url": "Ce nom de domaine est introuvable."})
        if any(not address.is_global for address in addresses):
            raise ValidationError({"url": "Cette adresse désigne un réseau privé : elle est refusée."})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (its code is logged), never followed: it could lead inside."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _text(raw: bytes) -> str:
    return raw[:EXCERPT].decode("utf-8", "replace").replace("\x00", "")


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    try:
        check_url(url)
    except ValidationError as error:
        return Response(None, " ".join(error.messages))
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked above (https, or local http)
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Response(response.status, _text(response.read(EXCERPT)))
    except urllib.error.HTTPError as error:
        return Response(error.code, _text(error.read(EXCERPT) if error.fp else b""))
    except urllib.error.URLError as error:
        return Response(None, f"Pas de réponse : {error.reason}"[:EXCERPT])
    except (TimeoutError, OSError) as error:
        return Response(None, f"Pas de réponse : {error}"[:EXCERPT])
