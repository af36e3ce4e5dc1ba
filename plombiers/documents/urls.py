from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("promotions/<int:pk>/documents/", views.cohort_documents, name="cohort_documents"),
    path("promotions/<int:pk>/documents/<slug:kind>/", views.cohort_document, name="cohort_document"),
    path("inscriptions/<int:pk>/documents/<slug:kind>/", views.enrolment_document, name="enrolment_document"),
]
