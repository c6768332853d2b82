"""E-mail subscription pages (evaluations.subscriptions): subscribe to a plan, confirm, leave.

None of these is a cached public page (each form carries a CSRF token, except the one-click
unsubscribe, which RFC 8058 mail clients POST without cookies). None shows an address."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from evaluations import subscriptions
from initiatives.models import Plan
from reformtracker.display import language

TEMPLATE = "evaluations/subscription.html"


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形が正しくありません（例：name@example.jp）。"),
        },
    )


@require_http_methods(["GET", "POST"])
def subscribe(request, slug):
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscriptions.subscribe(plan=plan, email=form.cleaned_data["email"], language=language())
        return redirect("subscription_sent", slug=plan.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, TEMPLATE, {"state": "form", "plan": plan, "form": form}, status=status)


def sent(request, slug):
    plan = get_object_or_404(Plan, slug=slug)
    return render(request, TEMPLATE, {"state": "sent", "plan": plan})


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    if request.method == "GET":
        # Mail scanners open links: only the button (a POST) confirms.
        row = subscriptions.Subscription.objects.select_related("plan").filter(token=token).first()
        if row is None:
            raise Http404
        return render(request, TEMPLATE, {"state": "confirm", "plan": row.plan, "token": token})
    row = subscriptions.confirm(token)
    if row is None:
        raise Http404
    return render(request, TEMPLATE, {"state": "confirmed", "plan": row.plan, "token": token})


@csrf_exempt  # RFC 8058: the one-click POST comes from a mail client, without cookies
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    if request.method == "GET":
        row = subscriptions.Subscription.objects.select_related("plan").filter(token=token).first()
        if row is None:
            return render(request, TEMPLATE, {"state": "gone"}, status=404)
        return render(request, TEMPLATE, {"state": "unsubscribe", "plan": row.plan, "token": token})
    plan = subscriptions.unsubscribe(token)
    # Already gone is not an error for a one-click client: the address is not subscribed.
    return render(request, TEMPLATE, {"state": "unsubscribed", "plan": plan})
