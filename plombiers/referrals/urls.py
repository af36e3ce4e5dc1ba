from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("prescriptions/", views.referral_list, name="referral_list"),
    path("prescriptions/nouvelle/", views.referral_create, name="referral_create"),
    path("prescriptions/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("prescriptions/<int:pk>/decision/", views.referral_transition, name="referral_transition"),
    path("jeunes/", views.learner_list, name="learner_list"),
    path("jeunes/<int:pk>/", views.learner_detail, name="learner_detail"),
    path("informations-collectives/", views.session_list, name="session_list"),
    path("informations-collectives/nouvelle/", views.session_create, name="session_create"),
    path("informations-collectives/<int:pk>/", views.session_detail, name="session_detail"),
    path("informations-collectives/<int:pk>/invitations/", views.session_invite, name="session_invite"),
    path("informations-collectives/<int:pk>/presences/", views.session_attendance, name="session_attendance"),
]
