from django.urls import path

from . import views

app_name = "internships"

urlpatterns = [
    # --- internships: the school's pages, the convention signed and the tutor's evaluation through links
    path("stages/", views.internship_list, name="internship_list"),
    path("stages/nouveau/", views.internship_create, name="internship_create"),
    path("stages/<int:pk>/", views.internship_detail, name="internship_detail"),
    path("stages/<int:pk>/modifier/", views.internship_edit, name="internship_edit"),
    path("stages/<int:pk>/statut/", views.internship_transition, name="internship_transition"),
    path("stages/<int:pk>/convention.pdf", views.convention_pdf, name="convention_pdf"),
    path("stages/<int:pk>/convention/envoi/", views.convention_send, name="convention_send"),
    path("stages/<int:pk>/evaluation/", views.evaluation_request, name="evaluation_request"),
    path("stages/<int:pk>/evaluation/envoi/", views.evaluation_send, name="evaluation_send"),
    path("convention/<str:token>/", views.convention_sign, name="convention_sign"),
    path("convention/<str:token>/convention.pdf", views.convention_read, name="convention_read"),
    path("evaluation/<str:token>/", views.evaluation, name="evaluation"),
]
