"""The HTTP answer of a generated document, the same for the pages and the API."""

from django.http import HttpResponse

CONTENT_TYPES = {".pdf": "application/pdf", ".zip": "application/zip"}


def download_response(name: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[name[name.rfind(".") :]])
    disposition = "attachment" if name.endswith(".zip") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # personal data
    return response
