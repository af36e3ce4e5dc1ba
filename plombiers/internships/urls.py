from django.urls import path

from .views import matching, offers, placements

app_name = "internships"

urlpatterns = [
    # --- internships: the school's pages, the convention signed and the tutor's evaluation through links
    path("stages/", placements.internship_list, name="internship_list"),
    path("stages/nouveau/", placements.internship_create, name="internship_create"),
    path("stages/<int:pk>/", placements.internship_detail, name="internship_detail"),
    path("stages/<int:pk>/modifier/", placements.internship_edit, name="internship_edit"),
    path("stages/<int:pk>/statut/", placements.internship_transition, name="internship_transition"),
    path("stages/<int:pk>/convention.pdf", placements.convention_pdf, name="convention_pdf"),
    path("stages/<int:pk>/convention/envoi/", placements.convention_send, name="convention_send"),
    path("stages/<int:pk>/evaluation/", placements.evaluation_request, name="evaluation_request"),
    path("stages/<int:pk>/evaluation/envoi/", placements.evaluation_send, name="evaluation_send"),
    path("convention/<str:token>/", placements.convention_sign, name="convention_sign"),
    path("convention/<str:token>/convention.pdf", placements.convention_read, name="convention_read"),
    path("evaluation/<str:token>/", placements.evaluation, name="evaluation"),
    # --- offers, applications and partner companies (views/offers.py) ---
    path("offres/", offers.offer_list, name="offer_list"),
    path("offres/nouvelle/", offers.offer_create, name="offer_create"),
    path("offres/<int:pk>/", offers.offer_detail, name="offer_detail"),
    path("offres/<int:pk>/modifier/", offers.offer_edit, name="offer_edit"),
    path("offres/<int:pk>/statut/", offers.offer_status, name="offer_status"),
    path("offres/<int:pk>/proposer/", offers.application_create, name="application_create"),
    path("candidatures/", offers.application_list, name="application_list"),
    path("candidatures/<int:pk>/statut/", offers.application_transition, name="application_transition"),
    path("entreprises/<int:pk>/", offers.company_detail, name="company_detail"),
    path("entreprises/<int:pk>/sites/nouveau/", offers.site_create, name="site_create"),
    path("entreprises/sites/<int:pk>/modifier/", offers.site_edit, name="site_edit"),
    path("entreprises/<int:pk>/tuteurs/nouveau/", offers.tutor_create, name="tutor_create"),
    path("entreprises/tuteurs/<int:pk>/modifier/", offers.tutor_edit, name="tutor_edit"),
    # --- end of offers ---
    # Matching of young people and offers
    path("inscriptions/<int:pk>/offres/", matching.learner_offers, name="learner_offers"),
    path(
        "inscriptions/<int:pk>/offres/<int:offer_pk>/proposer/",
        matching.match_propose,
        name="match_propose",
    ),
    path("offres/<int:pk>/candidats/", matching.offer_learners, name="offer_learners"),
]
