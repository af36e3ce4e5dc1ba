"""The password hasher: Argon2id, with costs that fit a small server under a morning rush.

Measured on this project's machine (2 shared cores; the figures are in the README « Sécurité »):
PBKDF2-SHA256 at Django 5.2's 1,000,000 iterations costs ≈330 ms of CPU per password checked, most
of a login, and 50 logins at once queue for 20 s on 2 cores — the 2.6–7 s logins of issue 16.
Django's Argon2 defaults (100 MiB, 8 lanes) cost as much CPU here (≈400 ms) and 3–5 GB of memory for
50 logins at once. OWASP's first recommended setting — 19 MiB, 2 passes, 1 lane — costs ≈30–120 ms
and ≈1 GB for 50 concurrent logins, with memory-hardness PBKDF2 does not have.

The costs are settings (`PLOMBIERS_ARGON2`): raising them rehashes each password at its next login,
as does the change from PBKDF2 (kept after Argon2 in PASSWORD_HASHERS to read the old hashes).
"""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    @property
    def time_cost(self):
        return settings.PLOMBIERS_ARGON2["time_cost"]

    @property
    def memory_cost(self):
        return settings.PLOMBIERS_ARGON2["memory_cost_kib"]

    @property
    def parallelism(self):
        return settings.PLOMBIERS_ARGON2["parallelism"]
