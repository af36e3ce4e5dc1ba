"""Competency frameworks as data: YAML files in the package, checked, then loaded atomically.

Every error names its file and line; one error anywhere and nothing at all is written.
A published (trade, version) never changes: new content needs a new version, and cohorts
keep the version they started with.

`trade` names the trade by its slug; or, for a new trade, describes it as a table of `Trade` fields
(`slug`, `name`, `default_cohort_capacity`, `description`, and the training offer declared in LHEO:
`rome_codes`, `formacode_codes`, `nsf_codes`, `public_codes`, `training_objective`…): the trade is
then created with the framework, or, when it exists, only its empty fields are filled — what the
network changed is kept. A new trade needs no code (see irve.yaml, docs/metier.md).
"""

import hashlib
import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from plombiers.frameworks.models import Block, Framework, Skill
from plombiers.network.models import Trade

FRAMEWORK_DIR = files("plombiers.frameworks") / "data"
ROME_CODE = re.compile(r"^[A-N]\d{4}$")
TOP_KEYS = {"trade", "version", "title", "description", "rome", "blocks", "skills"}
BLOCK_KEYS = {"code", "title"}
SKILL_KEYS = {"code", "block", "title", "description", "criteria", "rome", "safety_critical"}
# The fields of a trade a framework file may describe (`trade` as a table).
TRADE_KEYS = {
    "slug",
    "name",
    "default_cohort_capacity",
    "description",
    "rome_codes",
    "formacode_codes",
    "nsf_codes",
    "public_codes",
    "training_objective",
    "training_content",
    "expected_results",
    "entry_requirements",
    "target_public",
}


@dataclass(frozen=True)
class FrameworkError:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"


class FrameworkErrors(Exception):
    def __init__(self, errors: list[FrameworkError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping (as `__line__`)."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


@dataclass
class ParsedFramework:
    path: str
    data: dict
    checksum: str


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def parse(path: Path | str, text: str) -> tuple[ParsedFramework | None, list[FrameworkError]]:
    name = str(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return None, [FrameworkError(name, mark.line + 1 if mark else 1, f"YAML illisible : {error}")]
    errors: list[FrameworkError] = []

    def err(line, message):
        errors.append(FrameworkError(name, line, message))

    if not isinstance(data, dict):
        return None, [FrameworkError(name, 1, "le fichier doit décrire un référentiel (une table de clés)")]
    top = data["__line__"]
    for key in sorted(set(data) - TOP_KEYS - {"__line__"}):
        err(top, f"clé inconnue « {key} »")
    if isinstance(data.get("trade"), dict):
        _check_trade(data["trade"], err)
    for key in ("version", "title") if isinstance(data.get("trade"), dict) else ("trade", "version", "title"):
        if not isinstance(data.get(key), str | int | float) or not str(data.get(key)).strip():
            err(top, f"« {key} » manquant")
    for code in data.get("rome") or []:
        if not ROME_CODE.match(str(code)):
            err(top, f"code ROME invalide « {code} »")

    blocks = data.get("blocks")
    block_codes: set[str] = set()
    if not isinstance(blocks, list) or not blocks:
        err(top, "« blocks » manquant : au moins un bloc de compétences")
        blocks = []
    for block in blocks:
        if not isinstance(block, dict):
            err(top, "un bloc doit avoir un code et un intitulé")
            continue
        line = block["__line__"]
        for key in sorted(set(block) - BLOCK_KEYS - {"__line__"}):
            err(line, f"clé inconnue « {key} » dans un bloc")
        code = str(block.get("code") or "").strip()
        if not code:
            err(line, "bloc sans code")
        elif code in block_codes:
            err(line, f"code de bloc en double « {code} »")
        block_codes.add(code)
        if not str(block.get("title") or "").strip():
            err(line, f"bloc « {code} » sans intitulé")

    skills = data.get("skills")
    skill_codes: set[str] = set()
    if not isinstance(skills, list) or not skills:
        err(top, "« skills » manquant : au moins une compétence")
        skills = []
    for skill in skills:
        if not isinstance(skill, dict):
            err(top, "une compétence doit être une table de clés")
            continue
        line = skill["__line__"]
        for key in sorted(set(skill) - SKILL_KEYS - {"__line__"}):
            err(line, f"clé inconnue « {key} » dans une compétence")
        code = str(skill.get("code") or "").strip()
        if not code:
            err(line, "compétence sans code")
        elif code in skill_codes:
            err(line, f"code de compétence en double « {code} »")
        skill_codes.add(code)
        if str(skill.get("block") or "") not in block_codes:
            err(line, f"compétence « {code} » : bloc inconnu « {skill.get('block')} »")
        if not str(skill.get("title") or "").strip():
            err(line, f"compétence « {code} » sans intitulé")
        criteria = skill.get("criteria")
        if (
            not isinstance(criteria, list)
            or not criteria
            or not all(isinstance(c, str) and c.strip() for c in criteria)
        ):
            err(line, f"compétence « {code} » : critères observables manquants")
        for rome in skill.get("rome") or []:
            if not ROME_CODE.match(str(rome)):
                err(line, f"compétence « {code} » : code ROME invalide « {rome} »")
        if not isinstance(skill.get("safety_critical", False), bool):
            err(line, f"compétence « {code} » : « safety_critical » vaut true ou false")

    if errors:
        return None, errors
    clean = _clean(data)
    checksum = hashlib.sha256(json.dumps(clean, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return ParsedFramework(name, clean, checksum), []


def _check_trade(trade: dict, err) -> None:
    """A trade described in the file: known fields, and the checks of the model (codes, lengths)."""
    line = trade["__line__"]
    for key in sorted(set(trade) - TRADE_KEYS - {"__line__"}):
        err(line, f"clé inconnue « {key} » dans le métier")
    for key in ("slug", "name"):
        if not isinstance(trade.get(key), str) or not trade[key].strip():
            err(line, f"métier : « {key} » manquant")
    fields = {k: v for k, v in trade.items() if k in TRADE_KEYS}
    try:
        # Uniqueness is no error here: an existing trade is completed, not created again.
        Trade(**fields).full_clean(validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                err(line, f"métier, « {field} » : {message}")


def trade_slug(data: dict) -> str:
    trade = data["trade"]
    return str(trade["slug"] if isinstance(trade, dict) else trade)


def trade_ensure(data: dict, trades: dict[str, Trade]) -> Trade:
    """The trade a framework file names, created when the file describes it; an existing trade gets
    only the fields it has empty (what the network changed is kept)."""
    slug = trade_slug(data)
    described = (
        {k: v for k, v in data["trade"].items() if k in TRADE_KEYS} if isinstance(data["trade"], dict) else {}
    )
    trade = trades.get(slug)
    if trade is None:
        trade = Trade(**described)
        trade.full_clean()
        trade.save()
        trades[slug] = trade
        return trade
    empty = {field: value for field, value in described.items() if not getattr(trade, field)}
    if empty:
        for field, value in empty.items():
            setattr(trade, field, value)
        trade.full_clean()
        trade.save(update_fields=list(empty))
    return trade


def default_paths() -> list[Path]:
    return sorted(Path(str(p)) for p in FRAMEWORK_DIR.iterdir() if p.name.endswith((".yaml", ".yml")))


def frameworks_load(paths: list[Path] | None = None) -> list[Framework]:
    """Check every file, then load the new versions in one transaction; returns what was created."""
    parsed, errors = [], []
    for path in paths or default_paths():
        framework, file_errors = parse(path, Path(path).read_text(encoding="utf-8"))
        errors += file_errors
        if framework:
            parsed.append(framework)
    trades = {t.slug: t for t in Trade.objects.all()}
    for framework in parsed:
        data = framework.data
        trade = trades.get(trade_slug(data))
        if trade is None:
            if not isinstance(data["trade"], dict):
                errors.append(FrameworkError(framework.path, 1, f"métier inconnu « {data['trade']} »"))
            elif Trade.objects.filter(name=data["trade"]["name"]).exists():
                errors.append(
                    FrameworkError(
                        framework.path, 1, f"un autre métier s'appelle déjà « {data['trade']['name']} »"
                    )
                )
            continue
        existing = Framework.objects.filter(trade=trade, version=str(data["version"])).first()
        if existing and existing.checksum != framework.checksum:
            errors.append(
                FrameworkError(
                    framework.path,
                    1,
                    f"la version « {data['version']} » est déjà publiée avec un autre contenu : "
                    "changez le numéro de version",
                )
            )
    if errors:
        raise FrameworkErrors(errors)
    with transaction.atomic():
        return [f for f in (_save(p, trade_ensure(p.data, trades)) for p in parsed) if f is not None]


def _save(parsed: ParsedFramework, trade: Trade) -> Framework | None:
    data = parsed.data
    if Framework.objects.filter(trade=trade, version=str(data["version"])).exists():
        return None  # the same version, the same content: nothing to do
    framework = Framework.objects.create(
        trade=trade,
        version=str(data["version"]),
        title=data["title"],
        description=data.get("description", ""),
        rome_codes=[str(c) for c in data.get("rome") or []],
        source=Path(parsed.path).name,
        checksum=parsed.checksum,
    )
    blocks = {
        b["code"]: Block.objects.create(framework=framework, code=b["code"], title=b["title"], position=i)
        for i, b in enumerate(data["blocks"])
    }
    Skill.objects.bulk_create(
        Skill(
            framework=framework,
            block=blocks[s["block"]],
            code=s["code"],
            title=s["title"],
            description=s.get("description", ""),
            criteria=s["criteria"],
            rome_codes=[str(c) for c in s.get("rome") or data.get("rome") or []],
            safety_critical=s.get("safety_critical", False),
            position=i,
        )
        for i, s in enumerate(data["skills"])
    )
    return framework
