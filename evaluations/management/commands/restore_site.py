from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations import backup


class Command(BaseCommand):
    help = (
        "backup_site で作ったバックアップを、空のデータベースと保存先に戻します。"
        " Restores a backup_site folder into this site's database and private storages, after"
        " checking every part's SHA-256 against the manifest; refuses a database or storage folder"
        " that already holds data unless --force. Run migrate afterwards when upgrading."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a folder written by backup_site")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over a database and storage folders that already hold data",
        )

    def handle(self, *args, folder, force, **options):
        try:
            outcome = backup.restore(folder, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"復元しました: {outcome.summary()}")
