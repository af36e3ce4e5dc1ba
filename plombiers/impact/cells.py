"""The cells of the dashboards, written in Python: a figure, the links to the learners behind it,
and the secrecy marks (`secret_mark` in templates, `impact_tags`). An included template per cell
cost most of a dashboard's rendering (a few hundred cells)."""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .selectors import Figure

#: The titles of a secrecy mark, as HTML.
SECRET_TITLE = {
    "s": "Masqué pour qu'aucun total ni aucune différence ne permette de retrouver un chiffre « &lt; 5 »",
}
SMALL_TITLE = "De 1 à 4 jeunes : masqué (secret statistique)"


def secret_html(mark: str) -> str:
    return f'<abbr title="{SECRET_TITLE.get(mark, SMALL_TITLE)}">{escape(mark)}</abbr>'


def _link_html(url: str | None, text: str, hidden: str, css: str = "") -> str:
    if not url:
        return escape(text)
    css = f' class="{css}"' if css else ""
    return f'<a href="{escape(url)}"{css}>{escape(text)}<span class="visually-hidden"> — {hidden}</span></a>'


def cell_html(figure: Figure, num_url: str | None, den_url: str | None) -> SafeString:
    """A figure of a dashboard, with the links to the learners behind it: written here rather than
    by an included template, which cost most of a dashboard's rendering (a few hundred cells)."""
    if figure.indicator.kind == "count":
        if figure.secret:
            return mark_safe(secret_html(figure.secret))  # noqa: S308 — every value escaped above
        return mark_safe(_link_html(num_url, figure.display, "voir les jeunes"))  # noqa: S308
    shown = secret_html(figure.secret) if figure.secret else escape(figure.display)
    badge = ""
    if figure.meets_target is False:
        badge = ' <span class="badge text-bg-warning">sous l\'objectif</span>'
    elif figure.meets_target:
        badge = ' <span class="badge text-bg-success">objectif atteint</span>'
    numerator = (
        secret_html(figure.numerator_secret)
        if figure.numerator_secret
        else _link_html(num_url, figure.numerator_display, "voir les jeunes du numérateur", "link-secondary")
    )
    denominator = (
        secret_html(figure.denominator_secret)
        if figure.denominator_secret
        else _link_html(
            den_url, figure.denominator_display, "voir les jeunes du dénominateur", "link-secondary"
        )
    )
    return mark_safe(  # noqa: S308 — every value escaped above
        f'<span class="fw-semibold">{shown}</span>{badge}\n'
        f'<span class="small text-body-secondary d-block">{numerator}&nbsp;/&nbsp;{denominator}</span>'
    )
