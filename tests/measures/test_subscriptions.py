"""Following a plan by e-mail, against a real SMTP server the test starts: double opt-in, a mail
after each publication with RFC 8058 one-click unsubscribe headers, deletion, and no address
ever shown."""

import re

import pytest

from evaluations.choices import Result
from evaluations.models import Subscription
from tests.constants import OSAKA
from tests.factories import make_initiative, make_plan, make_published_round
from tests.measures.smtp_server import mailers_for, smtp_server

pytestmark = pytest.mark.django_db

ADDRESS = "citizen@Example.JP"


@pytest.fixture
def inbox(settings):
    with smtp_server() as (port, messages):
        settings.MAILERS = mailers_for(port)
        settings.SITE_URL = "https://kaikaku.example.jp"
        yield messages.messages


def _link(message, kind: str) -> str:
    body = message.get_content()
    return re.search(rf"https://kaikaku\.example\.jp(/\S*/{kind}/)", body).group(1)


def _subscribe(client, slug, address=ADDRESS, on_commit=None):
    with on_commit(execute=True):
        return client.post(f"/plans/{slug}/subscribe/", {"email": address})


def test_a_citizen_subscribes_confirms_gets_the_next_publication_and_leaves_in_one_click(
    client, inbox, django_capture_on_commit_callbacks
):
    plan = make_plan()
    item = make_initiative(plan)
    response = _subscribe(client, plan.slug, on_commit=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    # Double opt-in: one confirmation mail, and nothing is confirmed yet.
    [confirmation] = inbox
    assert confirmation["To"] == "citizen@example.jp"
    assert "【確認】" in confirmation["Subject"]
    confirm = _link(confirmation, "confirm")
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()
    # Opening the link (as a mail scanner would) confirms nothing; the button does.
    assert client.get(confirm).status_code == 200
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()
    assert "登録が完了しました" in client.post(confirm).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        make_published_round(plan, {item: Result.ACHIEVED})
    news = inbox[1]
    assert "の結果が公表されました" in news["Subject"]
    assert "達成1項目 / 評価対象1項目" in news.get_content()
    unsubscribe_url = f"https://kaikaku.example.jp{_link(news, 'unsubscribe')}"
    assert news["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # RFC 8058: the mail client POSTs once, without cookies or CSRF token.
    one_click = client.__class__(enforce_csrf_checks=True)
    response = one_click.post(
        _link(news, "unsubscribe"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()  # the address is gone, not flagged
    with django_capture_on_commit_callbacks(execute=True):
        make_published_round(plan, {item: Result.ACHIEVED}, fiscal_year=plan.start_fiscal_year + 1)
    assert len(inbox) == 2


def test_an_unconfirmed_address_gets_no_publication_mail(
    client, inbox, django_capture_on_commit_callbacks
):
    plan = make_plan()
    item = make_initiative(plan)
    _subscribe(client, plan.slug, on_commit=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        make_published_round(plan, {item: Result.ACHIEVED})
    assert [m["Subject"] for m in inbox if "公表されました" in m["Subject"]] == []


def test_the_form_cannot_flood_a_mailbox_nor_tell_who_is_subscribed(
    client, inbox, django_capture_on_commit_callbacks, seeded
):
    first = _subscribe(client, OSAKA, on_commit=django_capture_on_commit_callbacks)
    again = _subscribe(client, OSAKA, on_commit=django_capture_on_commit_callbacks)
    assert len(inbox) == 1  # one confirmation mail in the resend window
    assert first.url == again.url
    page = client.get(first.url).content.decode()
    assert "citizen" not in page and "example.jp" not in page.lower()


def test_a_retried_publication_task_mails_nobody_twice(client, inbox, db):
    from django.utils import timezone

    from evaluations import subscriptions

    plan = make_plan()
    item = make_initiative(plan)
    Subscription.objects.create(
        plan=plan, email="a@example.jp", token="t" * 43, confirmed_at=timezone.now()
    )
    publication = make_published_round(plan, {item: Result.NOT_ACHIEVED})
    assert subscriptions.mail_publication.call(publication.pk) == 1
    assert subscriptions.mail_publication.call(publication.pk) == 0
    assert len(inbox) == 1


def test_a_bad_address_gets_a_japanese_message_tied_to_the_field(client, seeded):
    response = client.post(f"/plans/{OSAKA}/subscribe/", {"email": "not-an-address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "メールアドレスの形が正しくありません" in page
    assert 'aria-describedby="email-errors"' in page and 'id="email-errors"' in page
    assert not Subscription.objects.exists()


def test_the_office_deletes_an_address_on_request(db, capsys):
    from django.core.management import call_command

    plan = make_plan()
    for n, slug_plan in enumerate([plan, make_plan()]):
        Subscription.objects.create(plan=slug_plan, email="Gone@example.jp", token=f"{n}" * 43)
    call_command("forget_subscriber", "gone@example.jp")
    assert not Subscription.objects.exists()
    assert "2件の登録を削除しました" in capsys.readouterr().out
    assert "gone@" not in capsys.readouterr().out


def test_an_unknown_link_says_so_plainly(client, db):
    response = client.get("/subscriptions/nope/unsubscribe/")
    assert response.status_code == 404
    assert "このリンクは使えません" in response.content.decode()


def test_a_subscription_made_in_english_is_mailed_in_english(
    client, inbox, django_capture_on_commit_callbacks, seeded
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/plans/{OSAKA}/subscribe/", {"email": "reader@example.org"})
    [confirmation] = inbox
    assert confirmation["Subject"].startswith("[Please confirm]")
    assert "/en/subscriptions/" in confirmation.get_content()
