"""Settings for the test suite: the real settings with development defaults filled in.

Only fills what a developer would otherwise have to export; DATABASE_URL and REDIS_URL are left
as the environment says, so CI runs the same suite on SQLite and on PostgreSQL + Redis.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OUTBOUND_ALLOW_PRIVATE", "1")

from aftercare.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

# Each test run gets its own SQLite file, so two runs at once (two terminals, an editor's
# runner beside CI) never delete each other's database mid-run.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
