from django.urls import path

from . import public, views

app_name = "credentials"

urlpatterns = [
    path("credentials/<uuid:public_id>.json", public.credential_json, name="credential_json"),
    path("credentials/issuers/<slug:slug>", public.issuer, name="issuer"),
    path("credentials/networks/<slug:slug>", public.network, name="network"),
    path("credentials/status/<slug:slug>", public.status_list, name="status_list"),
    path("verifier/", public.verify_upload, name="verify_upload"),
    path("verifier/<uuid:public_id>", public.verify_page, name="verify_page"),
    path("verifier/<uuid:public_id>/", public.verify_page),
    path("attestations/", views.attestation_list, name="attestation_list"),
    path("attestations/<uuid:public_id>/", views.attestation_detail, name="attestation_detail"),
    path("attestations/<uuid:public_id>/attestation.pdf", views.attestation_pdf, name="attestation_pdf"),
    path(
        "attestations/<uuid:public_id>/badge.png",
        views.attestation_badge,
        {"fmt": "png"},
        name="attestation_badge_png",
    ),
    path(
        "attestations/<uuid:public_id>/badge.svg",
        views.attestation_badge,
        {"fmt": "svg"},
        name="attestation_badge_svg",
    ),
    path("attestations/miennes/", views.my_attestations, name="my_attestations"),
    path("attestations/a-delivrer/", views.to_issue, name="to_issue"),
    path("attestations/<uuid:public_id>/revoquer/", views.attestation_revoke, name="attestation_revoke"),
    path("inscriptions/<int:pk>/attestation/", views.attestation_issue, name="attestation_issue"),
]
