import json
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from corpus.importing import IMPORTED, import_files, iter_paths

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_ACCOUNTS = [
    # (username, is admin, description)
    ("admin", True, "admin: imports articles, manages users and label sets"),
    ("analyst1", False, "analyst"),
    ("analyst2", False, "analyst"),
]


def new_password():
    return secrets.token_urlsafe(12)


class Command(BaseCommand):
    help = (
        "Load the demo corpus (five seed articles) and create the demo accounts (admin, analyst1, analyst2). "
        "Safe to run again: nothing is duplicated, and passwords are only printed when they are set. "
        "--reset-passwords gives the demo accounts new passwords and prints them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true", help="Set and print new demo passwords.")

    def handle(self, *args, reset_passwords=False, **options):
        self.load_corpus()
        self.ensure_accounts(reset_passwords)

    def load_corpus(self):
        manifest = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))
        imported = 0
        for entry in manifest["articles"]:
            report = import_files(iter_paths([DEMO_DIR / entry["file"]]), source_name=entry["source"])
            imported += report.imported
            for outcome in report.outcomes:
                if outcome.status not in (IMPORTED, "already imported"):
                    self.stderr.write(f"Demo article {outcome.name} was rejected: {outcome.message}")
        total = len(manifest["articles"])
        self.stdout.write(f"Demo corpus: {imported} article(s) imported, {total - imported} already present.")

    @transaction.atomic
    def ensure_accounts(self, reset_passwords):
        User = get_user_model()
        printed = []
        for username, is_admin, description in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": is_admin, "is_superuser": is_admin}
            )
            if created or reset_passwords:
                password = new_password()
                user.set_password(password)
                user.save()
                printed.append((username, password, description))
        if printed:
            self.stdout.write("")
            self.stdout.write("Log in at http://127.0.0.1:8000/ with:")
            for username, password, description in printed:
                self.stdout.write(f"    {username:<10} password {password:<20} ({description})")
            self.stdout.write("These passwords are shown once; `make demo-passwords` sets and prints new ones.")
        else:
            self.stdout.write("")
            self.stdout.write(
                "Demo accounts admin, analyst1 and analyst2 already exist; their passwords were printed when "
                "they were created. Forgotten? `make demo-passwords` sets and prints new ones."
            )
