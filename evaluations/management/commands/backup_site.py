from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations import backup


class Command(BaseCommand):
    help = (
        "データベースと非公開ファイル（根拠資料・報告書・取込途中の照会票）を、"
        "マニフェスト付きで空のフォルダにバックアップします。"
        " Backs up the database (pg_dump, or SQLite's online backup) and the private files kept on"
        " the filesystem into an empty folder, with manifest.json (parts' SHA-256, file counts,"
        " migrations). Restore with restore_site."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="an empty (or new) folder")

    def handle(self, *args, folder, **options):
        try:
            outcome = backup.backup(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"バックアップしました: {outcome.summary()}")
