from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("enquete/<str:token>/", views.answer, name="answer"),
    path("enquetes/", views.index, name="index"),
    path("enquetes/ecoles/<slug:slug>/", views.school_results, name="school_results"),
    path("enquetes/promotions/<int:pk>/", views.cohort_results, name="cohort_results"),
    path("enquetes/promotions/<int:pk>/invitations/", views.cohort_invitations, name="cohort_invitations"),
    path("enquetes/invitations/<int:pk>/lien/", views.invitation_link, name="invitation_link"),
]
