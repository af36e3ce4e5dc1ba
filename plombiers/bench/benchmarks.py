"""The benchmarks of the suite (one function per key page or endpoint)."""

from django.urls import NoReverseMatch, reverse

from .harness import HttpError, Measure, benchmark, measure_beside


def floor_url(rows: int, cols: int) -> str:
    return reverse("bench_floor", args=[rows, cols])


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
    """The referral list page and API of a school with many referrals (a page of 25)."""
    data = ctx.data
    client = ctx.client(data.manager)
    n = ctx.counts["referrals"]
    floor = floor_url(25, 6)
    measures = []
    for name, label, url in [
        (
            "referral_list_page",
            f"Page /prescriptions/ ({n} prescriptions)",
            reverse("referrals:referral_list"),
        ),
        ("referral_list_api", f"GET /api/v1/referrals ({n} prescriptions)", "/api/v1/referrals"),
    ]:
        result = Measure(name, label, floor_name="vue Django nue, tableau de 25 × 6", details={"url": url})
        try:
            result.timing, result.floor = measure_beside(
                lambda url=url: client.get(url), lambda: client.get(floor), repeat=ctx.repeat
            )
        except HttpError as error:
            result.status = f"indisponible ({error} sur {url})"
        measures.append(result)
    return measures
