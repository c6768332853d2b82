from django.core.management.base import BaseCommand

from evaluations.reports import jobs


class Command(BaseCommand):
    help = (
        "作成から REPORT_JOB_KEEP_HOURS を過ぎた報告書の作成ジョブとPDFを削除します。"
        " Deletes report jobs (and their PDFs) finished more than REPORT_JOB_KEEP_HOURS ago,"
        " after marking jobs whose worker died as failed."
    )
    # Run by a timer all day: the system checks (every URLconf and view imported, a fifth of
    # a second) are `manage.py check`'s job, run by the deploy (migrate) and the tests.
    requires_system_checks = []

    def handle(self, *args, **options):
        removed = jobs.delete_expired()
        self.stdout.write(f"保存期間を過ぎた報告書を{removed}件削除しました。")
