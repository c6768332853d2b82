"""The plan's initiatives (取組項目): the list with its add form, and an initiative's page with
its forms: edit, move to another pillar, retire, reinstate, a new number, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations import office_forms
from evaluations.office_responses import (
    done,
    edit_object,
    list_page,
    office_page,
    submit,
)
from evaluations.services import plan_edits
from evaluations.services.plan_edits import Stale
from initiatives.models import Initiative


def _initiative(plan, code):
    return get_object_or_404(
        Initiative.objects.select_related("pillar", "department"), plan=plan, code=code
    )


def _initiative_url(plan, code) -> str:
    return reverse("office_edit:initiative", args=[plan.slug, code])


@office_page("GET", "POST")
def initiatives(request, plan):
    """The plan's initiatives (retired ones marked), and the form to add one."""
    form = office_forms.InitiativeForm(request.POST or None, instance=Initiative(plan=plan))
    return list_page(
        request,
        plan,
        form,
        lambda values: plan_edits.add_initiative(user=request.user, plan_id=plan.pk, values=values),
        notice=lambda item: _("取組項目「%(title)s」を登録しました。") % {"title": item.title},
        next_url=lambda item: _initiative_url(plan, item.code),
        template="evaluations/office/initiatives.html",
        context=lambda: {
            "items": plan.initiatives.select_related("pillar", "department")
            .annotate(evaluations=Count("entries", distinct=True))
            .order_by("pillar__order", "order", "code")
        },
    )


def _initiative_page(request, plan, item, status=200, **forms):
    """The initiative's page with its forms (``forms``: a refused one under its context name);
    with htmx and a refusal, the fragment ``forms["fragment"]`` (default: the edit form)."""
    count = plan_edits.evaluation_count(item.pk)
    context = {
        "plan": plan,
        "item": item,
        "evaluations": count,
        "form": forms.get("form") or office_forms.InitiativeEditForm(instance=item),
        "move_form": forms.get("move_form")
        or office_forms.MoveForm(initiative=item, prefix="move"),
        "retire_form": forms.get("retire_form")
        or office_forms.RetireForm(initiative=item, prefix="retire"),
        "number_form": forms.get("number_form")
        or office_forms.NumberForm(initiative=item, prefix="number"),
        "reinstate_form": forms.get("reinstate_form")
        or office_forms.ReinstateForm(initiative=item, prefix="reinstate"),
        "token": plan_edits.edit_token(item),
        "conflict": forms.get("conflict"),
    }
    template = "evaluations/office/initiative_edit.html"
    if request.htmx and status != 200:
        template += "#" + forms.get("fragment", "form")
    return render(request, template, context, status=status)


@office_page("GET", "POST")
def initiative_edit(request, plan, code):
    item = _initiative(plan, code)

    def page(form, status, conflict):
        # A refusal shows the item as stored now.
        shown = item if status == 200 else _initiative(plan, code)
        return _initiative_page(request, plan, shown, status, form=form, conflict=conflict)

    return edit_object(
        request,
        item,
        office_forms.InitiativeEditForm,
        lambda data: plan_edits.edit_initiative(
            user=request.user, initiative_id=item.pk, token=data["token"], values=data
        ),
        notice=lambda saved: _("取組項目「%(title)s」を保存しました。") % {"title": saved.title},
        next_url=_initiative_url(plan, item.code),
        page=page,
    )


def _initiative_action(request, plan, item, form, act, notice, fragment, next_url=None):
    """One of the forms of the initiative's page: saved, back to the page (or ``next_url``);
    refused, the page (with htmx its ``fragment``) with the form and its errors, 422 or 409."""
    sent = submit(
        request,
        form,
        act,
        notice=notice,
        next_url=next_url or _initiative_url(plan, item.code),
    )
    if sent.response is not None:
        return sent.response
    item = _initiative(plan, item.code)
    return _initiative_page(
        request, plan, item, sent.status, fragment=fragment, **{fragment: sent.form}
    )


@office_page("POST")
def initiative_move(request, plan, code):
    item = _initiative(plan, code)
    form = office_forms.MoveForm(request.POST, initiative=item, prefix="move")
    return _initiative_action(
        request,
        plan,
        item,
        form,
        lambda data: plan_edits.move_initiative(
            user=request.user,
            initiative_id=item.pk,
            token=data["token"],
            pillar_id=data["pillar"].pk,
        ),
        _("「%(title)s」を別の柱に移しました。") % {"title": item.title},
        "move_form",
    )


@office_page("POST")
def initiative_retire(request, plan, code):
    item = _initiative(plan, code)
    form = office_forms.RetireForm(request.POST, initiative=item, prefix="retire")
    return _initiative_action(
        request,
        plan,
        item,
        form,
        lambda data: plan_edits.retire_initiative(
            user=request.user, initiative_id=item.pk, token=data["token"], reason=data["reason"]
        ),
        _("「%(title)s」を廃止しました。過去の評価結果と履歴は残ります。") % {"title": item.title},
        "retire_form",
    )


@office_page("POST")
def initiative_reinstate(request, plan, code):
    item = _initiative(plan, code)
    form = office_forms.ReinstateForm(request.POST, initiative=item, prefix="reinstate")
    return _initiative_action(
        request,
        plan,
        item,
        form,
        lambda data: plan_edits.reinstate_initiative(
            user=request.user, initiative_id=item.pk, token=data["token"], reason=data["reason"]
        ),
        _("「%(title)s」の廃止を取り消しました。次に開始する照会から対象になります。")
        % {"title": item.title},
        "reinstate_form",
    )


@office_page("POST")
def initiative_renumber(request, plan, code):
    """A new 取組番号; on success the browser goes to the item's page at its new address."""
    item = _initiative(plan, code)
    form = office_forms.NumberForm(request.POST, initiative=item, prefix="number")
    return _initiative_action(
        request,
        plan,
        item,
        form,
        lambda data: plan_edits.renumber_initiative(
            user=request.user, initiative_id=item.pk, token=data["token"], code=data["code"]
        ),
        lambda renumbered: (
            _("取組番号を「%(old)s」から「%(new)s」に変えました。")
            % {"old": item.code, "new": renumbered.code}
        ),
        "number_form",
        next_url=lambda renumbered: _initiative_url(plan, renumbered.code),
    )


@office_page("POST")
def initiative_delete(request, plan, code):
    item = _initiative(plan, code)
    form = office_forms.TokenForm(request.POST)
    if not form.is_valid():
        return redirect("office_edit:initiative", plan.slug, item.code)
    try:
        plan_edits.delete_initiative(
            user=request.user, initiative_id=item.pk, token=form.cleaned_data["token"]
        )
    except (Stale, ValidationError) as exc:
        message = str(exc) if isinstance(exc, Stale) else " ".join(exc.messages)
        messages.error(request, message)
        return redirect("office_edit:initiative", plan.slug, item.code)
    return done(
        request,
        _("取組項目「%(title)s」を削除しました（変更履歴に内容が残ります）。")
        % {"title": item.title},
        reverse("office_edit:initiatives", args=[plan.slug]),
    )
