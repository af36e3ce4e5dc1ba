"""Questionnaires as data: one YAML file per audience and version, in the package.

`<audience>-v<version>.yaml` holds the title, the four words of the scale and the questions.
A published version never changes: answers keep the version they were given with, and a new
wording is a new file. A question's `code` is the key its answers are stored under; the
satisfaction and recommendation questions keep their code from one version to the next, so
that figures stay comparable over the years. A broken file names itself and its problem.
"""

import functools
import re
from dataclasses import dataclass
from importlib.resources import files

import yaml
from django.core.exceptions import ImproperlyConfigured

from .enums import Audience, QuestionKind

QUESTIONNAIRE_DIR = files("plombiers.surveys") / "questionnaires"
FILE_NAME = re.compile(r"^(?P<audience>[a-z_]+)-v(?P<version>\d+)\.yaml$")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
YES_NO = [(1, "Oui"), (0, "Non")]
# The top two words of the scale (« Plutôt », « Tout à fait ») count as satisfied.
SATISFIED_FROM = 3


@dataclass(frozen=True)
class Question:
    code: str
    kind: str
    label: str
    help: str = ""
    role: str = ""
    choices: tuple[tuple[int, str], ...] = ()

    @property
    def is_closed(self) -> bool:
        return self.kind != QuestionKind.TEXT


@dataclass(frozen=True)
class Questionnaire:
    audience: str
    version: int
    title: str
    intro: str
    questions: tuple[Question, ...]

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    def _by_role(self, role: str) -> Question | None:
        return next((q for q in self.questions if q.role == role), None)

    @property
    def satisfaction(self) -> Question:
        return self._by_role("satisfaction")

    @property
    def recommendation(self) -> Question | None:
        return self._by_role("recommendation")


class QuestionnaireError(ImproperlyConfigured):
    pass


def parse(name: str, text: str) -> Questionnaire:
    """One file, checked; a `QuestionnaireError` names the file and what is wrong."""

    def fail(message):
        raise QuestionnaireError(f"{name} : {message}")

    match = FILE_NAME.match(name)
    if not match:
        fail("le nom du fichier doit être <public>-v<version>.yaml")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        fail(f"YAML illisible ({error})")
    if not isinstance(data, dict):
        fail("le fichier doit décrire un questionnaire")
    if data.get("audience") not in Audience.values or data["audience"] != match["audience"]:
        fail(f"public « {data.get('audience')} » inconnu ou différent du nom du fichier")
    if data.get("version") != int(match["version"]):
        fail("la version ne correspond pas au nom du fichier")
    scale = data.get("scale")
    if not isinstance(scale, list) or len(scale) != 4 or not all(isinstance(w, str) and w for w in scale):
        fail("l'échelle doit compter quatre mots, du plus négatif au plus positif")
    questions, codes, roles = [], set(), []
    for position, item in enumerate(data.get("questions") or [], start=1):
        if not isinstance(item, dict):
            fail(f"question {position} : une question a un code, un type et un libellé")
        code, kind, label = item.get("code"), item.get("kind"), item.get("label")
        if not isinstance(code, str) or not CODE.match(code) or code in codes:
            fail(f"question {position} : code « {code} » absent, mal formé ou en double")
        if kind not in QuestionKind.values:
            fail(f"question {code} : type « {kind} » inconnu ({', '.join(QuestionKind.values)})")
        if not isinstance(label, str) or not label.strip():
            fail(f"question {code} : libellé manquant")
        role = item.get("role", "")
        if role not in ("", "satisfaction", "recommendation"):
            fail(f"question {code} : rôle « {role} » inconnu")
        if role == "satisfaction" and kind != QuestionKind.SCALE:
            fail(f"question {code} : la question de satisfaction se répond sur l'échelle")
        if role == "recommendation" and kind != QuestionKind.YES_NO:
            fail(f"question {code} : la recommandation se répond par oui ou non")
        choices = ()
        if kind == QuestionKind.SCALE:
            choices = tuple(enumerate(scale, start=1))
        elif kind == QuestionKind.YES_NO:
            choices = tuple(YES_NO)
        codes.add(code)
        roles.append(role)
        questions.append(
            Question(
                code=code,
                kind=kind,
                label=label.strip(),
                help=item.get("help", ""),
                role=role,
                choices=choices,
            )
        )
    if not questions:
        fail("aucune question")
    if roles.count("satisfaction") != 1 or roles.count("recommendation") > 1:
        fail("il faut exactement une question de satisfaction et au plus une de recommandation")
    return Questionnaire(
        audience=data["audience"],
        version=data["version"],
        title=data.get("title") or fail("titre manquant"),
        intro=data.get("intro", ""),
        questions=tuple(questions),
    )


@functools.cache
def all_questionnaires() -> dict[tuple[str, int], Questionnaire]:
    """Every packaged questionnaire, by (audience, version); read once per process."""
    found = {}
    for entry in sorted(QUESTIONNAIRE_DIR.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            questionnaire = parse(entry.name, entry.read_text(encoding="utf-8"))
            found[questionnaire.audience, questionnaire.version] = questionnaire
    for audience in Audience.values:
        versions = [q for (a, _v), q in found.items() if a == audience]
        if not versions:
            raise QuestionnaireError(f"aucun questionnaire pour le public « {audience} »")
        if len({(q.satisfaction.code, getattr(q.recommendation, "code", None)) for q in versions}) > 1:
            raise QuestionnaireError(
                f"{audience} : les questions de satisfaction et de recommandation gardent leur code "
                "d'une version à l'autre"
            )
    return found


def questionnaire(audience: str, version: int | None = None) -> Questionnaire:
    """The given version, or the latest one of that audience."""
    found = all_questionnaires()
    if version is None:
        version = max(v for a, v in found if a == audience)
    return found[audience, version]
