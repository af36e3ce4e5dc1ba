from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("financements/", views.overview, name="overview"),
    path("financements/financeur/", views.funder_space, name="funder_space"),
    path("financements/subventions/nouvelle/", views.grant_create, name="grant_create"),
    path("financements/subventions/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("financements/subventions/<int:pk>/modifier/", views.grant_edit, name="grant_edit"),
    path("financements/subventions/<int:pk>/decision/", views.grant_decide, name="grant_decide"),
    path("financements/subventions/<int:pk>/versements/", views.payment_create, name="payment_create"),
    path("financements/subventions/<int:pk>/comptes-rendus/", views.report_create, name="report_create"),
    path(
        "financements/subventions/<int:pk>/convention/", views.agreement_download, name="agreement_download"
    ),
    path(
        "financements/subventions/<int:pk>/convention/deposer/",
        views.agreement_upload,
        name="agreement_upload",
    ),
    path("financements/comptes-rendus/<int:pk>/remis/", views.report_done, name="report_done"),
    path("ecoles/<slug:slug>/financements/", views.school_funding, name="school_funding"),
    path("ecoles/<slug:slug>/budgets/", views.budget_create, name="budget_create"),
    path("ecoles/<slug:slug>/budgets/<int:year>/", views.budget_detail, name="budget"),
    path("ecoles/<slug:slug>/budgets/<int:year>/import/", views.budget_import, name="budget_import"),
    path("ecoles/<slug:slug>/bpf/<int:year>/", views.bpf_page, name="bpf"),
    path("ecoles/<slug:slug>/bpf/<int:year>/bpf.xlsx", views.bpf_export, name="bpf_export"),
    path("promotions/<int:pk>/financement-opco/", views.cohort_opco, name="cohort_opco"),
    path(
        "promotions/<int:pk>/financement-opco/nouveau/", views.opco_funding_create, name="opco_funding_create"
    ),
    path("promotions/<int:pk>/financement-opco/factures/", views.invoice_create, name="invoice_create"),
    path("factures-opco/a-emettre/", views.invoices_to_issue, name="invoices_to_issue"),
    path("factures-opco/<int:pk>/etat/", views.invoice_transition, name="invoice_transition"),
    path("factures-opco/<int:pk>/justificatifs.zip", views.invoice_bundle, name="invoice_bundle"),
]
