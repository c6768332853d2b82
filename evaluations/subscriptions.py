"""Following a plan by e-mail: double opt-in, one-click unsubscribe (RFC 8058), a mail after each
publication sent by the background worker.

An address is personal data kept for one purpose. It is never shown on a page (the subscribe
form answers the same whether the address is new, waiting or confirmed), it is not written to
the history (leaving must leave nothing behind: the row is deleted), and the office deletes one
on request with ``manage.py forget_subscriber``. The only key a mail's links carry is the row's
random token.

Mail goes out from tasks (``send_confirmation``, ``mail_publication``), so a web request never
waits on the SMTP server; ``publish_round_as_system`` enqueues ``mail_publication`` once its
transaction commits. A retried task sends nobody the same publication twice
(``Subscription.last_publication_mailed``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluations import rating_rules
from evaluations.labels import asof, localised
from evaluations.models import Publication, Subscription
from evaluations.published import summary_of

# An unconfirmed address gets one confirmation mail in this window, however often the form is
# sent: the form cannot be used to flood someone's mailbox.
CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def normalise(email: str) -> str:
    """The address as stored: trimmed, its domain in lower case (the local part is the
    mailbox owner's and may be case-sensitive)."""
    local, _at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def subscribe(*, plan, email: str, language: str = "ja") -> None:
    """Starts (or restarts) the double opt-in for ``email`` on ``plan``. Says nothing about the
    address's state to the caller: the page answers the same in every case."""
    email = normalise(email)
    now = timezone.now()
    with transaction.atomic():
        row = Subscription.objects.select_for_update().filter(plan=plan, email=email).first()
        if row is None:
            row = Subscription.objects.create(
                plan=plan, email=email, language=language, token=_new_token(), created_at=now
            )
        elif row.confirmed_at is None and now - row.created_at < CONFIRMATION_RESEND_AFTER:
            return  # a confirmation mail went out moments ago
        elif row.confirmed_at is None:
            row.created_at, row.language = now, language
            row.save(update_fields=["created_at", "language"])
        else:
            return  # confirmed already: nothing to send
        pk = row.pk
        transaction.on_commit(lambda: send_confirmation.enqueue(pk))


def confirm(token: str) -> Subscription | None:
    """Confirms the address behind ``token`` (again is harmless); None when no row has it."""
    with transaction.atomic():
        row = Subscription.objects.select_for_update().filter(token=token).first()
        if row is None:
            return None
        if row.confirmed_at is None:
            row.confirmed_at = timezone.now()
            row.save(update_fields=["confirmed_at"])
        return row


def unsubscribe(token: str):
    """Deletes the row behind ``token``: its plan, or None when no row has it (already gone)."""
    with transaction.atomic():
        row = (
            Subscription.objects.select_for_update()
            .select_related("plan")
            .filter(token=token)
            .first()
        )
        if row is None:
            return None
        plan = row.plan
        row.delete()
        return plan


def forget(email: str) -> int:
    """Deletes every subscription of ``email`` (a deletion request); how many rows."""
    deleted, _by_model = Subscription.objects.filter(email__iexact=email.strip()).delete()
    return deleted


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _links(row: Subscription) -> dict:
    with translation.override(row.language):
        return {
            "confirm": _absolute(reverse("subscription_confirm", args=[row.token])),
            "unsubscribe": _absolute(reverse("subscription_unsubscribe", args=[row.token])),
            "plan": _absolute(reverse("plan_detail", args=[row.plan.slug])),
        }


def _unsubscribe_headers(url: str) -> dict:
    # RFC 8058: a mail client may unsubscribe with one POST of "List-Unsubscribe=One-Click" to
    # the https URL, without opening a page (the view takes it without cookies or CSRF token).
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@task
def send_confirmation(subscription_id: int) -> bool:
    """Mails the confirmation link; False when the row is gone or already confirmed."""
    row = Subscription.objects.select_related("plan").filter(pk=subscription_id).first()
    if row is None or row.confirmed_at is not None:
        return False
    links = _links(row)
    with translation.override(row.language):
        title = localised(row.plan, "title")
        subject = _("【確認】「%(plan)s」の公表のお知らせの登録") % {"plan": title}
        body = _(
            "「%(plan)s」の結果が公表されたときにお知らせするメールの登録を受け付けました。\n"
            "登録を完了するには、次のページを開いて「登録する」を押してください。\n\n"
            "%(confirm)s\n\n"
            "心当たりのない場合は、このメールを破棄してください。登録は完了せず、"
            "メールは届きません。"
        ) % {"plan": title, "confirm": links["confirm"]}
    message = mail.EmailMessage(
        subject, body, to=[row.email], headers=_unsubscribe_headers(links["unsubscribe"])
    )
    mail.mailers.default.send_messages([message])
    return True


@task
def mail_publication(publication_id: int) -> int:
    """Mails every confirmed subscriber of the publication's plan; how many mails went out."""
    publication = Publication.objects.select_related("round__plan").get(pk=publication_id)
    plan = publication.round.plan
    summary = summary_of(publication)
    bands = rating_rules.bands_for([(publication, plan)]).get(publication.pk)
    rows = Subscription.objects.filter(plan=plan, confirmed_at__isnull=False).exclude(
        last_publication_mailed__gte=publication.pk
    )
    sent = 0
    mailer = mail.mailers.default
    with mailer:  # one SMTP connection for the whole batch
        for row in rows.select_related("plan").order_by("pk"):
            links = _links(row)
            with translation.override(row.language):
                title = localised(plan, "title")
                shown = rating_rules.headline(plan, summary, row.language, bands)
                subject = _("「%(plan)s」%(asof)sの結果が公表されました") % {
                    "plan": title,
                    "asof": asof(publication.round),
                }
                lines = [
                    subject,
                    "",
                    _("達成%(a)d項目 / 評価対象%(e)d項目（評価対象外%(x)d項目）")
                    % {"a": summary.achieved, "e": summary.evaluated, "x": summary.excluded},
                ]
                if shown.exists:
                    lines.append(f"{shown.rule.name}：{shown.display}")
                lines += [
                    "",
                    _("詳しくは：%(url)s") % {"url": links["plan"]},
                    "",
                    _("配信の停止：%(url)s") % {"url": links["unsubscribe"]},
                ]
            message = mail.EmailMessage(
                subject,
                "\n".join(lines),
                to=[row.email],
                headers=_unsubscribe_headers(links["unsubscribe"]),
            )
            mailer.send_messages([message])
            # Marked one by one: a task retried after a crash skips who already got it.
            Subscription.objects.filter(pk=row.pk).update(last_publication_mailed=publication.pk)
            sent += 1
    return sent


def enqueue_publication_mail(publication: Publication) -> None:
    """Called inside the publishing transaction: the mail is queued once it commits."""
    pk = publication.pk
    transaction.on_commit(lambda: mail_publication.enqueue(pk))
