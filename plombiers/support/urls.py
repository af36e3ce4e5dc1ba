from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("accompagnement/", views.caseload, name="caseload"),
    path("accompagnement/journal-d-audit/", views.audit_list, name="audit_list"),
    path("jeunes/<int:pk>/accompagnement/", views.learner_support, name="learner_support"),
    path("jeunes/<int:pk>/accompagnement/freins/", views.barrier_set, name="barrier_set"),
    path("jeunes/<int:pk>/accompagnement/actions/", views.action_create, name="action_create"),
    path(
        "jeunes/<int:pk>/accompagnement/actions/<int:action_pk>/",
        views.action_update,
        name="action_update",
    ),
    path("jeunes/<int:pk>/accompagnement/journal/", views.journal_add, name="journal_add"),
    path("jeunes/<int:pk>/accompagnement/consentements/", views.consent_record, name="consent_record"),
    path("jeunes/<int:pk>/accompagnement/notice.pdf", views.consent_notice, name="consent_notice"),
]
