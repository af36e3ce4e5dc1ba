"""Checking uploaded evidence: by its bytes, not by the name or content type the browser claims.

Photos are decoded and saved again without their metadata: a phone's EXIF block can hold the
GPS position of the young person's home or workplace, and the camera's serial number.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True)
class EvidenceKind:
    name: str
    label: str
    content_type: str
    extensions: tuple[str, ...]

    def matches(self, head: bytes) -> bool:
        return _SIGNATURES[self.name](head)


_SIGNATURES = {
    "jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    "pdf": lambda h: h.startswith(b"%PDF-"),
    # Bellcore SR-4731 (OTDR) version 2 files start with their « Map » block.
    "sor": lambda h: h.startswith(b"Map\x00"),
}

KINDS = (
    EvidenceKind("jpeg", "photo JPEG", "image/jpeg", (".jpg", ".jpeg")),
    EvidenceKind("png", "image PNG", "image/png", (".png",)),
    EvidenceKind("webp", "image WebP", "image/webp", (".webp",)),
    EvidenceKind("pdf", "document PDF", "application/pdf", (".pdf",)),
    EvidenceKind("sor", "trace OTDR (.sor)", "application/octet-stream", (".sor",)),
)
ACCEPT = ",".join(ext for kind in KINDS for ext in kind.extensions) + ",image/*"


def check_evidence(upload) -> EvidenceKind:
    """The kind of an uploaded file, or a ValidationError in French that names the file."""
    name = upload.name or "fichier"
    if upload.size > MAX_SIZE:
        raise ValidationError(
            f"« {name} » est trop volumineux ({filesizeformat(upload.size)}) : {filesizeformat(MAX_SIZE)} au plus.",
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(f"« {name} » est vide.", code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for kind in KINDS:
        if extension in kind.extensions:
            if not kind.matches(head):
                raise ValidationError(
                    f"« {name} » ne contient pas un vrai fichier {kind.label} : son contenu ne correspond pas à "
                    "son nom.",
                    code="forged",
                )
            return kind
    raise ValidationError(
        f"« {name} » n'est pas accepté : photos (JPEG, PNG, WebP), documents PDF ou traces OTDR (.sor) seulement.",
        code="type",
    )


# Larger than any tablet photo; beyond it Pillow refuses the image (decompression bombs).
Image.MAX_IMAGE_PIXELS = 60_000_000
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


def without_metadata(upload, kind: EvidenceKind):
    """The file to store: photos decoded and re-encoded without EXIF/XMP; other kinds as they came."""
    if kind.name not in _PILLOW_FORMATS:
        return upload
    name = upload.name or f"photo{kind.extensions[0]}"
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if kind.name == "jpeg" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            buffer = io.BytesIO()
            options = {"quality": 90} if kind.name in ("jpeg", "webp") else {}
            image.save(buffer, format=_PILLOW_FORMATS[kind.name], **options)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(f"« {name} » n'est pas une image lisible.", code="unreadable") from error
    finally:
        upload.seek(0)
    return ContentFile(buffer.getvalue(), name=name)
