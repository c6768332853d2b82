"""Staff pages: the worklist, editing an entry, evidence, and the reform office's rounds.

Every object is fetched through evaluations.access (outside a user's reach: 404) and every
change goes through evaluations.services (not allowed: 403, refused: a Japanese message). Each
page is one template whose ``{% partialdef %}`` fragments htmx swaps in place; without
JavaScript the same forms post normally and redirect (POST/redirect/GET).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from evaluations import access, history, reminders, services, workflow
from evaluations import evidence as evidence_files
from evaluations.choices import EntryState, RoundState
from evaluations.models import Entry, Round
from evaluations.staff_forms import (
    BulkForm,
    EntryForm,
    EvidenceForm,
    ReopenForm,
    RoundForm,
    SubmitReadyForm,
    TransitionForm,
    WorklistFilter,
)
from initiatives.models import Department, Pillar, Plan
from reformtracker.calendar_ja import format_date_ja
from reformtracker.forms import add_errors
from reformtracker.htmx_auth import login_required

CONFLICT = 409
INVALID = 422
HISTORY_ON_ENTRY_PAGE = 20


# Sign-in required; a signed-out htmx request (a session that timed out) is sent to the
# sign-in page, and back to the staff page it was on.
staff_login_required = login_required(fallback="/staff/")


def _error_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


class LogoutWithNotice(LogoutView):
    """Signing out says so on the page it lands on (the session is new; the message is kept
    until that page shows it)."""

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, _("ログアウトしました。"))
        return response


# --- worklist ----------------------------------------------------------------------------------


@require_GET
@staff_login_required
def worklist(request):
    """「担当の取組項目」: the user's entries in open rounds, with state, due date and overdue mark."""
    today = timezone.localdate()
    entries = access.entries_for(request.user).filter(round__state=RoundState.OPEN)
    plans = list(Plan.objects.filter(pk__in=entries.values("round__plan")).order_by("order"))
    pillars = list(
        Pillar.objects.filter(pk__in=entries.values("initiative__pillar"))
        .select_related("plan")
        .order_by("plan__order", "order")
    )
    filters = WorklistFilter(request.GET or None, plans=plans, pillars=pillars)
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("plan"):
            entries = entries.filter(round__plan_id=data["plan"])
        if data.get("pillar"):
            entries = entries.filter(initiative__pillar_id=data["pillar"])
        if data.get("state"):
            entries = entries.filter(state=data["state"])
    rows = [
        {
            "entry": e,
            "overdue": bool(
                e.round.due_on and e.round.due_on < today and e.state in workflow.STAFF_EDITABLE
            ),
        }
        for e in entries.order_by("round__due_on", "round__plan__order", "initiative__order")
    ]
    template = "evaluations/staff/worklist.html"
    if request.htmx:
        template += "#table"
    ready = list(services.ready_to_submit(request.user))
    return render(
        request, template, {"rows": rows, "filters": filters, "today": today, "ready": ready}
    )


@require_POST
@staff_login_required
def submit_ready(request):
    """「入力済みの回答をまとめて提出」: the department's ready answers, all or none."""
    form = SubmitReadyForm(request.POST)
    if not form.is_valid():
        for message in form.non_field_errors():
            messages.error(request, message)
        return redirect("staff:worklist")
    try:
        done = services.submit_ready(user=request.user, items=form.items)
    except ValidationError as exc:
        messages.error(
            request,
            _("次の回答を提出できないため、どれも提出していません：%(rows)s")
            % {"rows": "／".join(exc.messages)},
        )
    else:
        messages.success(
            request,
            _("%(count)d件を提出しました：%(rows)s")
            % {
                "count": len(done),
                "rows": "、".join(f"{e.initiative.code} {e.initiative.title}" for e in done),
            },
        )
    return redirect("staff:worklist")


# --- one entry ---------------------------------------------------------------------------------


def _entry_context(request, entry: Entry, fragment: str = "", **extra) -> dict:
    """What the page (or ``fragment``) shows. The "saved" fragment needs only the entry, its
    actions and the new history row, so the forms are not built for it."""
    roles = access.roles_for(request.user, entry)
    actions = (
        workflow.allowed_actions(request.user, roles, entry.state)
        if entry.round.state == RoundState.OPEN
        else []
    )
    can_edit = workflow.Action.EDIT in actions
    context = {
        "entry": entry,
        "initiative": entry.initiative,
        "can_edit": can_edit,
        "can_submit": workflow.Action.SUBMIT in actions,
    }
    if fragment == "saved":
        context.update(extra)
        return context
    context |= {
        "can_review": workflow.Action.RETURN in actions or workflow.Action.CONFIRM in actions,
        "can_confirm": workflow.Action.CONFIRM in actions,
        "round_closed": entry.round.state != RoundState.OPEN,
        # Submitted or further: evidence waits for a 差戻し (the page says so instead of a form).
        "evidence_locked": entry.state not in workflow.STAFF_EDITABLE,
        "evidence": entry.evidence.filter(removed_at__isnull=True).select_related("added_by"),
        "evidence_form": EvidenceForm(),
        "max_upload": evidence_files.max_bytes(),
        "allowed_types": evidence_files.allowed_label(),
        "history_limit": HISTORY_ON_ENTRY_PAGE,
        "transition_form": TransitionForm(initial={"version": entry.version}),
    }
    if "form" not in extra:
        context["form"] = EntryForm.for_entry(entry) if can_edit else None
    if "history_new" not in extra:
        # The newest changes only: the initiative page has them all, and an entry edited
        # hundreds of times must not make every page render hundreds of rows.
        context["history_rows"] = history.staff_rows(
            entry.initiative, limit=HISTORY_ON_ENTRY_PAGE + 1
        )
    context.update(extra)
    return context


def _render_entry(
    request, entry, fragment: str = "form", status: int = 200, recorded=None, **extra
):
    """The page, or with htmx one fragment of it. ``recorded``: the history event the request
    just wrote; htmx gets that one row to put on top of the table the browser already shows
    (re-rendering the table was most of a save's cost)."""
    template = "evaluations/staff/entry_edit.html"
    if request.htmx:
        template += f"#{fragment}"
        if recorded is not None:
            extra["history_new"] = [history.staff_row(recorded)]
    context = _entry_context(request, entry, fragment=fragment if request.htmx else "", **extra)
    return render(request, template, context, status=status)


def _conflict_rows(their_changes: dict) -> list:
    rows = history.changes_of(their_changes)
    for row in rows:
        row.by = their_changes[row.field].get("by", "")
    return rows


def _conflict_response(request, exc: services.Conflict, form=None, fragment="form"):
    """The form comes back with the user's text kept and the current version, so saving again
    re-applies it on top of the other person's change — after they have seen it."""
    entry = access.entry_for_user(request.user, exc.entry.pk)
    if form is not None:
        data = form.data.copy()
        data["version"] = entry.version
        form = EntryForm(data)
        form.is_valid()
    return _render_entry(
        request,
        entry,
        fragment=fragment,
        status=CONFLICT,
        form=form,
        conflict=_conflict_rows(exc.their_changes),
        error=str(exc),
        oob=True,
    )


@require_http_methods(["GET", "POST"])
@staff_login_required
def entry_edit(request, pk):
    """Shows an entry (with its evidence and history) and saves the department's answer."""
    entries = access.entries_for(request.user)
    if request.method == "POST":
        # A save renders the answer panel at most, which names neither pillar nor department
        # (and updated_by becomes the user): fewer joins for the most frequent request.
        entries = entries.select_related(None).select_related("round__plan", "initiative")
    entry = access.entry_for_user(request.user, pk, entries)
    if request.method == "GET":
        return _render_entry(request, entry)
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _render_entry(request, entry, status=INVALID, form=form)
    state_before = entry.state
    try:
        entry = services.edit_entry(
            user=request.user,
            entry_id=entry.pk,
            expected_version=form.cleaned_data["version"],
            values=form.cleaned_data,
            entry=entry,
            change_token=form.cleaned_data["change_token"],
        )
    except services.Conflict as exc:
        return _conflict_response(request, exc, form)
    except ValidationError as exc:
        add_errors(form, exc)
        return _render_entry(request, entry, status=INVALID, form=form)
    if entry.already_saved:
        # The same form sent again after its save was committed (the answer was lost on the
        # way): say so, and show the panel as it now is, the saved change in its history.
        notice = _(
            "この変更はすでに保存されています（前回の送信で保存が完了していました）。"
            "二重には保存していません。"
        )
        if request.htmx:
            return _render_entry(request, entry, notice=notice, oob=True)
        messages.success(request, notice)
        return redirect("staff:entry", pk=entry.pk)
    notice = _("保存しました（入力中）。内容が確定したら「提出」してください。")
    if request.htmx:
        # The service brought ``entry`` up to date in memory (state, version, updated_by).
        if entry.state == state_before and not request.POST.get("redraw"):
            # The common case, saving again while 入力中: leave the form as the user has it
            # and refresh what the save changed around it.
            response = _render_entry(
                request,
                entry,
                fragment="saved",
                notice=notice,
                recorded=entry.recorded_event,
                # The form stays on the page: its next save is a new change, with a new token.
                next_change_token=uuid.uuid4(),
            )
            return reswap(retarget(response, "#entry-notice"), "innerHTML")
        # The state changed (提出 may now be offered, a 差戻し comment is settled) or the form
        # shows errors or a conflict from an earlier try: the whole panel anew.
        return _render_entry(request, entry, notice=notice, oob=True, recorded=entry.recorded_event)
    messages.success(request, notice)
    return redirect("staff:entry", pk=entry.pk)


TRANSITION_NOTICES = {
    workflow.Action.SUBMIT: gettext_lazy("提出しました。市政改革室の確認をお待ちください。"),
    workflow.Action.RETURN: gettext_lazy("差し戻しました。"),
    workflow.Action.CONFIRM: gettext_lazy("確認済にしました。"),
}


@require_POST
@staff_login_required
def entry_transition(request, pk, action):
    """Submit (所管課), return or confirm (市政改革室) one entry."""
    if action not in TRANSITION_NOTICES:
        raise Http404
    entry = access.entry_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        # The comment's own message (too long, a control character) with the general one.
        problems = [message for errors in form.errors.values() for message in errors]
        return _render_entry(
            request,
            entry,
            status=INVALID,
            transition_form=form,
            error=" ".join([_("入力内容を確認してください。"), *problems]),
        )
    try:
        entry = services.transition_entry(
            user=request.user,
            entry_id=entry.pk,
            expected_version=form.cleaned_data["version"],
            action=action,
            comment=form.cleaned_data["comment"],
        )
    except services.Conflict as exc:
        return _conflict_response(request, exc)
    except ValidationError as exc:
        return _render_entry(
            request,
            entry,
            status=INVALID,
            transition_form=form,
            error=" ".join(_error_messages(exc)),
        )
    notice = str(TRANSITION_NOTICES[action])
    if request.htmx:
        recorded = entry.recorded_event
        entry = access.entries_for(request.user).get(pk=entry.pk)
        # The evidence panel too: after 提出 (or 差戻し) what may be done with evidence changed,
        # and a form that would only be refused must not stay on the page.
        return _render_entry(
            request, entry, notice=notice, oob=True, recorded=recorded, evidence_oob=True
        )
    messages.success(request, notice)
    return redirect("staff:entry", pk=entry.pk)


# --- evidence ----------------------------------------------------------------------------------


@require_POST
@staff_login_required
def evidence_add(request, pk):
    entry = access.entry_for_user(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            item = services.add_evidence(
                user=request.user,
                entry_id=entry.pk,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
    if form.errors:
        return _render_entry(
            request, entry, fragment="evidence", status=INVALID, evidence_form=form
        )
    notice = _("根拠資料を登録しました。")
    return _evidence_changed(request, entry, notice, item.recorded_event)


def _evidence_changed(request, entry, notice, recorded):
    """After evidence is added or removed: htmx gets the evidence panel, with the entry's new
    version and state out of band and the new history row; a plain form a redirect."""
    if request.htmx:
        entry = access.entries_for(request.user).get(pk=entry.pk)  # a new version and state
        return _render_entry(
            request,
            entry,
            fragment="evidence",
            evidence_notice=notice,
            oob=True,
            recorded=recorded,
        )
    messages.success(request, notice)
    return redirect("staff:entry", pk=entry.pk)


@require_POST
@staff_login_required
def evidence_remove(request, pk):
    item = access.evidence_for_user(request.user, pk)
    entry = access.entries_for(request.user).get(pk=item.entry_id)
    try:
        item = services.remove_evidence(user=request.user, evidence_id=item.pk)
    except ValidationError as exc:
        return _render_entry(
            request,
            entry,
            fragment="evidence",
            status=INVALID,
            evidence_error=" ".join(_error_messages(exc)),
        )
    notice = _("根拠資料「%(title)s」を削除しました。") % {"title": item.title}
    return _evidence_changed(request, entry, notice, item.recorded_event)


@require_GET
@staff_login_required
def evidence_download(request, pk):
    """Streams an evidence file to someone who may see its entry; never a public URL."""
    item = access.evidence_for_user(request.user, pk, kind="file")
    try:
        handle = evidence_files.storage().open(item.file_path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.file_name, content_type=item.content_type
    )
    # Belt and braces against a file that a browser might still try to render.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- rounds (reform office) --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_login_required
def round_list(request):
    """The reform office's rounds, with entry counts per state, and the form to open a round."""
    access.require_round_manager(request.user)
    plans = Plan.objects.managed_by(request.user)
    form = RoundForm(request.POST or None, plans=plans, initial=_next_round_initial(plans))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                round_ = services.open_round(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("照会「%(round)s」を開始しました（取組項目%(count)d件）。")
                    % {"round": round_, "count": round_.entries.count()},
                )
                today = timezone.localdate()
                if round_.due_on and round_.due_on < today:
                    messages.warning(
                        request,
                        _(
                            "提出期限の%(due)sは既に過ぎています。所管課には開始と同時に"
                            "期限超過として表示されます。期限を確かめてください。"
                        )
                        % {"due": format_date_ja(round_.due_on)},
                    )
                return redirect("staff:round", pk=round_.pk)
        status = INVALID
    counts = {
        state: Count("entries", filter=Q(entries__state=state)) for state in EntryState.values
    }
    rounds = (
        Round.objects.filter(plan__in=plans)
        .select_related("plan")
        .annotate(total=Count("entries"), **counts)
        .order_by("-as_of", "plan__order")
    )
    return render(
        request,
        "evaluations/staff/round_list.html",
        {"rounds": rounds, "form": form, "states": EntryState},
        status=status,
    )


def _next_round_initial(plans) -> dict:
    """The form's first guess: the fiscal year after the office's latest round, year end."""
    plan = plans.order_by("order").first()
    year = services.next_fiscal_year(plan) if plan else None
    return {"plan": plan, "fiscal_year": year} if year else {}


def _round_page(request, round_, status=200, **extra):
    entries = round_.entries.select_related(
        "initiative__pillar", "initiative__department", "updated_by"
    ).order_by("initiative__pillar__order", "initiative__order")
    today = timezone.localdate()
    context = {
        "round": round_,
        "entries": entries,
        "bulk_form": BulkForm(),
        "is_open": round_.state == RoundState.OPEN,
        "is_published": round_.state == RoundState.PUBLISHED,
        "publications": round_.publications.order_by("-published_at"),
        "publishable": round_.state != RoundState.PUBLISHED
        and not round_.entries.not_ready_to_publish().exists(),
        "overdue": reminders.overdue_entries(today, round_).count(),
        "reopen_form": ReopenForm(),
        # The round's own events (opened, closed, published, reopened, reminders), newest first.
        "round_history": round_.history.filter(entry__isnull=True).order_by("-at", "-id")[:20],
    }
    context.update(extra)
    template = "evaluations/staff/round_detail.html"
    if request.htmx:
        template += "#entries"
        context["oob"] = True
    return render(request, template, context, status=status)


@require_GET
@staff_login_required
def round_detail(request, pk):
    return _round_page(request, access.round_for_manager(request.user, pk))


@require_POST
@staff_login_required
def round_bulk(request, pk):
    """Return or confirm the ticked entries together (each still gets its own history row).

    Rows that cannot take the action are named with their reason, and the page offers to apply
    it to the rest (``skip_refused``)."""
    round_ = access.round_for_manager(request.user, pk)
    form = BulkForm(request.POST)
    if form.is_valid():
        ids = {pk for pk, _v in form.items}
        if round_.entries.filter(pk__in=ids).count() != len(ids):
            form.add_error(None, _("この照会にない回答が含まれています。"))
    refused = None
    if form.is_valid():
        try:
            done = services.bulk_transition(
                user=request.user,
                items=form.items,
                action=form.cleaned_data["action"],
                comment=form.cleaned_data["comment"],
                skip_refused=request.POST.get("skip_refused") == "1",
            )
        except services.BulkRefused as exc:
            refused = exc
        except services.Conflict as exc:
            form.add_error(
                None,
                _("「%(title)s」はほかの人が更新したため、一括操作を取り消しました（変更なし）。")
                % {"title": exc.entry.initiative.title},
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            notice = _("%(count)d件を処理しました。") % {"count": len(done)}
            if done.skipped:
                notice += " " + _("対象外にした回答：%(rows)s") % {
                    "rows": "／".join(str(r) for r in done.skipped)
                }
            if request.htmx:
                return _round_page(request, round_, notice=notice)
            messages.success(request, notice)
            return redirect("staff:round", pk=round_.pk)
    return _round_page(
        request,
        round_,
        status=INVALID,
        bulk_form=form,
        refused=refused,
        ticked=request.POST.getlist("entries"),
    )


@require_POST
@staff_login_required
def round_close(request, pk):
    round_ = access.round_for_manager(request.user, pk)
    try:
        services.close_round(user=request.user, round_id=round_.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("照会を締め切りました。以後、回答は変更できません。"))
    return redirect("staff:round", pk=round_.pk)


def _preview_token(preview) -> str:
    """What the confirmation page showed, as the entries' ids and versions: a 公表 sent from a
    page that no longer matches the round is asked to confirm again."""
    return ",".join(f"{e.pk}:{e.version}" for e in preview.entries)


@require_GET
@staff_login_required
def round_publish_confirm(request, pk):
    """The confirmation page of 公表: what would become public, and what changes."""
    round_ = access.round_for_manager(request.user, pk)
    preview = services.publish_preview(round_)
    return render(
        request,
        "evaluations/staff/round_publish.html",
        {"round": round_, "preview": preview, "token": _preview_token(preview)},
    )


@require_POST
@staff_login_required
def round_publish(request, pk):
    round_ = access.round_for_manager(request.user, pk)
    shown = request.POST.get("shown")
    if shown is not None and shown != _preview_token(services.publish_preview(round_)):
        messages.warning(
            request,
            _(
                "確認画面を表示した後に回答が変わりました。内容を確かめてから、もう一度公表してください。"
            ),
        )
        return redirect("staff:round_publish_confirm", pk=round_.pk)
    try:
        publication = services.publish_round(user=request.user, round_id=round_.pk)
    except services.AlreadyPublished as exc:
        # A second click (or a second tab): the first one published; say so, not an error.
        messages.info(request, exc.messages[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if publication.is_correction:
            messages.success(
                request,
                _("訂正を公表しました。公開ページには訂正の内容が表示されます。")
                + " "
                + services.correction_text(publication.corrections),
            )
        else:
            messages.success(
                request, _("公表しました。公開ページの数値はこの時点に切り替わりました。")
            )
    return redirect("staff:round", pk=round_.pk)


@require_POST
@staff_login_required
def round_reopen(request, pk):
    """Reopens a published round to correct it (its next publication is a 訂正)."""
    round_ = access.round_for_manager(request.user, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_round(
                user=request.user, round_id=round_.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "訂正のため照会を再開しました。訂正する回答を差し戻し、確認してから、"
                    "もう一度公表してください。公開ページは再公表まで元の内容のままです。"
                ),
            )
            return redirect("staff:round", pk=round_.pk)
    return _round_page(request, round_, status=INVALID, reopen_form=form)


@require_GET
@staff_login_required
def round_overdue(request, pk):
    """The office's overdue list of a round: per department, its entries past the due date."""
    round_ = access.round_for_manager(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "evaluations/staff/round_overdue.html",
        {
            "round": round_,
            "today": today,
            "departments": reminders.overdue_by_department(round_, today),
        },
    )


@require_POST
@staff_login_required
def round_remind(request, pk, department):
    """One click: mail the department its overdue entries of this round, with links."""
    round_ = access.round_for_manager(request.user, pk)
    target = Department.objects.filter(
        pk=department, municipality_id=round_.plan.municipality_id
    ).first()
    if target is None:
        raise Http404
    try:
        count = services.send_reminder(
            user=request.user,
            round_id=round_.pk,
            department_id=target.pk,
            today=timezone.localdate(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(department)sに督促メールを送りました（%(count)d件）。")
            % {"department": target.name, "count": count},
        )
    return redirect("staff:round_overdue", pk=round_.pk)
