"""Operations: a request id on every log line, one line per event, errors to Sentry.

`RequestIdMiddleware` gives each request an id — the `X-Request-ID` the reverse proxy sent when it
looks like one, else a new one — and sends it back in the response's `X-Request-ID` (gunicorn's
access log and Caddy's show it too). `RequestIdFilter` puts it on every record logged while the
request runs (`-` outside a request: commands, the task worker). `OneLineFormatter` keeps a
traceback on the same line as its message, so that one event is one line for journald and grep.
"""

import contextvars
import logging
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may look like: short, printable, no spaces — it is written in our logs.
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        value = incoming if ACCEPTED_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = value
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = value
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    """The message, then its traceback, on one line (line breaks written as « ⏎ »)."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r\n", "\n").replace("\n", " ⏎ ")


def sentry_init(dsn: str, *, environment: str) -> None:
    """Send server errors to Sentry (the optional extra `sentry`): nothing about a person — no
    request body, no local variables, no cookies or user — only the error, where it happened, and
    the request id to find the lines of the log."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SENTRY_DSN est défini mais sentry-sdk n'est pas installé : pip install 'plombiers[sentry]'."
        ) from error

    def with_request_id(event, hint):
        event.setdefault("tags", {})["request_id"] = request_id.get()
        return event

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
        before_send=with_request_id,
    )
