import pytest

from plombiers.surveys.enums import Audience, QuestionKind
from plombiers.surveys.questionnaires import QuestionnaireError, all_questionnaires, parse, questionnaire

SCALE = ["Pas du tout", "Plutôt pas", "Plutôt", "Tout à fait"]


def test_every_packaged_questionnaire_loads():
    found = all_questionnaires()
    assert {audience for audience, _version in found} == set(Audience.values)


def test_the_learner_questionnaire_is_short_and_in_words():
    learner = questionnaire(Audience.LEARNER)
    kinds = [q.kind for q in learner.questions]
    assert 6 <= len(kinds) <= 8
    assert kinds.count(QuestionKind.YES_NO) == 1 and kinds.count(QuestionKind.TEXT) == 1
    assert kinds.count(QuestionKind.SCALE) >= 4
    assert [label for _value, label in learner.satisfaction.choices] == SCALE
    assert learner.recommendation.label.startswith("Recommanderiez-vous")
    assert learner.recommendation.choices == ((1, "Oui"), (0, "Non"))


def test_tutor_and_funder_questionnaires_have_a_satisfaction_question():
    assert questionnaire(Audience.TUTOR).satisfaction.code == "overall"
    assert "partenariat" in questionnaire(Audience.FUNDER).satisfaction.label


GOOD = """
audience: learner
version: 3
title: Avis
scale: [Pas du tout, Plutôt pas, Plutôt, Tout à fait]
questions:
  - {code: overall, kind: scale, role: satisfaction, label: "Content·e ?"}
"""


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("learner-3.yaml", GOOD, "le nom du fichier"),
        ("learner-v3.yaml", "a: [", "YAML illisible"),
        ("learner-v3.yaml", GOOD.replace("version: 3", "version: 2"), "la version"),
        ("tutor-v3.yaml", GOOD, "différent du nom du fichier"),
        ("learner-v3.yaml", GOOD.replace("Plutôt pas, ", ""), "quatre mots"),
        ("learner-v3.yaml", GOOD.replace("kind: scale", "kind: stars"), "type « stars » inconnu"),
        (
            "learner-v3.yaml",
            GOOD.replace("role: satisfaction, ", ""),
            "exactement une question de satisfaction",
        ),
        ("learner-v3.yaml", GOOD + "  - {code: overall, kind: text, label: Encore}\n", "en double"),
        (
            "learner-v3.yaml",
            GOOD + "  - {code: r, kind: scale, role: recommendation, label: R}\n",
            "oui ou non",
        ),
    ],
)
def test_a_broken_file_names_itself_and_its_problem(name, text, message):
    with pytest.raises(QuestionnaireError) as error:
        parse(name, text)
    assert str(error.value).startswith(name) and message in str(error.value)


def test_a_good_file_parses():
    parsed = parse("learner-v3.yaml", GOOD)
    assert parsed.version == 3 and parsed.recommendation is None and parsed.satisfaction.code == "overall"
