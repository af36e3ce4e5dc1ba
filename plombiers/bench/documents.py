"""The documents benchmarks (issue 6): a cohort's full set and 1,000 certificats de réalisation
with Typst, and the same certificat rendered by WeasyPrint from an equivalent HTML template, in
the same run. WeasyPrint is a benchmark-only extra (`pip install -e '.[bench]'`, done by `make
bench`): it is imported here, inside the function, never by the application.
"""

import time

from django.template.loader import render_to_string

from plombiers.documents import services as documents
from plombiers.referrals.models import Learner

from .harness import Measure, Timing, benchmark, measure


def _samples(call, repeat: int) -> Timing:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


@benchmark("documents")
def documents_benchmarks(ctx) -> list[Measure]:
    data, sizes = ctx.data, ctx.data.sizes
    cohort = data.documents_cohort
    enrolments = list(cohort.enrolments.order_by("pk"))
    files = documents.cohort_documents_files(cohort=cohort)
    weeks = sum(1 for name, _ in files if name.startswith("emargement/"))

    # 1. The full set of the cohort, as the ZIP a manager downloads, beside reading its data alone.
    full_set = Measure(
        "documents_cohort_set",
        f"Dossier complet d'une promotion (ZIP, Typst) : {len(enrolments)} jeunes, {weeks} semaines, "
        f"{len(files)} PDF",
        floor_name="lecture seule des mêmes données (mêmes requêtes, sans rendu)",
        details={
            "files": len(files),
            "zip_bytes": len(documents.cohort_documents_zip(cohort=cohort)),
            "attendances": ctx.counts["documents_attendances"],
        },
    )
    set_repeat = max(min(ctx.repeat, 5), 1)
    full_set.timing = measure(
        lambda: documents.cohort_documents_zip(cohort=cohort), repeat=set_repeat, warmup=1
    )

    def read_only():
        loaded = documents.CohortData.load(cohort)
        for part in ("sessions", "enrolments", "marks", "skills", "levels", "provider"):
            getattr(loaded, part)

    full_set.floor = measure(read_only, repeat=set_repeat, warmup=1)

    # 2. 1,000 certificats de réalisation, each a PDF of its own, for 1,000 different people: Typst
    # memoizes a compilation whose inputs it has already seen, so a certificat repeated would be
    # nearly free and flatter the figure. The cohort's data is read once (as for a bulk export).
    n = sizes.certificates
    loaded = documents.CohortData.load(cohort)
    template = documents._completion_data(loaded, enrolments[:1])
    hours = [documents.duration_fr(loaded.hours_of(e).attended) for e in loaded.enrolments] or ["0 h"]
    names = list(Learner.objects.order_by("pk").values_list("first_name", "last_name")[: n + ctx.repeat])
    people = [f"{first} {last.upper()}" for first, last in names]
    people += [f"Stagiaire {i:05d}" for i in range(len(people), n + ctx.repeat)]

    def certificate(i: int) -> dict:
        item = {**template["items"][0], "learner": people[i], "hours": hours[i % len(hours)]}
        return {**template, "items": [item]}

    contents = [certificate(i) for i in range(n + ctx.repeat)]
    batch = Measure(
        "certificates_typst",
        f"{n} certificats de réalisation avec Typst (un PDF chacun, {n} personnes différentes)",
        details={"certificates": n},
    )
    runs = iter(range(10**6))

    def thousand():
        # Each run renders other people (a name never seen by the compiler): no cache flatters it.
        suffix = f" {next(runs)}"
        for content in contents[:n]:
            item = {**content["items"][0], "learner": content["items"][0]["learner"] + suffix}
            documents.render("certificat.typ", {**content, "items": [item]})

    batch.timing = measure(thousand, repeat=max(min(ctx.repeat, 3), 1), warmup=0)
    batch.details["per_certificate_ms"] = round(batch.timing.median_ms / n, 3)

    # 3. One certificat: Typst beside WeasyPrint on the same data, a different person each time.
    versus = Measure(
        "certificate_typst_vs_weasyprint",
        "Un certificat de réalisation, rendu seul : Typst (mesure) et WeasyPrint (référence)",
        floor_name="WeasyPrint, même certificat depuis un gabarit HTML équivalent",
    )
    samples = iter(contents[n:] * 1000)
    versus.timing = _samples(lambda: documents.render("certificat.typ", next(samples)), ctx.repeat)
    try:
        import weasyprint
    except ImportError:
        versus.status = "indisponible (weasyprint absent : « make bench » installe l'extra bench)"
        versus.timing = None
        return [full_set, batch, versus]

    weasy_samples = iter(contents[n:] * 1000)

    def weasy():
        content = next(weasy_samples)
        context = {"data": content, "item": content["items"][0]}
        html = render_to_string("bench/certificat_weasyprint.html", context)
        return weasyprint.HTML(string=html).write_pdf()

    weasy()  # warm-up: fonts and CSS
    versus.floor = _samples(weasy, max(min(ctx.repeat, 10), 2))
    speedup = versus.floor.median_ms / versus.timing.median_ms
    versus.details = {
        "typst_faster_by": round(speedup, 1),
        "weasyprint_1000_estimated_s": round(versus.floor.median_ms, 1),  # ms per one = s per 1,000
        "typst_per_certificate_in_batch_ms": batch.details["per_certificate_ms"],
    }
    versus.note = f"Typst ×{speedup:.1f} plus rapide que WeasyPrint (attendu ≥ ×20)"
    return [full_set, batch, versus]
