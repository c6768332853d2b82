from django.core.management.base import BaseCommand

from evaluations import import_uploads


class Command(BaseCommand):
    help = (
        "取込途中で残った照会票ファイル（IMPORT_UPLOAD_MAX_AGE_HOURS より古いもの）を削除します。"
        " Removes uploaded workbooks left unconfirmed for longer than IMPORT_UPLOAD_MAX_AGE_HOURS."
    )
    # Run by a timer all day: the system checks (every URLconf and view imported, a fifth of
    # a second) are `manage.py check`'s job, run by the deploy (migrate) and the tests.
    requires_system_checks = []

    def handle(self, *args, **options):
        removed = import_uploads.sweep()
        self.stdout.write(f"取込途中のファイルを{removed}件削除しました。")
