import pytest
from django.core.management import call_command

from plombiers.network.models import Commune, Departement, Region

# (INSEE code, name, département, région, latitude, longitude) — centroids checked on a map.
KNOWN = [
    ("77108", "Chelles", "77", "Île-de-France", 48.884, 2.597),
    ("59512", "Roubaix", "59", "Hauts-de-France", 50.688, 3.182),
    ("13055", "Marseille", "13", "Provence-Alpes-Côte d'Azur", 43.292, 5.421),
    ("2A004", "Ajaccio", "2A", "Corse", 41.938, 8.697),
]


@pytest.mark.django_db(transaction=True)
def test_load_communes_loads_the_whole_country_with_polygon_centroids():
    call_command("load_communes")
    assert Commune.objects.count() > 37_000
    assert Commune.objects.filter(kind=Commune.Kind.COMMUNE).count() > 34_000
    assert Departement.objects.count() >= 101
    assert Region.objects.count() == 18
    for code, name, departement, region, latitude, longitude in KNOWN:
        commune = Commune.objects.select_related("departement__region").get(insee_code=code, kind="COM")
        assert commune.name == name
        assert commune.departement.code == departement
        assert commune.departement.region.name == region
        assert commune.latitude == pytest.approx(latitude, abs=0.01)
        assert commune.longitude == pytest.approx(longitude, abs=0.01)
    chelles = Commune.objects.get(insee_code="77108", kind="COM")
    assert chelles.postal_codes == "77500"
    paris = Commune.objects.get(insee_code="75056", kind="COM")
    assert "75001" in paris.postal_codes.split() and "75020" in paris.postal_codes.split()
    # Only communes that have neither a polygon nor a town-hall point lack coordinates.
    assert Commune.objects.filter(kind="COM", latitude__isnull=True).count() < 10

    # Loading again changes nothing.
    before = Commune.objects.count()
    call_command("load_communes", "77108")
    assert Commune.objects.count() == before


def test_search_by_name_ignores_accents_case_and_hyphens(communes):
    assert list(Commune.objects.search("CHEL").values_list("insee_code", flat=True)) == ["77108"]
    assert "30189" in Commune.objects.search("nimes").values_list("insee_code", flat=True)
    assert "69256" in Commune.objects.search("vaulx en").values_list("insee_code", flat=True)
    assert "63113" in Commune.objects.search("Clermont Fer").values_list("insee_code", flat=True)


def test_search_by_postal_or_insee_code(communes):
    assert set(Commune.objects.search("77500").values_list("insee_code", flat=True)) == {"77108"}
    assert "75101" in Commune.objects.search("75001").values_list("insee_code", flat=True)
    assert "2A004" in Commune.objects.search("2A004").values_list("insee_code", flat=True)
    assert not Commune.objects.search("   ").exists()


def test_search_ranks_communes_before_arrondissements_and_by_population(communes):
    ranked = list(Commune.objects.search("paris").ranked())
    assert ranked[0].insee_code == "75056"
    assert ranked[0].kind == Commune.Kind.COMMUNE
