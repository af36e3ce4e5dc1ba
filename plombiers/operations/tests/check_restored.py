"""Run in the restored installation (`python -m plombiers.operations.tests.check_restored IDS`):
prints as JSON every table's row count, the confidential note read back, the attestation's
verification, its private key, its full link, and the evidence file fetched through its
permission-checked view."""

import hashlib
import json
import sys

import django


def main(ids: dict) -> dict:
    django.setup()
    from django.test import Client
    from django.urls import reverse

    from plombiers.accounts.models import User
    from plombiers.credentials.keys import private_key
    from plombiers.credentials.models import Attestation, IssuerKey
    from plombiers.credentials.proof import public_key_multibase
    from plombiers.credentials.public import full_link_token
    from plombiers.credentials.verification import verify
    from plombiers.operations.backup import database_counts
    from plombiers.support.models import JournalEntry

    counts = database_counts()  # before the login below writes a session
    attestation = Attestation.objects.get(pk=ids["attestation"])
    key = IssuerKey.objects.get(school=attestation.enrolment.cohort.school, retired_at__isnull=True)
    client = Client()
    client.force_login(User.objects.get(email=ids["trainer"]))
    response = client.get(reverse("skills:evidence_file", args=[ids["evidence"]]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return {
        "counts": counts,
        "note": JournalEntry.objects.get(pk=ids["note"]).text,
        "verdict": verify(attestation.document).status,
        "private_key_matches": public_key_multibase(private_key(key).public_key())
        == key.public_key_multibase,
        "full_link": full_link_token(attestation),
        "evidence": {"status": response.status_code, "sha256": hashlib.sha256(body).hexdigest()},
    }


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
