"""Baked badges (Open Badges 3.0, « Baking »): the signed credential carried inside the badge
image, so that the image alone proves the attestation.

- PNG: one `iTXt` chunk with the keyword `openbadgecredential`, uncompressed, whose text is the
  credential's JSON, before the image's end;
- SVG: the namespace `https://purl.imsglobal.org/ob/v3p0` declared on the root `<svg>`, and right
  after it an `<openbadges:credential>` element holding the JSON in a CDATA section (a credential
  with an embedded proof has no `verify` attribute).

The image itself is drawn by Typst, one design per school and trade (the trade gives the colour),
and kept in memory: baking it is then a matter of bytes. Reading a baked image back (the public
verifier accepts them) parses the PNG chunks or searches the SVG text: no image or XML library
touches an uploaded file."""

import functools
import hashlib
import json
import re
import struct
import threading
import zlib
from pathlib import Path
from xml.sax.saxutils import unescape

from plombiers.lib import typst_compiler as typst

from .models import Attestation

KEYWORD = b"openbadgecredential"
NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEMPLATE = Path(__file__).parent / "typst" / "badge.typ"
# Trade colours, picked by the trade's name: readable with white text on the dark centre.
COLOURS = ("#0b7a75", "#c2571a", "#3b6fb6", "#7a4ba8", "#2f8a3c", "#a3366b")
_compilers = threading.local()


class BadgeError(ValueError):
    """An image that carries no credential this service can read (the message is for people)."""


def _compiler() -> typst.Compiler:
    compiler = getattr(_compilers, "badge", None)
    if compiler is None:
        compiler = _compilers.badge = typst.Compiler(
            str(TEMPLATE), root=str(TEMPLATE.parent), ignore_system_fonts=True
        )
    return compiler


def colour(trade: str) -> str:
    return COLOURS[int(hashlib.sha256(trade.encode()).hexdigest(), 16) % len(COLOURS)]


@functools.lru_cache(maxsize=512)
def image(fmt: str, *, school: str, trade: str, network: str, partial: bool) -> bytes:
    """The badge of a school and trade, unbaked (`fmt`: png or svg)."""
    data = {
        "school": school,
        "trade": trade,
        "network": network,
        "partial": partial,
        "colour": colour(trade),
    }
    return _compiler().compile(
        format=fmt,
        ppi=200 if fmt == "png" else None,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _chunks(png: bytes):
    """(type, data) of each chunk of a PNG file; BadgeError when it is not one."""
    if not png.startswith(PNG_SIGNATURE):
        raise BadgeError("Ce fichier n'est pas une image PNG.")
    position = len(PNG_SIGNATURE)
    while position < len(png):
        if position + 12 > len(png):
            raise BadgeError("Cette image PNG est tronquée.")
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        end = position + 8 + length
        if end + 4 > len(png):
            raise BadgeError("Cette image PNG est tronquée.")
        data = png[position + 8 : end]
        if struct.unpack(">I", png[end : end + 4])[0] != zlib.crc32(kind + data):
            raise BadgeError("Cette image PNG est abîmée (somme de contrôle d'un bloc fausse).")
        yield position, kind, data
        position = end + 4
        if kind == b"IEND":
            return
    raise BadgeError("Cette image PNG est tronquée.")


def bake_png(png: bytes, credential: str) -> bytes:
    """`png` with the credential in an `openbadgecredential` iTXt chunk, just before IEND (an
    existing one is replaced: there must be only one)."""
    kept, iend = [], None
    for position, kind, data in _chunks(png):
        if kind == b"IEND":
            iend = position
        elif kind == b"iTXt" and data.split(b"\0", 1)[0] == KEYWORD:
            continue
        else:
            kept.append(_chunk(kind, data))
    if iend is None:
        raise BadgeError("Cette image PNG est tronquée.")
    text = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + credential.encode("utf-8")
    return PNG_SIGNATURE + b"".join(kept) + _chunk(b"iTXt", text) + _chunk(b"IEND", b"")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: str, credential: str) -> str:
    """`svg` with the namespace declared on its root and the credential right after it."""
    root = re.search(r"<svg\b[^>]*>", svg)
    if root is None:
        raise BadgeError("Ce fichier n'est pas une image SVG.")
    start = root.group(0)
    if "xmlns:openbadges=" not in start:
        start = start[:-1].rstrip("/") + f' xmlns:openbadges="{NAMESPACE}">'
    element = f"<openbadges:credential>{_cdata(credential)}</openbadges:credential>"
    return svg[: root.start()] + start + element + svg[root.end() :]


def _from_png(data: bytes) -> str:
    for _position, kind, chunk in _chunks(data):
        if kind != b"iTXt":
            continue
        keyword, _, rest = chunk.partition(b"\0")
        if keyword != KEYWORD:
            continue
        if len(rest) < 2:
            raise BadgeError("Le bloc « openbadgecredential » de ce badge est illisible.")
        compressed, text = rest[0], rest[2:]
        _language, _, text = text.partition(b"\0")
        _translated, _, text = text.partition(b"\0")
        try:
            if compressed:
                text = zlib.decompressobj().decompress(text, 2_000_000)
            return text.decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            raise BadgeError("Le bloc « openbadgecredential » de ce badge est illisible.") from None
    raise BadgeError(
        "Ce badge PNG ne contient pas d'attestation Open Badges 3.0 (aucun bloc « openbadgecredential »)."
    )


def _from_svg(text: str) -> str:
    declared = re.search(r"xmlns:([A-Za-z_][\w.-]*)\s*=\s*[\"']" + re.escape(NAMESPACE) + "[\"']", text)
    if declared is None:
        raise BadgeError(
            "Cette image SVG ne contient pas d'attestation Open Badges 3.0 (espace de noms "
            f"{NAMESPACE} absent)."
        )
    prefix = re.escape(declared.group(1))
    element = re.search(
        rf"<{prefix}:credential\b([^>]*?)(?:/>|>(.*?)</{prefix}:credential\s*>)", text, re.DOTALL
    )
    if element is None:
        raise BadgeError("Cette image SVG ne contient pas d'élément « openbadges:credential ».")
    if re.search(r"\bverify\s*=", element.group(1)):
        raise BadgeError("Ce badge contient une attestation au format JWT, que ce service ne vérifie pas.")
    body = element.group(2) or ""
    # CDATA sections as they are, the rest of the text with its XML entities decoded
    parts = re.split(r"<!\[CDATA\[(.*?)\]\]>", body, flags=re.DOTALL)
    return "".join(
        part if index % 2 else unescape(part, {"&quot;": '"', "&apos;": "'"})
        for index, part in enumerate(parts)
    ).strip()


def extract(data: bytes) -> tuple[str, str]:
    """The credential's text baked in an image, and the kind of image (« PNG » or « SVG »)."""
    if data.startswith(PNG_SIGNATURE):
        return _from_png(data), "PNG"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadgeError("Ce fichier n'est ni un JSON, ni une image PNG ou SVG.") from None
    if re.search(r"<svg\b", text):
        return _from_svg(text), "SVG"
    raise BadgeError("Ce fichier n'est ni un JSON, ni une image PNG ou SVG.")


def is_image(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return data.startswith(PNG_SIGNATURE) or head.startswith((b"<?xml", b"<svg", b"<!DOCTYPE svg", b"<!--"))


def attestation_badge(attestation: Attestation, fmt: str) -> bytes:
    """The attestation's badge, its signed credential baked in."""
    snapshot = attestation.snapshot
    base = image(
        fmt,
        school=snapshot["school"]["name"],
        trade=snapshot["trade"],
        network=snapshot["network"]["name"],
        partial=bool(snapshot["partial"]),
    )
    if fmt == "png":
        return bake_png(base, attestation.credential)
    return bake_svg(base.decode("utf-8"), attestation.credential).encode("utf-8")
