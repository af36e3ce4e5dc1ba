"""The benchmarks of the suite (one function per key page or endpoint)."""

from django.urls import NoReverseMatch, reverse

from .harness import HttpError, Measure, benchmark, measure_beside


def floor_url(rows: int, cols: int) -> str:
    return reverse("bench_floor", args=[rows, cols])


def json_floor_url(items: int, fields: int) -> str:
    return reverse("bench_floor_json", args=[items, fields])


@benchmark("cohort_matrix")
def cohort_matrix(ctx) -> list[Measure]:
    """The trainer's competency matrix (issue 4) beside a bare view rendering a table of the same size."""
    data = ctx.data
    sizes = data.sizes
    result = Measure(
        "cohort_matrix",
        f"Matrice de compétences : {sizes.learners} jeunes × {sizes.skills} compétences, "
        f"{sizes.history} observations par case",
        floor_name="vue Django nue, même tableau",
        details={"observations_in_cohort": ctx.counts["matrix_observations"]},
    )
    try:
        url = reverse("skills:cohort_matrix", args=[data.matrix_cohort.pk])
    except NoReverseMatch:
        result.status = "indisponible (la page skills:cohort_matrix n'existe pas encore)"
        return [result]
    client = ctx.client(data.trainer)
    result.details["url"] = url
    floor = floor_url(sizes.learners, sizes.skills)
    try:
        # In alternation with its floor (`measure_beside`): a change of load slows both alike.
        result.timing, result.floor = measure_beside(
            lambda: client.get(url), lambda: client.get(floor), repeat=ctx.repeat
        )
    except HttpError as error:
        result.status = f"indisponible ({error} sur {url})"
    return [result]


@benchmark("referrals")
def referrals(ctx) -> list[Measure]:
    """The referral list page (25 a page) and API (100 a page, 12 values each) of a school with many
    referrals, each beside a bare view of the same size: an HTML table, a JSON list."""
    data = ctx.data
    client = ctx.client(data.manager)
    n = ctx.counts["referrals"]
    measures = []
    for name, label, url, floor, floor_name in [
        (
            "referral_list_page",
            f"Page /prescriptions/ ({n} prescriptions)",
            reverse("referrals:referral_list"),
            floor_url(25, 6),
            "vue Django nue, tableau de 25 × 6",
        ),
        (
            "referral_list_api",
            f"GET /api/v1/referrals ({n} prescriptions)",
            "/api/v1/referrals",
            json_floor_url(100, 12),
            "vue Django nue, liste JSON de 100 × 12 valeurs",
        ),
    ]:
        result = Measure(name, label, floor_name=floor_name, details={"url": url})
        try:
            result.timing, result.floor = measure_beside(
                lambda url=url: client.get(url), lambda floor=floor: client.get(floor), repeat=ctx.repeat
            )
        except HttpError as error:
            result.status = f"indisponible ({error} sur {url})"
        measures.append(result)
    return measures
