from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("promotions/", views.cohort_list, name="cohort_list"),
    path("promotions/nouvelle/", views.cohort_create, name="cohort_create"),
    path("promotions/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("promotions/<int:pk>/modifier/", views.cohort_edit, name="cohort_edit"),
    path("promotions/<int:pk>/cloture/", views.cohort_finish, name="cohort_finish"),
    path("promotions/<int:pk>/calendrier/", views.cohort_calendar, name="cohort_calendar"),
    path("promotions/<int:pk>/calendrier/generer/", views.schedule_generate, name="schedule_generate"),
    path("promotions/<int:pk>/calendrier/ajouter/", views.session_create, name="session_create"),
    path("demi-journees/aujourdhui/", views.sessions_today, name="sessions_today"),
    path("demi-journees/<int:pk>/", views.session_detail, name="session_detail"),
    path("demi-journees/<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("presences/<int:pk>/justificatif/", views.attendance_proof, name="attendance_proof"),
    path("demi-journees/<int:pk>/supprimer/", views.session_delete, name="session_delete"),
    path("demi-journees/<int:pk>/presences/", views.attendance_mark, name="attendance_mark"),
    path("demi-journees/<int:pk>/signature/", views.attendance_sign, name="attendance_sign"),
    path("demi-journees/<int:pk>/code/", views.signing_code_issue, name="signing_code_issue"),
    path("demi-journees/<int:pk>/verrouiller/", views.sheet_lock, name="sheet_lock"),
    path("demi-journees/<int:pk>/modification/", views.attendance_amend, name="attendance_amend"),
    path("emargement/", views.sign_with_code, name="sign_with_code"),
    path("prescriptions/<int:pk>/admission/", views.referral_admit, name="referral_admit"),
    path("inscriptions/<int:pk>/abandon/", views.enrolment_drop_out, name="enrolment_drop_out"),
]
