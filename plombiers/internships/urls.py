from django.urls import path

from . import matching_views

app_name = "internships"

urlpatterns = [
    # Matching of young people and offers
    path("inscriptions/<int:pk>/offres/", matching_views.learner_offers, name="learner_offers"),
    path(
        "inscriptions/<int:pk>/offres/<int:offer_pk>/proposer/",
        matching_views.match_propose,
        name="match_propose",
    ),
    path("offres/<int:pk>/candidats/", matching_views.offer_learners, name="offer_learners"),
]
