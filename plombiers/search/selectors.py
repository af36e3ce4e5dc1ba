"""The global search's reads: young people, companies, cohorts, each strictly within
`visible_to(user)`, in a fixed number of queries whatever the number of records.

The matching rule, the same for every group: the query is folded (`plombiers.lib.text.fold`: case,
accents, hyphens and apostrophes do not matter) and cut into words; a record matches when each word
is found in its folded name, in any order (« ines arn » finds « Inès Arnaud »).

- Young people: their names are plain columns, and `Learner.identity_key` already holds them folded
  (« nom|prénom|date de naissance », the key of the duplicate checks): the words are filtered in SQL,
  as the learner list and the API do (`identity_key__contains`), on SQLite as on PostgreSQL.
- Companies (and their sites) and cohorts have no folded column: the names visible to the person are
  read in one query (identifier and name only: a network holds hundreds, not millions), matched in
  Python with the same `fold`, and the page's rows read in one more query.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch

from plombiers.cohorts.models import Cohort, Enrolment
from plombiers.internships.models import CompanySite
from plombiers.lib.text import fold
from plombiers.network.enums import OrganisationKind
from plombiers.network.models import Organisation
from plombiers.referrals.models import Learner

#: Fewer characters than this and nothing is searched.
MIN_LENGTH = 2
#: The results of each group shown under the header's field and on the results page.
GROUP_SIZE = 5
#: The results of one group per page, when the person asks for all of it.
PAGE_SIZE = 25
#: An anonymised record (`plombiers.rights.purge`) has no name left to find.
ANONYMISED_PREFIX = "anonyme|"


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    # « Voir les 12 jeunes »: the noun in the plural.
    noun: str
    hits: list[Hit]
    count: int
    page: Page


def words_of(query: str) -> list[str]:
    """The folded words of a query (`|` separates the parts of an identity key: never a word)."""
    return fold(query.replace("|", " ")).split()


def is_too_short(query: str) -> bool:
    return len("".join(words_of(query))) < MIN_LENGTH


def _matches(words: list[str], name: str) -> bool:
    folded = fold(name)
    return all(word in folded for word in words)


# --- young people ----------------------------------------------------------------------------------


def _learners(user, words: list[str]):
    learners = Learner.objects.visible_to(user).exclude(identity_key__startswith=ANONYMISED_PREFIX)
    for word in words:
        learners = learners.filter(identity_key__contains=word)
    return (
        learners.select_related("school")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.visible_to(user)
                .select_related("cohort")
                .order_by("-cohort__start_date", "-pk"),
                to_attr="visible_enrolments",
            )
        )
        .order_by("last_name", "first_name", "pk")
    )


def _learner_hit(learner: Learner) -> Hit:
    cohorts = [enrolment.cohort.name for enrolment in learner.visible_enrolments[:1]]
    return Hit(
        label=f"{learner.first_name} {learner.last_name}",
        detail=" · ".join([*cohorts, learner.school.name]),
        url=learner.get_absolute_url(),
    )


def learner_group(user, words: list[str], *, per_page: int, number=1) -> Group:
    """Queries: the count, the page's rows with their school, their visible enrolments."""
    page = Paginator(_learners(user, words), per_page).get_page(number)
    return Group(
        key="jeunes",
        title="Jeunes",
        noun="jeunes",
        hits=[_learner_hit(learner) for learner in page.object_list],
        count=page.paginator.count,
        page=page,
    )


# --- companies and their sites ---------------------------------------------------------------------


def company_group(user, words: list[str], *, per_page: int, number=1) -> Group:
    """Queries: the visible companies' names, their visible sites' names, the page's rows."""
    companies = Organisation.objects.visible_to(user).filter(kind=OrganisationKind.COMPANY)
    names = dict(companies.values_list("pk", "name"))
    sites: dict[int, list[str]] = {}
    for company_id, name in (
        CompanySite.objects.visible_to(user)
        .filter(company__in=companies)
        .order_by("name", "pk")
        .values_list("company_id", "name")
    ):
        if _matches(words, name):
            sites.setdefault(company_id, []).append(name)
    found = sorted(
        (pk for pk, name in names.items() if pk in sites or _matches(words, name)),
        key=lambda pk: (fold(names[pk]), pk),
    )
    page = Paginator(found, per_page).get_page(number)
    rows = Organisation.objects.select_related("commune").in_bulk(list(page.object_list))
    hits = []
    for pk in page.object_list:
        company = rows[pk]
        detail = [company.commune.name] if company.commune else []
        if pk in sites:
            detail.append(f"site{'s' if len(sites[pk]) > 1 else ''} : {', '.join(sites[pk])}")
        hits.append(Hit(label=company.name, detail=" · ".join(detail), url=company.get_absolute_url()))
    return Group(
        key="entreprises", title="Entreprises", noun="entreprises", hits=hits, count=len(found), page=page
    )


# --- cohorts ---------------------------------------------------------------------------------------


def cohort_group(user, words: list[str], *, per_page: int, number=1) -> Group:
    """Queries: the visible cohorts' names, the page's rows with their school."""
    names = dict(Cohort.objects.visible_to(user).values_list("pk", "name"))
    found = sorted(
        (pk for pk, name in names.items() if _matches(words, name)), key=lambda pk: (fold(names[pk]), pk)
    )
    page = Paginator(found, per_page).get_page(number)
    rows = Cohort.objects.select_related("school").in_bulk(list(page.object_list))
    hits = [
        Hit(
            label=rows[pk].name,
            detail=f"{rows[pk].school.name} · {rows[pk].get_status_display()}",
            url=rows[pk].get_absolute_url(),
        )
        for pk in page.object_list
    ]
    return Group(
        key="promotions", title="Promotions", noun="promotions", hits=hits, count=len(found), page=page
    )


GROUPS = {"jeunes": learner_group, "entreprises": company_group, "promotions": cohort_group}


def search(user, query: str, *, group: str = "", number=1) -> list[Group]:
    """Every group, `GROUP_SIZE` results each; or one group (`group`), `PAGE_SIZE` a page. Call it
    only for a person who `may_search` and a query that is not `is_too_short`."""
    words = words_of(query)
    if group:
        return [GROUPS[group](user, words, per_page=PAGE_SIZE, number=number)]
    return [finder(user, words, per_page=GROUP_SIZE) for finder in GROUPS.values()]
