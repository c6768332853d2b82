"""The plan's notes (振り返り・方針) by 年度 and kind: the list with its add form, a note's edit
page, and its move and delete buttons."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import office_forms
from evaluations.office_responses import (
    edit_page,
    list_page,
    office_page,
    token_action,
    with_tokens,
)
from evaluations.services import plan_edits
from initiatives.models import PlanNote
from reformtracker.calendar_ja import fiscal_year_of


def _list_url(plan) -> str:
    return reverse("office_edit:notes", args=[plan.slug])


def _note(plan, pk):
    return get_object_or_404(PlanNote, plan=plan, pk=pk)


@office_page("GET", "POST")
def notes(request, plan):
    """The plan's notes by 年度 and kind, with their order, and the form to add one."""
    form = office_forms.NoteForm(
        request.POST or None,
        instance=PlanNote(plan=plan),
        initial={"fiscal_year": fiscal_year_of(timezone.localdate())},
    )
    return list_page(
        request,
        plan,
        form,
        lambda values: plan_edits.add_note(user=request.user, plan_id=plan.pk, values=values),
        notice=lambda note: _("「%(note)s」を登録しました。") % {"note": note},
        next_url=_list_url(plan),
        template="evaluations/office/notes.html",
        # The plan is read with each note: the token digests every field, its plan's name too.
        context=lambda: {
            "notes": with_tokens(
                plan.notes.select_related("plan").order_by("fiscal_year", "kind", "order")
            )
        },
    )


@office_page("GET", "POST")
def note_edit(request, plan, pk):
    note = _note(plan, pk)
    return edit_page(
        request,
        plan=plan,
        obj=note,
        form_class=office_forms.NoteEditForm,
        save=lambda data: plan_edits.edit_note(
            user=request.user, note_id=note.pk, token=data["token"], values=data
        ),
        title=_("振り返り・方針の編集：%(note)s") % {"note": note},
        back=_list_url(plan),
        notice=_("「%(note)s」を保存しました。") % {"note": note},
        delete_url=reverse("office_edit:note_delete", args=[plan.slug, note.pk]),
    )


@office_page("POST")
def note_move(request, plan, pk):
    note = _note(plan, pk)
    return token_action(
        request,
        _list_url(plan),
        lambda data: plan_edits.move_note(
            user=request.user,
            note_id=note.pk,
            token=data["token"],
            direction=data["direction"] or "up",
        ),
        _("「%(note)s」の順番を変えました。") % {"note": note},
    )


@office_page("POST")
def note_delete(request, plan, pk):
    note = _note(plan, pk)
    return token_action(
        request,
        _list_url(plan),
        lambda data: plan_edits.delete_note(
            user=request.user, note_id=note.pk, token=data["token"]
        ),
        _("「%(note)s」を削除しました（変更履歴に内容が残ります）。") % {"note": note},
    )
