"""Checks what must hold in the database after any fault (evaluations.invariants)."""

import sys

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from evaluations import invariants


class Command(BaseCommand):
    help = (
        "データベースの不変条件（回答の版と変更履歴、公表時点の内容、報告書の作成ジョブ）を検査し、"
        "違反があれば一覧を表示して終了コード1で終わります。"
        " Checks the database's invariants (entry versions against their history, complete"
        " publications, no report job stuck running); lists each violation and exits 1."
    )
    # Run after each fault, when the database is what is in doubt: the system checks (every
    # URLconf and view imported) are `manage.py check`'s job, run by the deploy and the tests.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--english", action="store_true", help="英語で表示します。 Print in English."
        )

    def handle(self, *args, english=False, **options):
        with translation.override("en" if english else "ja"):
            violations = invariants.check()
            for violation in violations:
                shown = ", ".join(str(pk) for pk in violation.ids)
                more = "…" if violation.count > len(violation.ids) else ""
                self.stdout.write(
                    f"[{invariants.CHECKS[violation.check]}] {violation.message} "
                    + _("該当: %(ids)s") % {"ids": shown + more}
                )
            if violations:
                self.stdout.write(
                    _("不変条件の違反が%(count)d種類あります。") % {"count": len(violations)}
                )
                sys.stdout.flush()
                self.stdout.flush()
                raise SystemExit(1)
            self.stdout.write(
                _(
                    "不変条件はすべて満たされています（回答の版と変更履歴、公表時点の内容、"
                    "報告書の作成ジョブ）。"
                )
            )
