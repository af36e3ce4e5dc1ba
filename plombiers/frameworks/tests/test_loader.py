import textwrap

import pytest
from django.core.management import CommandError, call_command

from plombiers.frameworks.loader import FrameworkErrors, default_paths, frameworks_load
from plombiers.frameworks.models import Block, Framework, Skill
from plombiers.network.models import Trade

GOOD = textwrap.dedent(
    """\
    trade: fibre-optique
    version: "9.0"
    title: "Référentiel d'essai"
    rome: [F1605]
    blocks:
      - code: A
        title: "Bloc A"
    skills:
      - code: T-01
        block: A
        title: "Souder"
        criteria: ["Soudure conforme"]
    """
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_frameworks_load_with_real_content(db):
    created = frameworks_load()
    assert {f.trade.slug for f in created} == {"fibre-optique", "technicien-data-center", "irve"}
    for framework in created:
        count = framework.skills.count()
        assert 18 <= count <= 25, (framework, count)
        assert framework.blocks.count() >= 4
        assert framework.skills.filter(safety_critical=True).exists()
        for skill in framework.skills.all():
            assert skill.criteria and skill.rome_codes and skill.title
    fibre = Framework.objects.get(trade__slug="fibre-optique")
    assert set(fibre.rome_codes) == {"F1605", "I1307"}
    assert fibre.skills.filter(title__icontains="OTDR").exists()
    datacenter = Framework.objects.get(trade__slug="technicien-data-center")
    assert set(datacenter.rome_codes) == {"I1401", "M1810"}
    irve = Framework.objects.get(trade__slug="irve")
    assert set(irve.rome_codes) == {"F1602", "I1309"}
    assert irve.skills.filter(title__icontains="absence de tension", safety_critical=True).exists()
    assert frameworks_load() == [], "loading again changes nothing"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD.replace("block: A", "block: Z"), 9, "bloc inconnu « Z »"),
        (
            GOOD + '  - code: T-01\n    block: A\n    title: "Encore"\n    criteria: ["x"]\n',
            13,
            "code de compétence en double « T-01 »",
        ),
        (GOOD.replace('    criteria: ["Soudure conforme"]\n', ""), 9, "critères observables manquants"),
        (GOOD.replace("rome: [F1605]", "rome: [F16]"), 1, "code ROME invalide « F16 »"),
        (GOOD.replace('title: "Souder"', 'title: "Souder"\n    niveau: 3'), 9, "clé inconnue « niveau »"),
        ("trade: [unclosed", 1, "YAML illisible"),
    ],
)
def test_errors_name_file_and_line_and_load_nothing(db, tmp_path, text, line, message):
    good = write(tmp_path, "bon.yaml", GOOD.replace("9.0", "9.1"))
    bad = write(tmp_path, "mauvais.yaml", text)
    with pytest.raises(FrameworkErrors) as raised:
        frameworks_load([good, bad])
    errors = [e for e in raised.value.errors if message in e.message]
    assert errors, raised.value.errors
    assert errors[0].file.endswith("mauvais.yaml")
    assert errors[0].line == line
    assert not Framework.objects.exists() and not Block.objects.exists() and not Skill.objects.exists()


def test_the_command_prints_file_and_line(db, tmp_path, capsys):
    bad = write(tmp_path, "mauvais.yaml", GOOD.replace("block: A", "block: Z"))
    with pytest.raises(CommandError, match="aucun référentiel n'a été chargé"):
        call_command("load_frameworks", str(bad))
    assert f"{bad}:9: compétence « T-01 » : bloc inconnu « Z »" in capsys.readouterr().err


def test_a_published_version_never_changes(db, tmp_path):
    frameworks_load([write(tmp_path, "a.yaml", GOOD)])
    changed = write(tmp_path, "b.yaml", GOOD.replace('"Souder"', '"Souder par fusion"'))
    with pytest.raises(FrameworkErrors, match="déjà publiée avec un autre contenu"):
        frameworks_load([changed])
    assert Skill.objects.get().title == "Souder"


def test_a_new_version_does_not_change_an_existing_cohort(cast, tmp_path):
    from plombiers.cohorts.services import cohort_create

    frameworks_load([write(tmp_path, "a.yaml", GOOD)])
    import datetime as dt

    cohort = cohort_create(
        school=cast.school_a,
        by=cast.manager_a,
        name="P1",
        start_date=dt.date(2027, 1, 4),
        end_date=dt.date(2027, 4, 16),
    )
    assert cohort.framework.version == "9.0"
    frameworks_load([write(tmp_path, "b.yaml", GOOD.replace("9.0", "10.0"))])
    cohort.refresh_from_db()
    assert cohort.framework.version == "9.0"
    later = cohort_create(
        school=cast.school_a,
        by=cast.manager_a,
        name="P2",
        start_date=dt.date(2027, 5, 3),
        end_date=dt.date(2027, 8, 13),
    )
    assert later.framework.version == "10.0"


def test_default_paths_are_in_the_package():
    assert {p.name for p in default_paths()} == {
        "fibre-optique.yaml",
        "technicien-data-center.yaml",
        "irve.yaml",
    }


NEW_TRADE = GOOD.replace(
    "trade: fibre-optique\n",
    textwrap.dedent(
        """\
        trade:
          slug: soudure
          name: "Soudure"
          default_cohort_capacity: 10
          rome_codes: [H2913]
          formacode_codes: ["23077"]
          nsf_codes: ["254"]
          training_objective: "Souder."
        """
    ),
)


def test_a_new_trade_is_data_created_with_its_framework(db, tmp_path):
    """A trade the file describes: created with its offer's codes, then never overwritten."""
    (framework,) = frameworks_load([write(tmp_path, "soudure.yaml", NEW_TRADE)])
    trade = framework.trade
    assert (trade.slug, trade.name, trade.default_cohort_capacity) == ("soudure", "Soudure", 10)
    assert (trade.rome_codes, trade.formacode_codes, trade.nsf_codes) == (["H2913"], ["23077"], ["254"])
    assert trade.training_objective == "Souder." and trade.target_public == ""
    # The network edits the trade; a new version of the file fills only what is empty.
    trade.training_objective = "Souder à l'arc, en sécurité."
    trade.save()
    newer = NEW_TRADE.replace("9.0", "9.1").replace(
        '  training_objective: "Souder."\n', '  training_objective: "Souder."\n  target_public: "Jeunes"\n'
    )
    frameworks_load([write(tmp_path, "soudure-9.1.yaml", newer)])
    trade.refresh_from_db()
    assert trade.training_objective == "Souder à l'arc, en sécurité." and trade.target_public == "Jeunes"
    assert trade.frameworks.count() == 2


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (
            ('nsf_codes: ["254"]', 'nsf_codes: ["254s"]'),
            "métier, « nsf_codes » : Un code NSF compte 3 chiffres",
        ),
        (("rome_codes: [H2913]", "rome_codes: [Z2913]"), "métier, « rome_codes » : Un code ROME"),
        (("default_cohort_capacity: 10", "places: 10"), "clé inconnue « places » dans le métier"),
        (('name: "Soudure"', 'name: ""'), "métier : « name » manquant"),
        (('name: "Soudure"', 'name: "Fibre optique"'), "un autre métier s'appelle déjà « Fibre optique »"),
    ],
)
def test_a_bad_new_trade_names_its_error_and_loads_nothing(db, tmp_path, replace, message):
    bad = write(tmp_path, "soudure.yaml", NEW_TRADE.replace(*replace))
    with pytest.raises(FrameworkErrors) as raised:
        frameworks_load([bad])
    assert [e for e in raised.value.errors if message in e.message], raised.value.errors
    assert not Framework.objects.exists() and not Trade.objects.filter(slug="soudure").exists()
