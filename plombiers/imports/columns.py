"""The columns each kind of import recognises: a field, its French label, the usual headers that name
it in a school's spreadsheet, and the parser of its cells.

A header is compared folded (case, accents, punctuation and spaces ignored): « Date de naissance »,
« DATE NAISSANCE » and « date_de_naissance » name the same column."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.outcomes.enums import ExitType
from plombiers.referrals.enums import Diploma, Gender, LastClass, ReferralStatus

from . import cells


def normalise(header) -> str:
    """« Date de naissance (JJ/MM/AAAA) » → « date de naissance jj mm aaaa »."""
    return cells.key(header)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    headers: tuple[str, ...]
    parse: Callable = cells.text
    required: bool = False

    @property
    def names(self) -> set[str]:
        return {normalise(self.label), *(normalise(h) for h in self.headers)}


GENDERS = {"f": Gender.FEMALE, "feminin": Gender.FEMALE, "mme": Gender.FEMALE, "madame": Gender.FEMALE,
           "m": Gender.MALE, "masculin": Gender.MALE, "m.": Gender.MALE, "monsieur": Gender.MALE,
           "h": Gender.MALE}  # fmt: skip
DIPLOMAS = {"aucun": Diploma.NONE, "sans diplome": Diploma.NONE, "niveau 3": Diploma.LEVEL_3,
            "cap": Diploma.LEVEL_3, "bep": Diploma.LEVEL_3, "niveau 4": Diploma.LEVEL_4,
            "bac": Diploma.LEVEL_4, "baccalaureat": Diploma.LEVEL_4, "niveau 5": Diploma.LEVEL_5,
            "bts": Diploma.LEVEL_5, "dut": Diploma.LEVEL_5, "licence": Diploma.LEVEL_5}  # fmt: skip
# The statuses a referral may be imported in: not a refusal or a redirection (they need a reason).
IMPORTED_STATUSES = [
    ReferralStatus.NEW, ReferralStatus.REVIEW, ReferralStatus.INFO_SESSION, ReferralStatus.INTERVIEW,
    ReferralStatus.ADMITTED, ReferralStatus.WAITLIST,
]  # fmt: skip


def referral_status(value) -> str:
    status = cells.choice(value, ReferralStatus, synonyms={"admis": ReferralStatus.ADMITTED,
                                                          "admis e": ReferralStatus.ADMITTED})  # fmt: skip
    if status and status not in IMPORTED_STATUSES:
        labels = ", ".join(ReferralStatus(s).label.lower() for s in IMPORTED_STATUSES)
        raise cells.CellError(f"Statut « {value} » : un import ne connaît que {labels}.")
    return status


LEARNERS = [
    Column("last_name", "Nom", ("nom de famille", "nom d usage", "nom du jeune", "nom naissance"),
           partial(cells.text, max_length=100), required=True),
    Column("first_name", "Prénom", ("prenoms", "prenom du jeune"), partial(cells.text, max_length=100),
           required=True),
    Column("birth_date", "Date de naissance", ("date naissance", "ne e le", "ne le", "naissance", "ddn",
           "date de naissance jj mm aaaa"), cells.date, required=True),
    Column("gender", "Genre", ("sexe", "civilite"), partial(cells.choice, choices=Gender, synonyms=GENDERS)),
    Column("email", "E-mail", ("email", "mail", "courriel", "adresse e mail", "adresse mail"), cells.email),
    Column("phone", "Téléphone", ("tel", "telephone portable", "portable", "mobile", "numero de telephone"),
           partial(cells.text, max_length=30)),
    Column("address", "Adresse", ("adresse postale", "rue")),
    Column("postcode", "Code postal", ("cp", "code postal domicile"), cells.postcode),
    Column("commune", "Commune", ("ville", "localite", "commune de residence", "ville de residence")),
    Column("highest_diploma", "Diplôme le plus élevé", ("diplome", "niveau", "niveau de diplome",
           "niveau de qualification", "dernier diplome"), partial(cells.choice, choices=Diploma,
           synonyms=DIPLOMAS)),
    Column("last_class", "Dernière classe suivie", ("derniere classe", "classe"),
           partial(cells.choice, choices=LastClass)),
    Column("is_neet", "NEET", ("ni en emploi ni en etudes ni en formation", "sans emploi ni formation"),
           cells.boolean),
    Column("has_rqth", "RQTH", ("travailleur handicape",), cells.boolean),
    Column("lives_in_qpv", "QPV", ("quartier prioritaire", "habite un qpv", "habite un quartier prioritaire"),
           cells.boolean),
    Column("france_travail_id", "Identifiant France Travail", ("id france travail", "n france travail",
           "numero france travail", "identifiant pole emploi", "id pole emploi"),
           partial(cells.text, max_length=20)),
    Column("referred_on", "Date de prescription", ("date d orientation", "date orientation",
           "date prescription", "date d entree"), cells.date),
    Column("prescriber", "Structure prescriptrice", ("prescripteur", "orienteur", "orientee par",
           "orienté par", "structure"), partial(cells.text, max_length=200)),
    Column("status", "Statut", ("statut de la prescription", "etat"), referral_status),
]  # fmt: skip

COMPANIES = [
    Column("company", "Entreprise", ("raison sociale", "nom de l entreprise", "societe", "employeur"),
           partial(cells.text, max_length=200), required=True),
    Column("siret", "SIRET", ("n siret", "numero siret"), partial(cells.text, max_length=20)),
    Column("site", "Site", ("nom du site", "etablissement", "agence", "lieu")),
    Column("address", "Adresse", ("adresse du site", "adresse postale", "rue")),
    Column("postcode", "Code postal", ("cp", "code postal du site"), cells.postcode),
    Column("commune", "Commune", ("ville", "localite")),
    Column("tutor", "Tuteur·rice", ("tuteur", "tutrice", "tuteur rice", "nom du tuteur", "tuteur trice",
           "referent", "maitre de stage"), partial(cells.text, max_length=150)),
    Column("job_title", "Fonction", ("fonction du tuteur", "poste"), partial(cells.text, max_length=150)),
    Column("email", "E-mail", ("email", "mail", "courriel", "e mail du tuteur"), cells.email),
    Column("phone", "Téléphone", ("tel", "portable", "mobile"), partial(cells.text, max_length=30)),
]  # fmt: skip


def enrolment_status(value) -> str:
    return cells.choice(value, EnrolmentStatus, synonyms={"en cours": EnrolmentStatus.ACTIVE,
                                                         "termine": EnrolmentStatus.COMPLETED})  # fmt: skip


COHORTS = [
    Column("cohort", "Promotion", ("nom de la promotion", "session", "groupe"),
           partial(cells.text, max_length=150), required=True),
    Column("start_date", "Début", ("date de debut", "debut de la promotion", "date debut"), cells.date,
           required=True),
    Column("end_date", "Fin", ("date de fin", "fin de la promotion", "date fin"), cells.date, required=True),
    Column("capacity", "Places", ("nombre de places", "capacite"), cells.integer),
    Column("last_name", "Nom", ("nom de famille", "nom d usage", "nom du jeune"),
           partial(cells.text, max_length=100)),
    Column("first_name", "Prénom", ("prenoms",), partial(cells.text, max_length=100)),
    Column("birth_date", "Date de naissance", ("date naissance", "ne e le", "ne le", "naissance", "ddn"),
           cells.date),
    Column("entry_date", "Date d'entrée", ("date entree", "entree", "entree en formation"), cells.date),
    Column("status", "Statut", ("statut de l inscription", "etat"), enrolment_status),
]  # fmt: skip

# Usual words of a school's spreadsheet for the exit types of `outcomes` (their labels are known too).
EXIT_TYPES = {"cdd 6 mois et plus": ExitType.CDD_LONG, "cdd long": ExitType.CDD_LONG,
              "cdd court": ExitType.CDD_SHORT, "interim 6 mois et plus": ExitType.TEMPING_LONG,
              "interim long": ExitType.TEMPING_LONG, "interim court": ExitType.TEMPING_SHORT,
              "fonction publique": ExitType.CIVIL_SERVICE, "alternance": ExitType.APPRENTICESHIP,
              "contrat de pro": ExitType.PROFESSIONALISATION, "formation": ExitType.QUALIFYING_TRAINING,
              "siae": ExitType.SIAE, "iae": ExitType.SIAE, "demandeur d emploi": ExitType.JOB_SEEKING,
              "recherche d emploi": ExitType.JOB_SEEKING, "inactif": ExitType.INACTIVE,
              "inactive": ExitType.INACTIVE}  # fmt: skip


def exit_type(value) -> str:
    return cells.choice(value, ExitType, synonyms=EXIT_TYPES)


def _follow_up(months: int) -> Column:
    return Column(f"follow_up_{months}", f"Situation à {months} mois",
                  (f"suivi a {months} mois", f"situation {months} mois", f"{months} mois",
                   f"suivi {months} mois", f"sortie a {months} mois"), exit_type)  # fmt: skip


EXITS = [
    Column("last_name", "Nom", ("nom de famille", "nom d usage", "nom du jeune"),
           partial(cells.text, max_length=100), required=True),
    Column("first_name", "Prénom", ("prenoms", "prenom du jeune"), partial(cells.text, max_length=100),
           required=True),
    Column("birth_date", "Date de naissance", ("date naissance", "ne e le", "ne le", "naissance", "ddn"),
           cells.date, required=True),
    Column("cohort", "Promotion", ("nom de la promotion", "session", "groupe"),
           partial(cells.text, max_length=150)),
    Column("exit_date", "Date de sortie", ("date sortie", "sortie le", "date de fin de parcours"), cells.date,
           required=True),
    Column("exit_type", "Type de sortie", ("situation a la sortie", "situation de sortie", "sortie vers",
           "type sortie", "motif de sortie", "situation"), exit_type, required=True),
    Column("employer", "Employeur", ("entreprise", "employeur ou organisme", "organisme", "structure"),
           partial(cells.text, max_length=200)),
    *(_follow_up(months) for months in (1, 3, 6, 12)),
]  # fmt: skip

ATTENDANCE = [
    Column("last_name", "Nom", ("nom de famille", "nom d usage", "nom du jeune"),
           partial(cells.text, max_length=100), required=True),
    Column("first_name", "Prénom", ("prenoms", "prenom du jeune"), partial(cells.text, max_length=100),
           required=True),
    Column("birth_date", "Date de naissance", ("date naissance", "ne e le", "ne le", "naissance", "ddn"),
           cells.date, required=True),
    Column("cohort", "Promotion", ("session", "cohorte", "nom de la promotion", "groupe"),
           partial(cells.text, max_length=150)),
    Column("month", "Mois", ("mois concerne", "periode", "mois mm aaaa"), cells.month, required=True),
    Column("attended_hours", "Heures présentes", ("heures suivies", "heures de presence", "presence h",
           "heures realisees", "presence"), cells.hours, required=True),
    Column("excused_hours", "Absences justifiées (h)", ("absences justifiees", "heures d absence justifiee",
           "abs justifiees", "absences excusees"), cells.hours),
    Column("unexcused_hours", "Absences injustifiées (h)", ("absences injustifiees", "absences non justifiees",
           "heures d absence injustifiee", "abs injustifiees"), cells.hours),
]  # fmt: skip

KIND_COLUMNS: dict[str, list[Column]] = {"learners": LEARNERS, "companies": COMPANIES, "cohorts": COHORTS,
                                         "exits": EXITS, "attendance": ATTENDANCE}  # fmt: skip


@dataclass
class Header:
    """The header line found, and which column of the file each field reads."""

    line: int
    titles: list[str]
    mapping: dict[str, int] = field(default_factory=dict)  # field key → column index

    def title(self, key: str) -> str:
        return self.titles[self.mapping[key]] if key in self.mapping else ""


def recognise(columns: list[Column], titles: list) -> dict[str, int]:
    """Each field to the first column of the file whose header names it."""
    names = [normalise(t) for t in titles]
    mapping = {}
    for column in columns:
        for index, name in enumerate(names):
            if name and name in column.names and index not in mapping.values():
                mapping[column.key] = index
                break
    return mapping


def find_header(columns: list[Column], lines: list[tuple[int, list]], *, search: int = 10) -> Header | None:
    """The line of the first ones that names the most fields (a title or a merged header above it
    is skipped); None when no line names any."""
    best = None
    for number, row in lines[:search]:
        mapping = recognise(columns, row)
        if mapping and (best is None or len(mapping) > len(best.mapping)):
            best = Header(
                line=number, titles=[cells.text(c, max_length=10_000) for c in row], mapping=mapping
            )
    return best


def apply_saved(columns: list[Column], header: Header, saved: dict[str, str]) -> None:
    """A mapping remembered for the school (field → header title) wins over the recognition, when
    the file has that title."""
    names = [normalise(t) for t in header.titles]
    keys = {c.key for c in columns}
    for key, title in saved.items():
        if key in keys and not title:
            header.mapping.pop(key, None)
        elif key in keys and normalise(title) in names:
            header.mapping = {k: i for k, i in header.mapping.items() if i != names.index(normalise(title))}
            header.mapping[key] = names.index(normalise(title))
