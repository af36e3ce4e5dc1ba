"""Bar charts as vector SVG, drawn in Python for the PDF report (Typst embeds them with
`image()`): bars, their value written above, and the dashed 70 % target line. Text is escaped."""

from xml.sax.saxutils import escape

BLUE = "#1f4e79"
ORANGE = "#b34700"
GREY = "#595959"


def bar_chart(
    labels: list[str],
    values: list[float | None],
    *,
    target: int | None = None,
    percent=True,
    width=480,
    height=220,
) -> str:
    left, right, top, bottom = 40, 10, 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = 100 if percent else max([v or 0 for v in values] + [1])
    n = max(len(values), 1)
    slot = plot_w / n
    bar = slot * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{GREY}"/>',
    ]
    for tick in (0, 50, 100) if percent else (0, top_value):
        y = top + plot_h - plot_h * tick / top_value
        label = f"{tick} %" if percent else str(tick)
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="{GREY}">{escape(label)}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + (slot - bar) / 2
        cx = x + bar / 2
        if value is not None:
            h = plot_h * min(value, top_value) / top_value
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{BLUE}"/>'
            )
            text = f"{value} %" if percent else str(value)
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle">{escape(text)}</text>'
            )
        else:
            parts.append(
                f'<text x="{cx:.1f}" y="{top + plot_h - 3:.1f}" text-anchor="middle" fill="{GREY}">—</text>'
            )
        short = label if len(label) <= 16 else label[:15] + "…"
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle">{escape(short)}</text>'
        )
    if target is not None and percent:
        y = top + plot_h - plot_h * target / 100
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{ORANGE}" '
            f'stroke-dasharray="6 4" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{width - right}" y="{y - 4:.1f}" text-anchor="end" fill="{ORANGE}">objectif {target} %</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
