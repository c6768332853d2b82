from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from evaluations.seed import SeedError, load_file


class Command(BaseCommand):
    help = "Loads the cities' seed data (fixtures/*.json). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="seed files; default: every fixtures/*.json")

    def handle(self, *args, **options):
        paths = [Path(f) for f in options["files"]] or sorted(
            (settings.BASE_DIR / "fixtures").glob("*.json")
        )
        # All files or none: a failure in the second file also undoes the first.
        with transaction.atomic():
            for path in paths:
                try:
                    report = load_file(path)
                except SeedError as exc:
                    raise CommandError(str(exc)) from exc
                created = sum(report.created.values())
                updated = sum(report.updated.values())
                self.stdout.write(f"{path.name}: {created} created, {updated} updated")
