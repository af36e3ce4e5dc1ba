from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("sorties/", views.exit_list, name="exit_list"),
    path("sorties/a-renseigner/", views.to_record_list, name="to_record_list"),
    path("sorties/<int:pk>/", views.exit_detail, name="exit_detail"),
    path("sorties/<int:pk>/corriger/", views.exit_edit, name="exit_edit"),
    path("inscriptions/<int:pk>/sortie/", views.exit_create, name="exit_create"),
    path("suivis/", views.follow_up_list, name="follow_up_list"),
    path("suivis/<int:pk>/", views.follow_up_record, name="follow_up_record"),
    path("suivis/<int:pk>/nouveau-lien/", views.follow_up_link_renew, name="follow_up_link_renew"),
    path("suivi/<str:token>/", views.answer, name="answer"),
    path("mon-suivi/", views.my_follow_up, name="my_follow_up"),
]
