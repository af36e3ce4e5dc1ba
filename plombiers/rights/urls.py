from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("confidentialite/conservation/", views.retention_page, name="retention"),
    path("reseau/conservation/", views.retention_settings, name="retention_settings"),
    path("jeunes/<int:pk>/effacement/", views.learner_erasure, name="learner_erasure"),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/mes-donnees.zip", views.my_export, name="my_export"),
    path("mes-donnees/accords/<str:scope>/retirer/", views.my_consent_withdraw, name="my_consent_withdraw"),
    path("jeunes/<int:pk>/donnees/", views.learner_data, name="learner_data"),
    path("jeunes/<int:pk>/donnees.zip", views.learner_export, name="learner_export"),
    path("donnees/rectifications/", views.rectification_list, name="rectification_list"),
    path(
        "donnees/rectifications/<int:pk>/decision/", views.rectification_decide, name="rectification_decide"
    ),
    path("reseau/registre/", views.register_page, name="register"),
    path("reseau/registre.pdf", views.register_pdf, name="register_pdf"),
]
