"""What each kind of import checks and writes.

`check` reads every line into a plan without writing anything (a dry run is the check alone) and
lists every problem as (line, column, French message); `apply` writes the plan, inside the caller's
transaction. Natural keys make an import idempotent: a line whose objects already exist creates
nothing and counts as unchanged.

Learners are matched by the rule of referrals (`referrals.models.identity_key`: same folded last
name, first name and birth date), in the school only, as a referral reuses the school's own record.
The 5,000 lines of a big file are written in bulk (a few queries, not 5,000 calls of
`referral_create`), with the same checks (`check_learner_data`), the same eligibility and the same
first step of the referral's history."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from plombiers.cohorts.enums import EnrolmentStatus
from plombiers.cohorts.models import MAX_HOURS_A_DAY, Attendance, AttendanceHistory, Cohort, Enrolment
from plombiers.frameworks.models import Framework
from plombiers.funding.enums import InvoiceStatus
from plombiers.funding.models import OpcoInvoice
from plombiers.internships.models import CompanySite
from plombiers.lib import derived
from plombiers.lib.text import fold
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Commune, Contact, Organisation, Partnership, School, validate_siret
from plombiers.outcomes import services as outcomes
from plombiers.outcomes.enums import EMPLOYMENT_TYPES, FollowUpHorizon, FollowUpSource
from plombiers.outcomes.models import Exit, FollowUp
from plombiers.referrals import eligibility
from plombiers.referrals.enums import Diploma, ReferralStatus
from plombiers.referrals.models import Learner, Referral, ReferralEvent, identity_key
from plombiers.referrals.services import check_learner_data

from . import cells
from .columns import ATTENDANCE, COHORTS, COMPANIES, EXITS, LEARNERS, Column, Header

Progress = Callable[[int], None]


@dataclass
class Problem:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class Plan:
    """What a file will write: per line, created or unchanged; the problems; the objects to make."""

    errors: list[Problem] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    todo: dict[str, Any] = field(default_factory=dict)


def parse_lines(columns: list[Column], header: Header, lines, plan: Plan, progress: Progress | None):
    """Each data line as {field: value}, with its number; a bad cell is a problem and the line is
    left out of the plan."""
    for column in columns:
        if column.required and column.key not in header.mapping:
            plan.errors.append(
                Problem(header.line, column.label, f"Colonne obligatoire introuvable : « {column.label} ».")
            )
    if plan.errors:
        return
    by_key = {c.key: c for c in columns}
    for position, (number, row) in enumerate(lines, start=1):
        if progress and position % 500 == 0:
            progress(position)
        values, ok = {}, True
        for key, index in header.mapping.items():
            column = by_key[key]
            raw = row[index] if index < len(row) else None
            try:
                value = column.parse(raw)
            except cells.CellError as error:
                plan.errors.append(Problem(number, header.title(key), str(error)))
                ok = False
                continue
            except (ValueError, OverflowError):  # a number no spreadsheet should hold (NaN, infinity)
                plan.errors.append(Problem(number, header.title(key), f"Valeur illisible : « {raw} »."))
                ok = False
                continue
            if column.required and value in (None, ""):
                plan.errors.append(Problem(number, header.title(key), f"« {column.label} » est vide."))
                ok = False
            values[key] = value
        if ok:
            yield number, values


class Communes:
    """Postcode (and name) → commune, from the real communes, in a few queries for a whole file."""

    def __init__(self, rows: list[dict]):
        codes = sorted({r["postcode"] for r in rows if r.get("postcode")})
        self.by_code: dict[str, list[Commune]] = defaultdict(list)
        for start in range(0, len(codes), 200):
            chunk = codes[start : start + 200]
            query = Q()
            for code in chunk:
                query |= Q(postal_codes__contains=code)
            for commune in Commune.objects.filter(query).ranked():
                for code in commune.postal_codes.split():
                    if code in chunk:
                        self.by_code[code].append(commune)
        names = {fold(r["commune"]) for r in rows if r.get("commune") and not r.get("postcode")}
        self.by_name: dict[str, list[Commune]] = defaultdict(list)
        if names:
            for commune in Commune.objects.filter(search_name__in=names, kind=Commune.Kind.COMMUNE).ranked():
                self.by_name[commune.search_name].append(commune)

    def find(self, postcode: str, name: str) -> Commune | None:
        """Raise CellError when the postcode or the name names no commune, or too many."""
        if postcode:
            found = self.by_code.get(postcode)
            if not found:
                raise cells.CellError(f"Code postal inconnu : « {postcode} ».")
            if name:
                named = [c for c in found if c.search_name == fold(name)]
                if named:
                    return named[0]
            return found[0]
        if name:
            found = self.by_name.get(fold(name))
            if not found:
                raise cells.CellError(f"Commune inconnue : « {name} » (ajoutez le code postal).")
            if len(found) > 1:
                raise cells.CellError(f"Plusieurs communes s'appellent « {name} » : ajoutez le code postal.")
            return found[0]
        return None


def _commune(plan, number, header, values, communes) -> tuple[bool, Commune | None]:
    try:
        return True, communes.find(values.get("postcode", ""), values.get("commune", ""))
    except cells.CellError as error:
        column = header.title("postcode") or header.title("commune")
        plan.errors.append(Problem(number, column, str(error)))
        return False, None


# --- learners and their referrals ----------------------------------------------------------------

LEARNER_KEYS = [
    "first_name", "last_name", "birth_date", "gender", "email", "phone", "address", "highest_diploma",
    "last_class", "is_neet", "has_rqth", "lives_in_qpv", "france_travail_id",
]  # fmt: skip


def check_learners(*, school: School, header: Header, lines, progress: Progress | None = None) -> Plan:
    plan = Plan()
    rows = list(parse_lines(LEARNERS, header, lines, plan, progress))
    communes = Communes([values for _, values in rows])
    prescribers = {
        fold(o.name): o
        for o in Organisation.objects.filter(network_id=school.network_id, kind=OrganisationKind.PRESCRIBER)
    }
    keys = {}
    for number, values in rows:
        if values.get("birth_date") is None:
            continue
        keys[number] = identity_key(
            last_name=values["last_name"], first_name=values["first_name"], birth_date=values["birth_date"]
        )
    existing = set(
        Learner.objects.filter(school=school, identity_key__in=set(keys.values())).values_list(
            "identity_key", flat=True
        )
    )
    seen: dict[str, int] = {}
    learners = []
    for number, values in rows:
        ok = True
        data = {k: values[k] for k in LEARNER_KEYS if k in values and values[k] not in (None, "")}
        data.setdefault("highest_diploma", Diploma.NONE)
        try:
            check_learner_data(data)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                plan.errors.extend(Problem(number, header.title(key), m) for m in messages)
            ok = False
        found, commune = _commune(plan, number, header, values, communes)
        ok = ok and found
        prescriber = None
        if values.get("prescriber"):
            prescriber = prescribers.get(fold(values["prescriber"]))
            if prescriber is None:
                plan.errors.append(
                    Problem(
                        number,
                        header.title("prescriber"),
                        f"Structure prescriptrice inconnue du réseau : « {values['prescriber']} ».",
                    )
                )
                ok = False
        referred_on = values.get("referred_on")
        if referred_on and referred_on > timezone.localdate():
            plan.errors.append(
                Problem(number, header.title("referred_on"), "La date de prescription est dans le futur.")
            )
            ok = False
        key = keys.get(number)
        if key in seen:
            plan.errors.append(
                Problem(number, header.title("last_name"), f"Même personne qu'à la ligne {seen[key]}.")
            )
            continue
        if key:
            seen[key] = number
        if not ok:
            continue
        if key in existing:
            plan.unchanged += 1
            continue
        plan.created += 1
        learners.append(
            {
                "data": {**data, "commune": commune},
                "key": key,
                "prescriber": prescriber,
                "referred_on": referred_on,
                "status": values.get("status") or ReferralStatus.NEW,
            }
        )
    plan.todo = {"learners": learners}
    return plan


def _eligibility_day(school: School, default: dt.date) -> dt.date:
    """The day the age rule applies, as for a referral: the start of the next open cohort."""
    cohort = (
        Cohort.objects.filter(school=school, start_date__gte=default)
        .open_for_admission()
        .order_by("start_date")
        .first()
    )
    return cohort.start_date if cohort else default


def apply_learners(*, school: School, plan: Plan, by) -> dict[str, list[int]]:
    today, now = timezone.localdate(), timezone.now()
    day = _eligibility_day(school, today)
    learners = []
    for item in plan.todo["learners"]:
        learner = Learner(school=school, identity_key=item["key"], **item["data"])
        # The keys were checked on the whole file at once: no query per line for them here.
        learner.full_clean(
            exclude=["school", "commune", "user"], validate_unique=False, validate_constraints=False
        )
        learners.append(learner)
    Learner.objects.bulk_create(learners, batch_size=500)
    referrals = [
        Referral(
            learner=learner,
            school=school,
            prescriber_organisation=item["prescriber"],
            referred_on=item["referred_on"] or today,
            status=item["status"],
            status_changed_at=now,
            eligibility=eligibility.evaluate_learner(learner, on=day).as_dict(),
            created_by=by,
        )
        for learner, item in zip(learners, plan.todo["learners"], strict=True)
    ]
    Referral.objects.bulk_create(referrals, batch_size=500)
    derived.mark("school", [school.pk])  # no signal from a bulk write: the rollup's school
    events = [
        ReferralEvent(referral=r, to_status=r.status, by=by, at=now, note="Import d'un tableur.")
        for r in referrals
    ]
    ReferralEvent.objects.bulk_create(events, batch_size=500)
    return {
        "referrals.learner": [o.pk for o in learners],
        "referrals.referral": [o.pk for o in referrals],
        "referrals.referralevent": [o.pk for o in events],
    }


# --- partner companies, their sites and tutors -----------------------------------------------------


def check_companies(*, school: School, header: Header, lines, progress: Progress | None = None) -> Plan:
    plan = Plan()
    rows = list(parse_lines(COMPANIES, header, lines, plan, progress))
    communes = Communes([values for _, values in rows])
    companies = Organisation.objects.filter(network_id=school.network_id, kind=OrganisationKind.COMPANY)
    by_siret = {o.siret: o for o in companies if o.siret}
    by_name = {fold(o.name): o for o in companies}
    partnered = set(Partnership.objects.filter(school=school).values_list("organisation_id", flat=True))
    sites = {(s.company_id, fold(s.name)) for s in CompanySite.objects.filter(company__in=companies)}
    tutors = {
        (c.organisation_id, fold(c.full_name)) for c in Contact.objects.filter(organisation__in=companies)
    }
    new_companies: dict[str, dict] = {}  # key → what to create
    new_sites: dict[tuple, dict] = {}
    new_tutors: dict[tuple, dict] = {}
    partnerships: set = set()
    for number, values in rows:
        siret = values.get("siret", "").replace(" ", "")
        if siret:
            try:
                validate_siret(siret)
            except ValidationError as error:
                plan.errors.append(Problem(number, header.title("siret"), error.messages[0]))
                continue
        found, commune = _commune(plan, number, header, values, communes)
        if not found:
            continue
        site_name = values.get("site") or (commune.name if commune else "")
        if values.get("site") and commune is None:
            plan.errors.append(
                Problem(number, header.title("site"), "Un site a besoin de son code postal ou de sa commune.")
            )
            continue
        tutor = values.get("tutor", "")
        if tutor and len(tutor) < 3:
            plan.errors.append(
                Problem(
                    number, header.title("tutor"), "Indiquez les prénom et nom du tuteur ou de la tutrice."
                )
            )
            continue
        company = by_siret.get(siret) if siret else by_name.get(fold(values["company"]))
        ref = company.pk if company else f"siret:{siret}" if siret else f"name:{fold(values['company'])}"
        new = False
        if company is None and ref not in new_companies:
            new_companies[ref] = {"name": values["company"], "siret": siret, "commune": commune,
                                  "address": values.get("address", "") if not site_name else ""}  # fmt: skip
            new = True
        if ref not in partnered and ref not in partnerships:
            partnerships.add(ref)
            new = True
        if site_name and (ref, fold(site_name)) not in new_sites and (ref, fold(site_name)) not in sites:
            new_sites[(ref, fold(site_name))] = {"name": site_name, "commune": commune,
                                                 "address": values.get("address", "")}  # fmt: skip
            new = True
        if tutor and (ref, fold(tutor)) not in new_tutors and (ref, fold(tutor)) not in tutors:
            new_tutors[(ref, fold(tutor))] = {"full_name": tutor, "job_title": values.get("job_title", ""),
                                              "email": values.get("email", ""), "phone": values.get("phone", "")}  # fmt: skip
            new = True
        if new:
            plan.created += 1
        else:
            plan.unchanged += 1
    plan.todo = {
        "companies": new_companies,
        "partnerships": partnerships,
        "sites": new_sites,
        "tutors": new_tutors,
    }
    return plan


def apply_companies(*, school: School, plan: Plan, by) -> dict[str, list[int]]:
    made = {}
    for ref, fields in plan.todo["companies"].items():
        company = Organisation(network_id=school.network_id, kind=OrganisationKind.COMPANY, **fields)
        company.full_clean()
        company.save()
        made[ref] = company
    company_id = lambda ref: made[ref].pk if ref in made else ref  # noqa: E731
    links = [Partnership(school=school, organisation_id=company_id(ref)) for ref in plan.todo["partnerships"]]
    Partnership.objects.bulk_create(links)
    sites = []
    for (ref, _), fields in plan.todo["sites"].items():
        site = CompanySite(company_id=company_id(ref), **fields)
        site.full_clean(exclude=["company"])
        sites.append(site)
    CompanySite.objects.bulk_create(sites)
    tutors = []
    for (ref, _), fields in plan.todo["tutors"].items():
        tutor = Contact(organisation_id=company_id(ref), **fields)
        tutor.full_clean(exclude=["organisation"])
        tutors.append(tutor)
    Contact.objects.bulk_create(tutors)
    return {
        "network.organisation": [o.pk for o in made.values()],
        "network.partnership": [o.pk for o in links],
        "internships.companysite": [o.pk for o in sites],
        "network.contact": [o.pk for o in tutors],
    }


# --- cohorts and their enrolments ------------------------------------------------------------------


def check_cohorts(*, school: School, header: Header, lines, progress: Progress | None = None) -> Plan:
    """A line = a cohort of the school (by its name and start date), and one young person enrolled
    in it when the line names them (a record the school already has: import the learners first)."""
    plan = Plan()
    rows = list(parse_lines(COHORTS, header, lines, plan, progress))
    cohorts = {(fold(c.name), c.start_date): c for c in Cohort.objects.filter(school=school)}
    learners = {}
    keys = {}
    for number, values in rows:
        if values.get("last_name") and values.get("first_name") and values.get("birth_date"):
            keys[number] = identity_key(
                last_name=values["last_name"],
                first_name=values["first_name"],
                birth_date=values["birth_date"],
            )
    for learner in Learner.objects.filter(school=school, identity_key__in=set(keys.values())):
        learners[learner.identity_key] = learner
    enrolled = set(Enrolment.objects.filter(cohort__school=school).values_list("cohort_id", "learner_id"))
    active = set(
        Enrolment.objects.filter(learner__in=learners.values(), status=EnrolmentStatus.ACTIVE).values_list(
            "learner_id", flat=True
        )
    )
    new_cohorts: dict[tuple, dict] = {}
    new_enrolments: dict[tuple, dict] = {}
    counts: dict[tuple, int] = defaultdict(int)
    for number, values in rows:
        start, end = values["start_date"], values["end_date"]
        if end <= start or (end - start).days > 366:
            plan.errors.append(
                Problem(number, header.title("end_date"), "La fin doit suivre le début, d'un an au plus.")
            )
            continue
        ref = (fold(values["cohort"]), start)
        cohort = cohorts.get(ref)
        capacity = values.get("capacity") or (cohort.capacity if cohort else school.default_cohort_capacity)
        if not 1 <= capacity <= 30:
            plan.errors.append(
                Problem(number, header.title("capacity"), "Une promotion compte de 1 à 30 places.")
            )
            continue
        new = False
        if cohort is None and ref not in new_cohorts:
            new_cohorts[ref] = {
                "name": values["cohort"],
                "start_date": start,
                "end_date": end,
                "capacity": capacity,
            }
            new = True
        person = [values.get(k) for k in ("last_name", "first_name", "birth_date")]
        if any(person) and not all(person):
            plan.errors.append(
                Problem(number, header.title("last_name") or header.title("cohort"),
                        "Pour inscrire un ou une jeune : nom, prénom et date de naissance.")
            )  # fmt: skip
            continue
        if all(person):
            learner = learners.get(keys[number])
            if learner is None:
                plan.errors.append(
                    Problem(number, header.title("last_name"),
                            "Jeune inconnu·e de l'école : importez d'abord les jeunes et leurs prescriptions.")
                )  # fmt: skip
                continue
            status = values.get("status") or EnrolmentStatus.ACTIVE
            key = (ref, learner.pk)
            if key in new_enrolments:
                plan.errors.append(Problem(number, header.title("last_name"), "Même inscription plus haut."))
                continue
            if not (cohort and (cohort.pk, learner.pk) in enrolled):
                if status == EnrolmentStatus.ACTIVE and learner.pk in active:
                    plan.errors.append(
                        Problem(number, header.title("last_name"),
                                "Ce ou cette jeune est déjà en formation dans une promotion.")
                    )  # fmt: skip
                    continue
                if status == EnrolmentStatus.ACTIVE:
                    active.add(learner.pk)
                    counts[ref] += 1
                    taken = cohort.active_enrolment_count() if cohort else 0
                    if taken + counts[ref] > capacity:
                        plan.errors.append(
                            Problem(number, header.title("cohort"), "La promotion est complète.")
                        )
                        continue
                entry = values.get("entry_date") or start
                new_enrolments[key] = {"learner": learner, "status": status, "entry_date": entry,
                                       "end_date": end if status != EnrolmentStatus.ACTIVE else None}  # fmt: skip
                new = True
        if new:
            plan.created += 1
        else:
            plan.unchanged += 1
    plan.todo = {"cohorts": new_cohorts, "enrolments": new_enrolments, "existing": cohorts}
    return plan


def apply_cohorts(*, school: School, plan: Plan, by) -> dict[str, list[int]]:
    framework = Framework.objects.current_for(school.trade)
    made = {}
    for ref, fields in plan.todo["cohorts"].items():
        cohort = Cohort(school=school, trade=school.trade, framework=framework, **fields)
        cohort.full_clean()
        cohort.save()
        made[ref] = cohort
    cohorts = {**plan.todo["existing"], **made}
    enrolments = [
        Enrolment(cohort=cohorts[ref], created_by=by, **fields)
        for (ref, _), fields in plan.todo["enrolments"].items()
    ]
    Enrolment.objects.bulk_create(enrolments)
    derived.mark("school", [school.pk])  # no signal from a bulk write: the rollup's school
    return {"cohorts.cohort": [c.pk for c in made.values()], "cohorts.enrolment": [e.pk for e in enrolments]}


# --- exits and follow-ups ---------------------------------------------------------------------------

# Which column a refusal of `outcomes` names.
EXIT_FIELDS = {"exit_date": "exit_date", "exit_type": "exit_type", "employer": "employer",
               "employer_name": "employer"}  # fmt: skip


def _named_enrolments(mine: list, values: dict, plan: Plan, number: int, column: str) -> list | None:
    """The learner's enrolments in the line's cohort (all of them when it names none), or None once
    the line's problem is noted: no enrolment in that cohort, or none at all."""
    if values.get("cohort"):
        mine = [e for e in mine if fold(e.cohort.name) == fold(values["cohort"])]
        if not mine:
            plan.errors.append(
                Problem(number, column,
                        f"Ce ou cette jeune n'est pas inscrit·e dans la promotion « {values['cohort']} ».")
            )  # fmt: skip
            return None
    if not mine:
        plan.errors.append(
            Problem(number, column,
                    "Ce ou cette jeune n'est inscrit·e dans aucune promotion de l'école : importez "
                    "d'abord les promotions et inscriptions.")
        )  # fmt: skip
        return None
    return mine


def check_exits(*, school: School, header: Header, lines, progress: Progress | None = None) -> Plan:
    """A line = the exit of an enrolment that ended (a young person the school knows, in a cohort of
    the school), with the rules of `outcomes` (`exit_fields_check`), and the follow-ups the file gives. An
    enrolment whose exit is already the same (type and date) is unchanged; another exit is a problem:
    an import never overwrites."""
    plan = Plan()
    rows = list(parse_lines(EXITS, header, lines, plan, progress))
    keys = {
        number: identity_key(
            last_name=values["last_name"], first_name=values["first_name"], birth_date=values["birth_date"]
        )
        for number, values in rows
    }
    learners = {
        learner.identity_key: learner
        for learner in Learner.objects.filter(school=school, identity_key__in=set(keys.values()))
    }
    enrolments = defaultdict(list)
    for enrolment in (
        Enrolment.objects.filter(cohort__school=school, learner__in=learners.values())
        .select_related("cohort__school", "learner")
        .order_by("entry_date", "pk")
    ):
        enrolments[enrolment.learner_id].append(enrolment)
    exits = {e.enrolment_id: e for e in Exit.objects.filter(enrolment__cohort__school=school,
                                                             enrolment__learner__in=learners.values())}  # fmt: skip
    companies = {
        fold(o.name): o
        for o in Organisation.objects.filter(
            network_id=school.network_id, kind=OrganisationKind.COMPANY, partnerships__school=school
        )
    }
    seen: dict[int, int] = {}
    todo = []
    today = timezone.localdate()
    for number, values in rows:
        learner = learners.get(keys[number])
        if learner is None:
            plan.errors.append(
                Problem(number, header.title("last_name"),
                        "Jeune inconnu·e de l'école : importez d'abord les jeunes et leurs prescriptions.")
            )  # fmt: skip
            continue
        column = header.title("cohort") or header.title("last_name")
        mine = _named_enrolments(enrolments[learner.pk], values, plan, number, column)
        if mine is None:
            continue
        if len(mine) > 1:
            plan.errors.append(
                Problem(number, column,
                        f"Ce ou cette jeune a {len(mine)} inscriptions : indiquez la promotion de cette sortie.")
            )  # fmt: skip
            continue
        enrolment = mine[0]
        if enrolment.pk in seen:
            plan.errors.append(
                Problem(number, header.title("last_name"), f"Même sortie qu'à la ligne {seen[enrolment.pk]}.")
            )
            continue
        seen[enrolment.pk] = number
        exit_type, exit_date = values["exit_type"], values["exit_date"]
        existing = exits.get(enrolment.pk)
        if existing is not None:
            if (existing.exit_type, existing.exit_date) == (exit_type, exit_date):
                plan.unchanged += 1
            else:
                plan.errors.append(
                    Problem(number, header.title("exit_type"),
                            f"Une autre sortie est déjà renseignée pour cette inscription "
                            f"({existing.get_exit_type_display()} le {existing.exit_date:%d/%m/%Y}) : "
                            "l'import ne l'écrase pas, corrigez-la sur sa fiche.")
                )  # fmt: skip
            continue
        if enrolment.status not in outcomes.ENDED or enrolment.end_date is None:
            plan.errors.append(
                Problem(number, column,
                        f"Ce parcours n'est pas terminé (inscription « {enrolment.get_status_display()} ») : "
                        "une sortie se renseigne quand l'inscription se termine (parcours terminé ou abandon).")
            )  # fmt: skip
            continue
        name = values.get("employer", "")
        employer = companies.get(fold(name)) if name and exit_type in EMPLOYMENT_TYPES else None
        try:
            fields = outcomes.exit_fields_check(
                enrolment=enrolment, exit_type=exit_type, exit_date=exit_date, employer=employer,
                employer_name="" if employer else name, rome_code="", weekly_hours=None,
                hired_by_internship_host=None, comment="",
            )  # fmt: skip
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                title = header.title(EXIT_FIELDS.get(key, "")) or header.title("exit_type")
                plan.errors.extend(Problem(number, title, m) for m in messages)
            continue
        follow_ups, ok = {}, True
        for horizon in FollowUpHorizon.values:
            situation = values.get(f"follow_up_{horizon}")
            if not situation:
                continue
            opens = outcomes.due_on(exit_date, horizon) - dt.timedelta(days=outcomes.OPENS_DAYS_BEFORE)
            if today < opens:
                plan.errors.append(
                    Problem(number, header.title(f"follow_up_{horizon}"),
                            f"Le suivi à {horizon} mois se renseigne à partir du {opens:%d/%m/%Y}.")
                )  # fmt: skip
                ok = False
            follow_ups[horizon] = situation
        if not ok:
            continue
        plan.created += 1
        todo.append({"enrolment": enrolment, "fields": fields, "follow_ups": follow_ups})
    plan.todo = {"exits": todo}
    return plan


def apply_exits(*, school: School, plan: Plan, by) -> dict[str, list[int]]:
    """Through the services of `outcomes`, line by line (a school's history: hundreds of lines, not
    thousands): each exit recorded by the importing person, with its four follow-ups, and the
    follow-ups the file gives answered by the school's team."""
    if by is None:
        raise ValidationError(
            "Une sortie est enregistrée par une personne de l'école : indiquez qui importe."
        )
    exits, follow_ups = [], []
    for item in plan.todo["exits"]:
        fields = item["fields"]
        exit = outcomes.exit_record(
            item["enrolment"], by=by, exit_type=fields["exit_type"], exit_date=fields["exit_date"],
            employer=fields["employer"], employer_name=fields["employer_name"],
        )  # fmt: skip
        exits.append(exit.pk)
        for follow_up in exit.follow_ups.all():
            follow_ups.append(follow_up.pk)
            if follow_up.horizon in item["follow_ups"]:
                outcomes.follow_up_record(
                    follow_up, by=by, source=FollowUpSource.SOCIAL_WORKER,
                    situation_type=item["follow_ups"][follow_up.horizon],
                )  # fmt: skip
    return {"outcomes.exit": exits, "outcomes.followup": follow_ups}


def exits_blockers(job) -> list[str]:
    """An import of exits is undone only while its exits are as imported: none corrected since, no
    follow-up answered since by anyone (the nightly « sans nouvelles » answers nobody)."""
    ids = dict(job.created_objects).get("outcomes.exit", [])
    blockers = [
        f"sortie « {e} » corrigée depuis"
        for e in Exit.objects.filter(pk__in=ids, updated_at__gt=job.finished_at).select_related(
            "enrolment__learner"
        )
    ]
    answered = FollowUp.objects.filter(exit_id__in=ids, answered_at__gt=job.finished_at).exclude(
        source=FollowUpSource.SYSTEM
    )
    blockers += [
        f"suivi « {f} » renseigné depuis" for f in answered.select_related("exit__enrolment__learner")
    ]
    return blockers


# --- attendance history: hours per learner and month ---------------------------------------------


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def check_attendance(*, school: School, header: Header, lines, progress: Progress | None = None) -> Plan:
    """A line = the hours of one young person in one month, from the school's former spreadsheet:
    the enrolment of a learner the school knows (the rule of referrals), in the cohort the line
    names or the one whose dates hold the month. A month already recorded with the same figures is
    unchanged; with other figures it is a problem (an import never overwrites: undo the import that
    brought it, then import the corrected file). A month whose sheets carry marks for the cohort is
    refused: the signed sheets and the history never count the same hours twice."""
    plan = Plan()
    rows = list(parse_lines(ATTENDANCE, header, lines, plan, progress))
    keys = {
        number: identity_key(
            last_name=values["last_name"], first_name=values["first_name"], birth_date=values["birth_date"]
        )
        for number, values in rows
    }
    learners = {
        learner.identity_key: learner
        for learner in Learner.objects.filter(school=school, identity_key__in=set(keys.values()))
    }
    enrolments = defaultdict(list)
    for enrolment in (
        Enrolment.objects.filter(cohort__school=school, learner__in=learners.values())
        .select_related("cohort")
        .order_by("entry_date", "pk")
    ):
        enrolments[enrolment.learner_id].append(enrolment)
    cohort_ids = {e.cohort_id for mine in enrolments.values() for e in mine}
    marked = set(
        Attendance.objects.filter(session__cohort_id__in=cohort_ids)
        .annotate(month=TruncMonth("session__date"))
        .values_list("session__cohort_id", "month")
        .distinct()
    )
    existing = {
        (h.enrolment_id, h.month): h
        for h in AttendanceHistory.objects.filter(
            enrolment__in=[e for mine in enrolments.values() for e in mine]
        )
    }
    today = timezone.localdate()
    seen: dict[tuple, int] = {}
    todo = []
    for number, values in rows:
        learner = learners.get(keys[number])
        if learner is None:
            plan.errors.append(
                Problem(number, header.title("last_name"),
                        "Jeune inconnu·e de l'école : importez d'abord les jeunes et leurs prescriptions.")
            )  # fmt: skip
            continue
        month = values["month"]
        month_column = header.title("month")
        if month > today:
            plan.errors.append(
                Problem(number, month_column, f"Le mois {month:%m/%Y} n'est pas encore commencé.")
            )
            continue
        column = header.title("cohort") or header.title("last_name")
        mine = _named_enrolments(enrolments[learner.pk], values, plan, number, column)
        if mine is None:
            continue
        last = _month_end(month)
        within = [e for e in mine if e.entry_date <= last and (e.end_date or e.cohort.end_date) >= month]
        if not within:
            enrolment = mine[0] if len(mine) == 1 else None
            span = (
                f"du {enrolment.entry_date:%d/%m/%Y} au {(enrolment.end_date or enrolment.cohort.end_date):%d/%m/%Y}"
                if enrolment
                else "dans aucune de ses inscriptions"
            )
            plan.errors.append(
                Problem(number, month_column,
                        f"Le mois {month:%m/%Y} est hors de la formation de ce ou cette jeune ({span}).")
            )  # fmt: skip
            continue
        if len(within) > 1:
            plan.errors.append(
                Problem(number, column,
                        f"Ce ou cette jeune a {len(within)} inscriptions ce mois-là : indiquez la promotion.")
            )  # fmt: skip
            continue
        enrolment = within[0]
        figures = {
            "attended_hours": values["attended_hours"],
            "excused_hours": values.get("excused_hours") or Decimal(0),
            "unexcused_hours": values.get("unexcused_hours") or Decimal(0),
        }
        limit = last.day * MAX_HOURS_A_DAY
        if sum(figures.values()) > limit:
            plan.errors.append(
                Problem(number, header.title("attended_hours"),
                        f"Plus d'heures que le mois n'en compte : {limit} h au plus en {month:%m/%Y} "
                        f"({MAX_HOURS_A_DAY} h par jour), présences et absences comprises.")
            )  # fmt: skip
            continue
        key = (enrolment.pk, month)
        if key in seen:
            plan.errors.append(Problem(number, month_column, f"Même mois qu'à la ligne {seen[key]}."))
            continue
        seen[key] = number
        if (enrolment.cohort_id, month) in marked:
            plan.errors.append(
                Problem(number, month_column,
                        f"La promotion « {enrolment.cohort.name} » a déjà des feuilles d'émargement en "
                        f"{month:%m/%Y} : ce mois se lit sur les feuilles, pas dans l'historique.")
            )  # fmt: skip
            continue
        known = existing.get(key)
        if known is not None:
            same = all(getattr(known, name) == value for name, value in figures.items())
            if same:
                plan.unchanged += 1
            else:
                plan.errors.append(
                    Problem(number, header.title("attended_hours"),
                            f"Le mois {month:%m/%Y} est déjà importé avec d'autres heures "
                            f"({known.attended_hours} h suivies, {known.excused_hours} h d'absence justifiée, "
                            f"{known.unexcused_hours} h d'absence injustifiée) : l'import ne l'écrase pas ; "
                            "annulez l'import qui l'a apporté puis importez le fichier corrigé.")
                )  # fmt: skip
            continue
        plan.created += 1
        todo.append({"enrolment": enrolment, "month": month, **figures})
    plan.todo = {"months": todo}
    return plan


def apply_attendance(*, school: School, plan: Plan, by) -> dict[str, list[int]]:
    rows = [AttendanceHistory(**item) for item in plan.todo["months"]]
    AttendanceHistory.objects.bulk_create(rows, batch_size=500)
    derived.mark("school", [school.pk])  # no signal from a bulk write: the rollup's school
    return {"cohorts.attendancehistory": [row.pk for row in rows]}


def attendance_blockers(job) -> list[str]:
    """An import of history is undone only while no OPCO invoice made since counts its hours: an
    invoice (not rejected) of one of its cohorts whose period holds one of its months."""
    ids = dict(job.created_objects).get("cohorts.attendancehistory", [])
    months = (
        AttendanceHistory.objects.filter(pk__in=ids).values_list("enrolment__cohort_id", "month").distinct()
    )
    blockers = []
    by_cohort = defaultdict(list)
    for cohort_id, month in months:
        by_cohort[cohort_id].append(month)
    invoices = (
        OpcoInvoice.objects.filter(funding__cohort_id__in=by_cohort, created_at__gt=job.finished_at)
        .exclude(status=InvoiceStatus.REJECTED)
        .select_related("funding__cohort")
    )
    for invoice in invoices:
        if any(invoice.period_start <= m <= invoice.period_end for m in by_cohort[invoice.funding.cohort_id]):
            blockers.append(
                f"facture OPCO du {invoice.period_start:%d/%m/%Y} au {invoice.period_end:%d/%m/%Y} "
                f"de « {invoice.funding.cohort.name} », qui compte ces heures"
            )
    return blockers


KINDS = {
    "learners": (LEARNERS, check_learners, apply_learners),
    "companies": (COMPANIES, check_companies, apply_companies),
    "cohorts": (COHORTS, check_cohorts, apply_cohorts),
    "exits": (EXITS, check_exits, apply_exits),
    "attendance": (ATTENDANCE, check_attendance, apply_attendance),
}
