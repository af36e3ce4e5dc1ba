from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("promotions/", views.cohort_list, name="cohort_list"),
    path("promotions/nouvelle/", views.cohort_create, name="cohort_create"),
    path("promotions/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("promotions/<int:pk>/modifier/", views.cohort_edit, name="cohort_edit"),
    path("promotions/<int:pk>/cloture/", views.cohort_finish, name="cohort_finish"),
    path("prescriptions/<int:pk>/admission/", views.referral_admit, name="referral_admit"),
    path("inscriptions/<int:pk>/abandon/", views.enrolment_drop_out, name="enrolment_drop_out"),
]
