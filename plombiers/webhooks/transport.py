"""Sending one body to a partner's URL: https only (http to this machine when local targets are
allowed: DEBUG and the tests), never to a private address (SSRF), no redirect followed, 5 s.

The name is resolved once, its addresses checked, and the connection made to the checked address
(the certificate still checked against the name): a DNS server answering a public address to the check
and a private one to the connection (« DNS rebinding ») cannot turn a webhook inward. No proxy of the
environment is used either."""

import http.client
import ipaddress
import socket
import ssl
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


def check_url(url: str, *, resolve: bool = True) -> str | None:
    """Refuse, in French, a URL Plombiers will not post to; else the checked address to connect to
    (None when local targets are allowed, or without `resolve`: the name is then resolved as usual)."""
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
        return None
    if local:
        raise ValidationError({"url": "Cette adresse désigne un réseau privé : elle est refusée."})
    if not resolve:
        return None
    addresses = _addresses(host)
    if not addresses:
        raise ValidationError({"url": "Ce nom de domaine est introuvable."})
    if any(not address.is_global for address in addresses):
        raise ValidationError({"url": "Cette adresse désigne un réseau privé : elle est refusée."})
    return str(addresses[0])


class _Pinned:
    """A connection to `address` (when given) for the host named in the URL: the name goes in the
    `Host` header and, over TLS, in the SNI and the certificate check."""

    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address or host

    def _socket(self):
        return socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTP(_Pinned, http.client.HTTPConnection):
    def connect(self):
        self.sock = self._socket()


class _PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    def connect(self):
        self.sock = self._context.wrap_socket(self._socket(), server_hostname=self.host)


def _text(raw: bytes) -> str:
    return raw[:EXCERPT].decode("utf-8", "replace").replace("\x00", "")


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` once; a redirect is an answer (its code is logged), never followed."""
    try:
        address = check_url(url)
    except ValidationError as error:
        return Response(None, " ".join(error.messages))
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        connection = _PinnedHTTPS(
            parts.hostname,
            parts.port,
            address=address,
            timeout=TIMEOUT_SECONDS,
            context=ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTP(parts.hostname, parts.port, address=address, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return Response(response.status, _text(response.read(EXCERPT)))
    except (OSError, http.client.HTTPException) as error:
        return Response(None, f"Pas de réponse : {error}"[:EXCERPT])
    finally:
        connection.close()
