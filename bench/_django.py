"""Django set up for a benchmark on its own database (never the development one)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(database_path):
    """Point Django at `database_path` (a throwaway SQLite file) unless DATABASE_URL names another database."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database_path}")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamish.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
