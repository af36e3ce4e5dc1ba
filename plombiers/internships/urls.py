from django.urls import path

from . import matching_views, offer_views, views

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
    # --- offers, applications and partner companies (offer_views) ---
    path("offres/", offer_views.offer_list, name="offer_list"),
    path("offres/nouvelle/", offer_views.offer_create, name="offer_create"),
    path("offres/<int:pk>/", offer_views.offer_detail, name="offer_detail"),
    path("offres/<int:pk>/modifier/", offer_views.offer_edit, name="offer_edit"),
    path("offres/<int:pk>/statut/", offer_views.offer_status, name="offer_status"),
    path("offres/<int:pk>/proposer/", offer_views.application_create, name="application_create"),
    path("candidatures/", offer_views.application_list, name="application_list"),
    path("candidatures/<int:pk>/statut/", offer_views.application_transition, name="application_transition"),
    path("entreprises/<int:pk>/", offer_views.company_detail, name="company_detail"),
    path("entreprises/<int:pk>/sites/nouveau/", offer_views.site_create, name="site_create"),
    path("entreprises/sites/<int:pk>/modifier/", offer_views.site_edit, name="site_edit"),
    path("entreprises/<int:pk>/tuteurs/nouveau/", offer_views.tutor_create, name="tutor_create"),
    path("entreprises/tuteurs/<int:pk>/modifier/", offer_views.tutor_edit, name="tutor_edit"),
    # --- end of offers ---
    # Matching of young people and offers
    path("inscriptions/<int:pk>/offres/", matching_views.learner_offers, name="learner_offers"),
    path(
        "inscriptions/<int:pk>/offres/<int:offer_pk>/proposer/",
        matching_views.match_propose,
        name="match_propose",
    ),
    path("offres/<int:pk>/candidats/", matching_views.offer_learners, name="offer_learners"),
]
