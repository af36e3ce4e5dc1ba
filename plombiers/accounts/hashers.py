"""The password hasher: Argon2id, with costs that fit a small server under a morning rush.

Measured on this project's machine (2 cores shared with other work, so ± 30 %; checking one
password at a time, then 50 at once in threads — both hashers release the GIL):

    hasher                                   one at a time   50 at once: wall, median wait
    PBKDF2-SHA256, 1,000,000 (Django 5.2)    ≈325 ms         20.3 s, 18.6 s
    Argon2id Django default (100 MiB, p=8)   ≈400 ms         29.5 s, 18.0 s — 3.2 GB resident
    Argon2id 64 MiB, t=2, p=1                ≈440 ms         17.2 s, 15.2 s
    Argon2id 46 MiB, t=1, p=1 (OWASP)        ≈250 ms          6.7 s,  5.1 s
    Argon2id 19 MiB, t=2, p=1 (OWASP)        ≈30–120 ms       4.4 s,  2.5 s

A whole login through the form (test client, SQLite): 251 ms with PBKDF2, 223 ms of it the hash
(89 %); 44 ms with Argon2id 19 MiB, 20 ms of it the hash. The hasher was the cost of the 2.6–7 s
logins of issue 16. Argon2's strength is its memory cost, which PBKDF2 does not have; at Django's
defaults it costs more CPU than PBKDF2 here and 100 MiB per login in flight. OWASP's first setting
(19 MiB, 2 passes, 1 lane) keeps 50 logins at once under 1 GB on a 24 GB machine.

The costs are settings (`PLOMBIERS_ARGON2`): changing them rehashes each password at its next
login, as the change from PBKDF2 does (PBKDF2 stays after Argon2 in PASSWORD_HASHERS to read the
old hashes; the API tokens survive the rehash, see `User.check_password`).
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
