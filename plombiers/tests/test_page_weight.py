"""Page weight (issue 18): a phone's cold first load of a page is at most 150 KB on the wire.

Measured as a phone would load it: Chromium with an empty cache (a new context for each page), a
phone's screen, the production server (`plombiers serve`, static files from `collectstatic`), and
the sum of every response's encoded size — headers and body as they crossed the network, after
compression — the page, its styles, scripts, icon and htmx fragments.

Before: 363 to 368 KB, Bootstrap's CSS and JavaScript served uncompressed from the apps' folders
(WHITENOISE_USE_FINDERS); now the compressed files collectstatic writes, under hashed names.
"""

import re

import pytest

from .conftest import LEARNER

BUDGET = 150 * 1024
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def cold_load(browser, server, path: str, login: tuple[str, str] | None = None) -> dict:
    """Load `path` in a fresh context; every response's (url → encoded bytes)."""
    context = browser.new_context(base_url=server.url, locale="fr-FR", **PHONE)
    context.set_default_timeout(30_000)
    try:
        if login:
            # Logged in without loading any page (the login page would warm the cache).
            form = context.request.get("/comptes/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text()).group(1)
            answer = context.request.post(
                "/comptes/login/",
                form={"csrfmiddlewaretoken": token, "login": login[0], "password": login[1]},
                headers={"Referer": f"{server.url}/comptes/login/"},
                max_redirects=0,
            )
            assert answer.status == 302, answer.text()[:500]
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        response = page.goto(path, wait_until="networkidle")
        assert response.status == 200, path
        weights = {}
        for request in finished:
            sizes = request.sizes()
            weights[request.url] = sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
        return weights
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "login"),
    [
        ("/comptes/login/", None),
        ("/verifier/", None),
        ("/impact/methode/", None),
        ("/", LEARNER),
    ],
    ids=["connexion", "verificateur", "methode", "accueil-jeune"],
)
def test_cold_first_load_under_150_kb(browser, server, path, login):
    weights = cold_load(browser, server, path, login)
    total = sum(weights.values())
    detail = "\n".join(f"{size:>8} {url}" for url, size in sorted(weights.items(), key=lambda i: -i[1]))
    assert total <= BUDGET, f"{path} : {total / 1024:.0f} Ko\n{detail}"
    # What was measured: the page and its styles and scripts, compressed.
    assert any("/static/vendor/bootstrap-5.3.8/bootstrap.min." in url for url in weights), detail
    assert len(weights) >= 4, detail


def test_static_files_are_compressed_and_cached_for_ever(server):
    """The hashed name of a file never changes content: a year, immutable; compressed for the
    browsers that accept it."""
    from .conftest import Browser

    page = Browser(server).get("/comptes/login/").body.decode()
    css = re.search(r'href="(/static/vendor/bootstrap-5\.3\.8/bootstrap\.min\.[0-9a-f]{12}\.css)"', page)
    assert css, "la feuille de style n'a pas de nom haché"
    for encoding, minimum_saving in (("br", 8), ("gzip", 6)):
        response = Browser(server).get(css.group(1), headers={"Accept-Encoding": encoding})
        assert response.status == 200
        assert response.headers["Content-Encoding"] == encoding
        assert len(response.body) * minimum_saving < 232_066
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=315360000" in response.headers["Cache-Control"]
    assert re.search(r'src="/static/vendor/htmx-2\.0\.8/htmx\.min\.[0-9a-f]{12}\.js" defer', page)
    assert re.search(r'rel="icon" href="/static/plombiers/favicon\.[0-9a-f]{12}\.svg"', page)
    assert Browser(server).get("/favicon.ico").status == 302
