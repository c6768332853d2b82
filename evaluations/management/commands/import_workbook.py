"""manage.py import_workbook FILE.xlsx [--dry-run] [--user USERNAME]"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from evaluations import workbooks


class Command(BaseCommand):
    help = (
        "記入済みの照会票（Excel）を取り込みます。問題が1件でもあれば何も変更しません。"
        "--user を付けると、その職員の権限（自所属の行だけ）で取り込みます。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="検証して変更内容を表示するだけ")
        parser.add_argument("--user", help="取り込む職員のユーザー名")

    def handle(self, file, dry_run=False, user=None, **options):
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        try:
            # Bounds before work: a file over the limit is refused unread.
            if file.stat().st_size > limit:
                raise CommandError(
                    f"{file.name}: ファイルが大きすぎます（上限 {limit // 1024 // 1024}MB）。"
                    "何も取り込みませんでした。"
                )
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: 読み込めません（{exc.strerror}）") from None
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"ユーザー「{user}」はいません。")
        try:
            preview = workbooks.import_workbook(
                data, user=actor, filename=file.name, dry_run=dry_run
            )
        except workbooks.ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{file.name}: {len(exc.problems)}件の問題があるため、何も取り込みませんでした。"
            ) from None
        for change in preview.changes:
            for item in change.fields:
                self.stdout.write(
                    f"{change.sheet} {change.row}行目 {change.code} {item['label']}: "
                    f"{item['before'] or '（空欄）'} → {item['after'] or '（空欄）'}"
                )
        verb = "変更予定" if dry_run else "変更"
        self.stdout.write(
            f"{file.name}: {preview.rows}行を確認、{len(preview.changes)}件{verb}、{preview.unchanged}件変更なし"
            + ("（--dry-run のため保存していません）" if dry_run else "")
        )
