"""The matching benchmarks (issue 7): one young person against the open offers (goal < 100 ms),
every young person in training against them (goal < 60 s on 2 cores), and the same with twice as
many offers (goal: at most twice the time).

Floors, measured in the same run: reading the same rows without scoring them (one young person:
the offers of the bounding box and their skills; everybody: all the offers, young people and
acquired skills, loaded into arrays). The doubling's floor is the 50,000-offer figure itself, so
that its ratio is the doubling ratio.
"""

from plombiers.internships import matching

from .harness import Measure, benchmark, measure

ONE_GOAL_MS = 100
ALL_GOAL_S = 60


def _one(enrolment):
    return lambda: matching.learner_matches(enrolment)


def _read_one(enrolment):
    """The floor: the same rows read by Django alone, without scoring them."""
    box = matching.offers_near(matching._learners(type(enrolment).objects.filter(pk=enrolment.pk)))
    fields = (
        "pk",
        "latitude",
        "longitude",
        "driving_licence_required",
        "start_date",
        "kind",
        "required_skills",
    )

    def read():
        return list(box.order_by("pk").values_list(*fields))

    return read, box


def _all():
    def run():
        count = 0
        for _, matches in matching.learners_matches():
            count += len(matches)
        return count

    return run


def _read_all():
    offers = matching._offers(matching.open_offers())
    enrolments = matching.current_enrolments()
    learners = matching._learners(enrolments)
    matching._acquire(learners, enrolments, offers.skills)


@benchmark("matching")
def matching_benchmarks(ctx) -> list[Measure]:
    data = ctx.data.matching
    sizes = ctx.data.sizes
    enrolment = type(data.sample).objects.select_related("learner__commune").get(pk=data.sample.pk)
    data.open_half_b(False)  # after an interrupted run
    open_count = matching.open_offers().count()
    learners = matching.current_enrolments().filter(learner__commune__latitude__isnull=False).count()
    read, box = _read_one(enrolment)

    one = Measure(
        "matching_one_learner",
        f"Appariement d'un·e jeune (Paris, 30 km) avec {open_count} offres ouvertes",
        floor_name="lecture des mêmes lignes par Django seul (offres de la boîte et compétences), sans calcul",
        details={"open_offers": open_count, "offers_read": box.count()},
    )
    one.timing = measure(_one(enrolment), repeat=ctx.repeat)
    one.floor = measure(read, repeat=ctx.repeat)
    one.details["matches"] = len(matching.learner_matches(enrolment))
    one.note = _goal(one.timing.median_ms, ONE_GOAL_MS, "ms")

    batch_repeat = max(min(ctx.repeat, 3), 1)
    everybody = Measure(
        "matching_all_learners",
        f"Appariement de {learners} jeunes avec {open_count} offres ouvertes (par blocs)",
        floor_name="chargement seul des mêmes données en tableaux",
        details={"learners": learners, "open_offers": open_count, "matches": _all()()},
    )
    everybody.timing = measure(_all(), repeat=batch_repeat, warmup=0)
    everybody.floor = measure(_read_all, repeat=batch_repeat, warmup=0)
    everybody.note = _goal(everybody.timing.median_ms / 1000, ALL_GOAL_S, "s")

    data.open_half_b(True)
    try:
        doubled = matching.open_offers().count()
        double = Measure(
            "matching_doubling",
            f"Appariement de {learners} jeunes avec {doubled} offres ouvertes (deux fois plus)",
            floor_name=f"la même mesure à {open_count} offres",
            details={"open_offers": doubled, "offers": sizes.offers},
        )
        double.timing = measure(_all(), repeat=batch_repeat, warmup=0)
        double.floor = everybody.timing
        one_doubled = measure(_one(enrolment), repeat=ctx.repeat)
        double.details["one_learner_median_ms"] = round(one_doubled.median_ms, 3)
        double.details["one_learner_ratio"] = round(one_doubled.median_ms / one.timing.median_ms, 2)
        ratio = double.ratio
        double.note = (
            f"doubler les offres multiplie le temps par ×{ratio:.2f} pour tou·tes les jeunes (objectif ≤ ×2) : "
            + ("atteint" if ratio <= 2 else "NON ATTEINT")
            + f" ; par ×{double.details['one_learner_ratio']:.2f} pour un·e seul·e jeune"
        )
    finally:
        data.open_half_b(False)
    return [one, everybody, double]


def _goal(value: float, goal: float, unit: str) -> str:
    verdict = "atteint" if value < goal else "NON ATTEINT"
    return f"{value:.1f} {unit} (objectif < {goal} {unit}) : {verdict}"
