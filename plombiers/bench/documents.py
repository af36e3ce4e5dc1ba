"""The documents benchmarks (issue 6): a cohort's full set and 1,000 certificats de réalisation
with Typst, and the same certificat rendered by WeasyPrint from an equivalent HTML template, in
the same run. WeasyPrint is a benchmark-only extra (`pip install -e '.[bench]'`, done by `make
bench`): it is imported here, inside the function, never by the application.

The comparison is kept fair: WeasyPrint renders the same text with the same fonts — Libertinus Serif
regular, bold and italic, the very files Typst embeds, read from the `typst` wheel (`typst_fonts`) —
and both PDFs embed their subset of them. Typst and WeasyPrint samples alternate, so that the load of
the machine weighs on both alike, and the speed-up is the ratio of the two medians of the same run.
"""

import io
import re
import statistics
import struct
import tempfile
import time
from pathlib import Path

from django.template.loader import render_to_string

from plombiers.documents import services as documents
from plombiers.lib import typst_render
from plombiers.referrals.models import Learner

from .harness import Measure, Timing, benchmark, measure


def _clocked(call, repeat: int, run: tuple[list, list]) -> None:
    """Add `repeat` samples of `call` to `run`: (wall-clock seconds, processor seconds)."""
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        call()
        run[0].append(time.perf_counter() - start)
        run[1].append(time.process_time() - cpu)


def _samples(call, repeat: int) -> Timing:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


# The faces the certificat uses: Typst picks them in the fonts built into it (the templates ask for
# « Libertinus Serif », the compiler ignores the system's fonts).
FACES = {
    "Libertinus Serif Regular": "LibertinusSerif-Regular.otf",
    "Libertinus Serif Bold": "LibertinusSerif-Bold.otf",
    "Libertinus Serif Italic": "LibertinusSerif-Italic.otf",
}


def typst_fonts(folder: Path) -> Path:
    """Write into `folder` the Libertinus Serif files built into the `typst` wheel (its compiled
    module holds each OpenType file whole): WeasyPrint then uses exactly the fonts Typst uses.
    Each file is found by its OpenType header, cut at the end of its last table, and checked
    with fontTools (a WeasyPrint dependency) by its full name."""
    import typst
    from fontTools.ttLib import TTFont

    binary = next(Path(typst.__file__).parent.glob("_typst*.so"), None) or next(
        Path(typst.__file__).parent.glob("_typst*.pyd")
    )
    data = binary.read_bytes()
    wanted = dict(FACES)
    for match in re.finditer(rb"OTTO\x00", data):
        start = match.start()
        (count,) = struct.unpack(">H", data[start + 4 : start + 6])
        if not 4 <= count <= 64:
            continue
        records = [
            struct.unpack(">4sIII", data[start + 12 + 16 * i : start + 28 + 16 * i]) for i in range(count)
        ]
        end = max(offset + length for _, _, offset, length in records)
        try:
            name = TTFont(io.BytesIO(data[start : start + end]))["name"].getDebugName(4)
        except Exception:  # noqa: S112 — four bytes that only look like a header
            continue
        if name in wanted:
            (folder / wanted.pop(name)).write_bytes(data[start : start + end])
        if not wanted:
            return folder
    raise LookupError(f"polices introuvables dans le module typst : {', '.join(wanted)}")


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
    set_cpu = []

    def full_zip():
        start = time.process_time()
        documents.cohort_documents_zip(cohort=cohort)
        set_cpu.append(time.process_time() - start)

    full_set.timing = measure(full_zip, repeat=set_repeat, warmup=1)
    full_set.details["cpu_ms"] = round(statistics.median(set_cpu[2:] or set_cpu) * 1000, 1)
    full_set.note = f"temps processeur {full_set.details['cpu_ms']:.0f} ms"

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

    cpu = []

    def thousand_clocked():
        start = time.process_time()
        thousand()
        cpu.append(time.process_time() - start)

    batch.timing = measure(thousand_clocked, repeat=max(min(ctx.repeat, 3), 1), warmup=0)
    cpu_s = statistics.median(cpu[1:] or cpu)  # the first call only counts the queries
    batch.details["per_certificate_ms"] = round(batch.timing.median_ms / n, 3)
    batch.details["cpu_s"] = round(cpu_s, 3)
    batch.note = (
        f"{batch.timing.median_ms / 1000:.2f} s, {batch.timing.median_ms / n:.2f} ms par certificat "
        f"(temps processeur {cpu_s:.2f} s)"
    )

    # 3. One certificat: Typst beside WeasyPrint on the same data, a different person each time
    # (never seen by the compiler), the samples of the two alternating.
    versus = Measure(
        "certificate_typst_vs_weasyprint",
        "Un certificat de réalisation, rendu seul : Typst (mesure) et WeasyPrint (référence)",
        floor_name="WeasyPrint, même certificat, mêmes polices, depuis un gabarit HTML équivalent",
    )
    fresh = (
        {**content, "items": [{**content["items"][0], "learner": f"{content['items'][0]['learner']} {k}"}]}
        for k, content in enumerate(contents * 1000, start=1000)  # the batch's suffixes are < 1000
    )
    typst_one = lambda: documents.render("certificat.typ", next(fresh))  # noqa: E731
    try:
        import weasyprint
    except ImportError:
        versus.status = "indisponible (weasyprint absent : « make bench » installe l'extra bench)"
        return [full_set, batch, versus]

    with tempfile.TemporaryDirectory(prefix="plombiers-bench-fonts-") as folder:
        fonts = typst_fonts(Path(folder)).as_uri()

        def weasy():
            content = next(fresh)
            context = {"data": content, "item": content["items"][0], "fonts": fonts}
            html = render_to_string("bench/certificat_weasyprint.html", context)
            return weasyprint.HTML(string=html).write_pdf()

        weasy(), typst_one()  # warm-up: fonts, CSS, the compiler
        # Rounds of a block of each, so that a change of the machine's load weighs on both; in
        # blocks, because a Typst certificat right after a WeasyPrint one (60 times longer, and
        # much more memory) finds the processor's caches full of WeasyPrint's data. The first
        # certificat of a process is measured apart below.
        typst_run, weasy_run = ([], []), ([], [])
        for _ in range(max(ctx.repeat, 2)):
            _clocked(typst_one, 10, typst_run)
            _clocked(weasy, 1, weasy_run)
        reference = weasy()

    # The first certificat of a process: a new compiler, nothing in its memo yet.
    cold = _samples(
        lambda: typst_render.Renderer(documents.TEMPLATES, "certificat.typ").compile(next(fresh)),
        max(min(ctx.repeat, 5), 1),
    )
    versus.timing, versus.floor = Timing(typst_run[0]), Timing(weasy_run[0])
    typst_ms, weasy_ms = versus.timing.median_ms, versus.floor.median_ms
    speedup = weasy_ms / typst_ms
    typst_cpu, weasy_cpu = (statistics.median(run[1]) * 1000 for run in (typst_run, weasy_run))
    versus.details = {
        "typst_ms": round(typst_ms, 3),
        "weasyprint_ms": round(weasy_ms, 3),
        "typst_faster_by": round(speedup, 1),
        # Processor time of the process (its threads included): what the load of the machine
        # changes least.
        "typst_cpu_ms": round(typst_cpu, 3),
        "weasyprint_cpu_ms": round(weasy_cpu, 3),
        "typst_faster_by_cpu": round(weasy_cpu / typst_cpu, 1),
        "typst_first_of_a_process_ms": round(cold.median_ms, 3),
        "weasyprint_1000_estimated_s": round(weasy_ms, 1),  # ms per one = s per 1,000
        "typst_per_certificate_in_batch_ms": batch.details["per_certificate_ms"],
        "weasyprint_pdf_bytes": len(reference),
    }
    versus.note = (
        f"Typst {typst_ms:.2f} ms, WeasyPrint {weasy_ms:.2f} ms (médianes, même exécution) : "
        f"Typst ×{speedup:.1f} plus rapide que WeasyPrint (attendu ≥ ×20) ; en temps processeur "
        f"{typst_cpu:.2f} ms contre {weasy_cpu:.2f} ms, ×{weasy_cpu / typst_cpu:.1f} ; premier "
        f"certificat d'un processus (compilateur neuf) : {cold.median_ms:.2f} ms"
    )
    return [full_set, batch, versus]
