"""A bench urlconf with a stand-in `skills:cohort_matrix` page, to prove the harness measures it."""

from django.http import HttpResponse
from django.urls import include, path

from plombiers.bench.urls import urlpatterns as bench
from plombiers.cohorts.models import Cohort


def matrix(request, pk):
    cohort = Cohort.objects.get(pk=pk)
    return HttpResponse(f"<table><caption>{cohort.name}</caption></table>")


skills = ([path("promotions/<int:pk>/matrice/", matrix, name="cohort_matrix")], "skills")
urlpatterns = [path("", include(skills)), *bench]
