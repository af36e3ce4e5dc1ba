from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("mon-agenda/", views.learner_feed, name="learner_feed"),
    path("mon-agenda/nouvelle-adresse/", views.learner_feed_create, name="learner_feed_create"),
    path("promotions/<int:pk>/agenda/", views.cohort_feed, name="cohort_feed"),
    path("promotions/<int:pk>/agenda/nouvelle-adresse/", views.cohort_feed_create, name="cohort_feed_create"),
    path("agendas/<int:pk>/revoquer/", views.feed_revoke, name="feed_revoke"),
    path("agenda/<str:token>.ics", views.feed, name="feed"),
]
