"""The documents benchmarks (issue 6): a cohort's full set and 1,000 certificats de réalisation
with Typst, and the same certificat rendered by WeasyPrint from an equivalent HTML template, in
the same run. WeasyPrint is a benchmark-only extra (`pip install -e '.[bench]'`, done by `make
bench`): it is imported here, inside the function, never by the application.
"""

import itertools
import time

from django.template.loader import render_to_string

from plombiers.documents import services as documents

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

    # 2. 1,000 certificats de réalisation in a row, each through the service (its queries included).
    n = sizes.certificates
    batch = Measure(
        "certificates_typst",
        f"{n} certificats de réalisation avec Typst (un PDF chacun, requêtes comprises)",
        details={"certificates": n},
    )

    def thousand():
        for enrolment in itertools.islice(itertools.cycle(enrolments), n):
            documents.completion_certificate_pdf(enrolment=enrolment)

    batch.timing = measure(thousand, repeat=max(min(ctx.repeat, 3), 1), warmup=0)
    batch.details["per_certificate_ms"] = round(batch.timing.median_ms / n, 3)

    # 3. One certificat: Typst beside WeasyPrint on the same data (rendering only).
    content = documents._completion_data(documents.CohortData.load(cohort), enrolments[:1])
    versus = Measure(
        "certificate_typst_vs_weasyprint",
        "Un certificat de réalisation, rendu seul : Typst (mesure) et WeasyPrint (référence)",
        floor_name="WeasyPrint, même certificat depuis un gabarit HTML équivalent",
    )
    versus.timing = _samples(lambda: documents.render("certificat.typ", content), ctx.repeat)
    try:
        import weasyprint
    except ImportError:
        versus.status = "indisponible (weasyprint absent : « make bench » installe l'extra bench)"
        versus.timing = None
        return [full_set, batch, versus]

    def weasy():
        html = render_to_string(
            "bench/certificat_weasyprint.html", {"data": content, "item": content["items"][0]}
        )
        return weasyprint.HTML(string=html).write_pdf()

    weasy()  # warm-up: fonts and CSS
    versus.floor = _samples(weasy, max(min(ctx.repeat, 10), 2))
    speedup = versus.floor.median_ms / versus.timing.median_ms
    versus.details = {
        "typst_faster_by": round(speedup, 1),
        "weasyprint_1000_estimated_s": round(versus.floor.median_ms, 1),  # ms per one = s per 1,000
        "typst_1000_measured_s": round(batch.timing.median_ms / n, 3) if n == 1000 else None,
    }
    versus.note = f"Typst ×{speedup:.1f} plus rapide que WeasyPrint (attendu ≥ ×20)"
    return [full_set, batch, versus]
