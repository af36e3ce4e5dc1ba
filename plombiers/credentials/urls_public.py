"""The absolute, stable URLs named inside signed credentials (they never change once signed)."""

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def issuer_url(school_slug: str) -> str:
    return absolute(reverse("credentials:issuer", args=[school_slug]))


def network_url(network_slug: str) -> str:
    return absolute(reverse("credentials:network", args=[network_slug]))


def status_list_url(school_slug: str) -> str:
    return absolute(reverse("credentials:status_list", args=[school_slug]))


def credential_url(public_id) -> str:
    return absolute(reverse("credentials:credential_json", args=[public_id]))


def verification_url(public_id) -> str:
    return absolute(reverse("credentials:verify_page", args=[public_id]))


def framework_url(framework_id: int) -> str:
    return absolute(reverse("skills:framework_detail", args=[framework_id]))
