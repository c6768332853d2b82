"""Deletes every e-mail subscription of an address, on its owner's request."""

from django.core.management.base import BaseCommand

from evaluations import subscriptions


class Command(BaseCommand):
    help = "メールアドレスの購読をすべて削除します（本人からの削除依頼に）。"

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        deleted = subscriptions.forget(email)
        # The address is not echoed: the terminal's scrollback is a log too.
        self.stdout.write(f"{deleted}件の登録を削除しました。")
