"""The load test's users (locust): the people of the demo network at work, on 127.0.0.1 only.

Each simulated person logs in with a demo account through the login form, finds their own pages
(ids read from the lists, as a person clicks), then works: trainers open today's sheets, mark
attendance and look at the skills matrix; social workers their caseload and a young person's
support page; prescribers their referrals; managers, the network staff and a funder the impact
dashboards; a script the API with a token. Every request is named by its kind of page: the
results (count, errors, p50, p95, p99 per kind) are what `plombiers loadtest` writes to
bench/results.json. Exports are a kind of their own (heavier by nature, out of the 300 ms goal).

Logins are spread out: every user comes from 127.0.0.1, one address, and the login throttle
counts per address (30 a minute by default).
"""

import os
import random
import re

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo-plombiers")
EXPORT = "export"  # the kinds of page out of the 300 ms goal start with this word


def ids(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, html)), key=int)


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    email = ""

    def on_start(self):
        self.login()

    def login(self):
        self.client.get("/comptes/login/", name="connexion (formulaire)")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/comptes/login/",
            {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/comptes/login/"},
            name="connexion (envoi)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"connexion refusée ({response.status_code})")

    def page(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    def post(self, url: str, data: dict, name: str):
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            url,
            {**data, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + url},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 302):
                response.failure(f"{response.status_code}")
            return response

    @task(1)
    def home(self):
        self.page("/", "accueil")


class Trainer(Person):
    weight = 14
    email = "formation@plombiers.example"

    def on_start(self):
        super().on_start()
        today = self.page("/demi-journees/aujourdhui/", "feuilles du jour").text
        self.sheets = ids(today, r'href="/demi-journees/(\d+)/')
        cohorts = ids(self.page("/promotions/", "promotions (liste)").text, r'href="/promotions/(\d+)/')
        self.cohorts = cohorts[-3:] or cohorts
        self.marks = {}
        for sheet in self.sheets:
            html = self.page(f"/demi-journees/{sheet}/", "feuille d'émargement").text
            self.marks[sheet] = ids(html, r'name="enrolment" value="(\d+)"')

    @task(3)
    def sheets_today(self):
        self.page("/demi-journees/aujourdhui/", "feuilles du jour")

    @task(4)
    def sheet(self):
        if self.sheets:
            self.page(f"/demi-journees/{random.choice(self.sheets)}/", "feuille d'émargement")

    @task(4)
    def mark(self):
        sheets = [s for s in self.sheets if self.marks.get(s)]
        if sheets:
            sheet = random.choice(sheets)
            status = random.choice(["present", "present", "present", "absent"])
            self.post(
                f"/demi-journees/{sheet}/presences/",
                {"enrolment": random.choice(self.marks[sheet]), "status": status},
                "émargement (écriture)",
            )

    @task(3)
    def matrix(self):
        if self.cohorts:
            self.page(f"/promotions/{random.choice(self.cohorts)}/competences/", "matrice de compétences")


class SocialWorker(Person):
    weight = 9
    email = "accompagnement@plombiers.example"

    def on_start(self):
        super().on_start()
        caseload = self.page("/accompagnement/", "accompagnement (portefeuille)").text
        self.learners = ids(caseload, r'href="/jeunes/(\d+)/accompagnement/')

    @task(3)
    def caseload(self):
        self.page("/accompagnement/", "accompagnement (portefeuille)")

    @task(5)
    def support(self):
        if self.learners:
            self.page(f"/jeunes/{random.choice(self.learners)}/accompagnement/", "accompagnement (jeune)")


class Prescriber(Person):
    weight = 9
    email = "prescription@plombiers.example"

    def on_start(self):
        super().on_start()
        listing = self.page("/prescriptions/", "prescriptions (liste)").text
        self.referrals = ids(listing, r'href="/prescriptions/(\d+)/')

    @task(3)
    def referrals_list(self):
        self.page(f"/prescriptions/?page={random.randint(1, 3)}", "prescriptions (liste)")

    @task(4)
    def referral(self):
        if self.referrals:
            self.page(f"/prescriptions/{random.choice(self.referrals)}/", "prescription (fiche)")


class Manager(Person):
    weight = 6
    email = "direction@plombiers.example"

    def on_start(self):
        super().on_start()
        impact = self.page("/impact/", "impact (tableau de bord)")
        self.school_dashboard = impact.url.split(self.host, 1)[-1] if impact.url else "/impact/"

    @task(3)
    def dashboard(self):
        self.page(self.school_dashboard, "impact (tableau de bord)")

    @task(2)
    def referrals_received(self):
        self.page("/prescriptions/", "prescriptions (liste)")

    @task(1)
    def export(self):
        self.page(f"{self.school_dashboard.rstrip('/')}/?format=csv", f"{EXPORT} CSV (impact)")


class NetworkStaff(Person):
    weight = 4
    email = "reseau@plombiers.example"

    @task(3)
    def network(self):
        self.page("/impact/reseau/", "impact (tableau de bord)")

    @task(1)
    def schools(self):
        self.page("/ecoles/", "écoles (liste)")


class Funder(Person):
    weight = 2
    email = "financeur@plombiers.example"

    @task(2)
    def dashboard(self):
        self.page("/impact/", "impact (tableau de bord)")

    @task(1)
    def grants(self):
        self.page("/financements/financeur/", "financements (financeur)")


class ApiClient(HttpUser):
    """A prescribing structure's script: a token, then its referrals and the network's figures."""

    weight = 4
    wait_time = between(1, 4)

    def on_start(self):
        with self.client.post(
            "/api/v1/auth/token",
            json={"email": "direction@plombiers.example", "password": PASSWORD},
            name="API jeton",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                self.token = ""
            else:
                self.token = response.json()["token"]

    def api(self, url: str, name: str):
        with self.client.get(
            url, headers={"Authorization": f"Bearer {self.token}"}, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(3)
    def referrals(self):
        self.api("/api/v1/referrals", "API prescriptions")

    @task(2)
    def impact(self):
        self.api("/api/v1/impact?scope=school&group_by=year", "API impact")

    @task(1)
    def exits(self):
        self.api("/api/v1/exits", "API sorties")


class Returning(Person):
    """Someone who logs out and in again: logins all along the run, a few a minute."""

    weight = 2
    wait_time = between(8, 12)
    email = "formation.roubaix@plombiers.example"

    @task
    def again(self):
        self.post("/comptes/logout/", {}, "déconnexion")
        self.login()
        self.page("/", "accueil")


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    """The figures of each kind of page, to the JSON file named by LOADTEST_RESULTS."""
    path = os.environ.get("LOADTEST_RESULTS")
    if not path:
        return
    import json

    stats = environment.stats
    rows = {}
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows[entry.name] = {
            "method": entry.method,
            "count": entry.num_requests,
            "errors": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time or 0),
        }
    total = stats.total
    with open(path, "w", encoding="utf-8") as file:
        json.dump(
            {
                "kinds": rows,
                "total": {
                    "count": total.num_requests,
                    "errors": total.num_failures,
                    "rps": round(total.total_rps, 1),
                    "p50_ms": total.get_response_time_percentile(0.5),
                    "p95_ms": total.get_response_time_percentile(0.95),
                    "p99_ms": total.get_response_time_percentile(0.99),
                },
                "errors": [
                    {"kind": e.name, "error": str(e.error), "count": e.occurrences}
                    for e in stats.errors.values()
                ],
            },
            file,
            ensure_ascii=False,
            indent=1,
        )
