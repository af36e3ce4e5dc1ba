"""A real HTTP receiver on this machine, and the subscriptions the tests send to."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plombiers.referrals.enums import ReferralStatus
from plombiers.referrals.tests.factories import ReferralFactory
from plombiers.webhooks import services
from plombiers.webhooks.enums import RECORD_EVENTS


class Receiver:
    """Records every POST; answers with the codes of `answers` in turn (200 once they are used)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                code = receiver.answers.pop(0) if receiver.answers else 200
                answer = json.dumps({"received": code < 300}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(autouse=True)
def _local_targets(settings):
    """The receiver is on this machine: allowed as in DEBUG (the SSRF guard's tests turn it off)."""
    settings.PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = True


def subscribe(cast, url, events=RECORD_EVENTS, organisation=None, by=None):
    subscription, secret = services.subscription_create(
        organisation=organisation or cast.prescriber_org,
        url=url,
        events=list(events),
        by=by or cast.prescriber,
    )
    return subscription, secret


def interview(cast, school=None, prescriber=None, organisation=None):
    """A referral at the interview stage, made by the cast's prescriber for their organisation."""
    return ReferralFactory(
        school=school or cast.school_a,
        prescriber=prescriber or cast.prescriber,
        prescriber_organisation=organisation or cast.prescriber_org,
        status=ReferralStatus.INTERVIEW,
    )
