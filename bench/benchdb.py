"""Shared start-up of the in-process benchmarks: a throwaway database, Django, migrations.

Used by the bench scripts (run as ``python bench/<script>.py``, so this folder is on the path).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Security words the generated question banks write their sentences with.
WORDS = [
    "policy",
    "firewall",
    "token",
    "cipher",
    "audit",
    "backup",
    "phishing",
    "subnet",
    "route",
    "patch",
    "vlan",
    "proxy",
    "certificate",
    "hashing",
    "salting",
    "kerberos",
    "radius",
    "honeypot",
    "sandbox",
    "segmentation",
]


def django_bench_setup(*, temp: Path, sqlite_name: str) -> str:
    """Point Django at DATABASE_URL (a database named *bench*) or a temporary SQLite file,
    set it up with production-like DEBUG off, migrate, and return the database URL."""
    url = os.environ.get("DATABASE_URL")
    if url:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        if "bench" not in name:
            sys.exit(f"refusing to benchmark on '{name}': use a database whose name has 'bench'")
    else:
        url = f"sqlite:///{temp / sqlite_name}"
        os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "False"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billings.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return url
