"""The reform office's edit pages of its own plan (/office/plans/<slug>/…): plan, notes, pillars
and narratives, initiatives, the schedule grid.

The plan comes through evaluations.access.plan_for_manager (another city's plan or department
staff: 404; an office member without the permission: 403), every object inside it is looked up
within the plan (404 otherwise), and every change goes through evaluations.services.plan_edits.
Forms post normally and redirect (POST/redirect/GET); with htmx the form fragment is swapped in
place (422 refused input, 409 somebody saved first) and a success sends the browser on.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from evaluations import access, labels, office_forms, published
from evaluations.choices import RoundKind
from evaluations.models import PillarNarrative
from evaluations.services import plan_edits
from evaluations.services.plan_edits import Stale
from initiatives.models import AnalysisCluster, Initiative, Pillar, PlanNote
from reformtracker.calendar_ja import fiscal_year_of, fy_label_ja
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane

CONFLICT = 409
INVALID = 422


def office_login_required(view):
    """login_required that sends an htmx request of a signed-out user to the sign-in page
    rather than swapping the sign-in form into a fragment."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                return HttpResponseClientRedirect(
                    redirect_to_login(request.htmx.current_url_abs_path or "/office/").url
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _plan(request, slug):
    return access.plan_for_manager(request.user, slug)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _done(request, notice: str, url: str):
    messages.success(request, notice)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _add(request, form, add, done):
    """The add form of a list page: on POST, saves through ``add(cleaned_data)`` and returns
    (the redirect, None), ``done(obj)`` giving its notice and address; otherwise (None, the
    status to render the page with: 200, or 422 with the errors at their fields)."""
    if request.method != "POST":
        return None, 200
    if form.is_valid():
        try:
            obj = add(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, *done(obj)), None
    return None, INVALID


def _render(request, template, context, status=200):
    if request.htmx and status != 200:
        template += "#form"
    return render(request, template, context, status=status)


def _conflict_rows(form, current: dict) -> list[tuple[str, str]]:
    """The stored value of each field where it differs from what the editor sent (a choice of
    an object compared by its name, as history keeps it)."""
    rows = []
    for name, field in form.fields.items():
        if name == "token" or name not in current:
            continue
        sent = form[name].value()
        if isinstance(field, forms.ModelChoiceField):
            chosen = field.queryset.filter(pk=sent).first() if sent not in (None, "") else None
            sent = str(chosen) if chosen is not None else ""
        stored = current[name]
        if str(stored if stored is not None else "") != str(sent if sent is not None else ""):
            rows.append((str(field.label), str(stored) if stored not in ("", None) else "—"))
    return rows


def _with_fresh_token(request, stale: Stale):
    """The editor's values with the token of the row as stored now: after reading what the
    other person saved, saving again is a deliberate overwrite."""
    data = request.POST.copy()
    data["token"] = plan_edits.edit_token(stale.obj)
    return data


def _edit(request, *, plan, obj, form_class, save, title, back, notice, **extra):
    """The edit page of one object (object_form.html): GET shows the form, POST saves through
    ``save(cleaned_data)``; 422 with the errors at their fields, 409 with the stored values."""
    form_kwargs = extra.pop("form_kwargs", {})
    status, conflict = 200, None
    if request.method == "POST":
        form = form_class(request.POST, instance=obj, **form_kwargs)
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except Stale as stale:
                stored = stale.obj if stale.obj.pk else obj
                form = form_class(_with_fresh_token(request, stale), instance=stored, **form_kwargs)
                form.is_valid()
                conflict, status = _conflict_rows(form, stale.current), CONFLICT
            except ValidationError as exc:
                _add_errors(form, exc)
                status = INVALID
            else:
                return _done(request, notice, back)
        else:
            status = INVALID
    else:
        form = form_class(instance=obj, **form_kwargs)
    context = {
        "plan": plan,
        "form": form,
        "title": title,
        "back": back,
        "conflict": conflict,
        **extra,
    }
    return _render(request, "evaluations/office/object_form.html", context, status)


def _index_url(plan) -> str:
    return reverse("office_edit:plan", args=[plan.slug])


# --- the plan ------------------------------------------------------------------------------------


@require_GET
@office_login_required
def plan_index(request, slug):
    """The plan's office page: what can be edited, with links to each page."""
    plan = _plan(request, slug)
    pillars = plan.pillars.annotate(
        items=Count("initiatives", filter=Q(initiatives__retired_on__isnull=True))
    ).order_by("order")
    counts = plan.initiatives.aggregate(
        total=Count("pk"), retired=Count("pk", filter=Q(retired_on__isnull=False))
    )
    return render(
        request,
        "evaluations/office/index.html",
        {
            "plan": plan,
            "pillars": pillars,
            "counts": counts,
            "note_count": plan.notes.count(),
            "cluster_count": plan.clusters.count(),
            "schedules": plan.schedules.order_by("fiscal_year"),
        },
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def plan_edit(request, slug):
    plan = _plan(request, slug)
    return _edit(
        request,
        plan=plan,
        obj=plan,
        form_class=office_forms.PlanForm,
        save=lambda data: plan_edits.edit_plan(
            user=request.user, plan_id=plan.pk, token=data["token"], values=data
        ),
        title=_("計画の概要・出典・問合せ先"),
        back=_index_url(plan),
        notice=_("計画の概要・出典・問合せ先を保存しました。"),
    )


# --- plan notes ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@office_login_required
def notes(request, slug):
    """The plan's notes by 年度 and kind, with their order, and the form to add one."""
    plan = _plan(request, slug)
    form = office_forms.NoteForm(
        request.POST or None,
        instance=PlanNote(plan=plan),
        initial={"fiscal_year": fiscal_year_of(timezone.localdate())},
    )
    saved, status = _add(
        request,
        form,
        lambda values: plan_edits.add_note(user=request.user, plan_id=plan.pk, values=values),
        lambda note: (
            _("「%(note)s」を登録しました。") % {"note": note},
            reverse("office_edit:notes", args=[plan.slug]),
        ),
    )
    if saved is not None:
        return saved
    # The plan is read with each note: the token digests every field, its plan's name included.
    rows = list(plan.notes.select_related("plan").order_by("fiscal_year", "kind", "order"))
    for row in rows:
        row.token = plan_edits.edit_token(row)
    return _render(
        request,
        "evaluations/office/notes.html",
        {"plan": plan, "notes": rows, "form": form},
        status,
    )


def _note(plan, pk):
    return get_object_or_404(PlanNote, plan=plan, pk=pk)


@require_http_methods(["GET", "POST"])
@office_login_required
def note_edit(request, slug, pk):
    plan = _plan(request, slug)
    note = _note(plan, pk)
    back = reverse("office_edit:notes", args=[plan.slug])
    return _edit(
        request,
        plan=plan,
        obj=note,
        form_class=office_forms.NoteEditForm,
        save=lambda data: plan_edits.edit_note(
            user=request.user, note_id=note.pk, token=data["token"], values=data
        ),
        title=_("振り返り・方針の編集：%(note)s") % {"note": note},
        back=back,
        notice=_("「%(note)s」を保存しました。") % {"note": note},
        delete_url=reverse("office_edit:note_delete", args=[plan.slug, note.pk]),
    )


def _token_action(request, back: str, act, notice: str):
    """A button's POST (move, delete): the token it carried, the service, a message, back."""
    form = office_forms.TokenForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("操作を受け付けられませんでした。ページを読み込み直してください。")
        )
        return redirect(back)
    try:
        act(form.cleaned_data)
    except Stale as stale:
        messages.error(request, str(stale))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, notice)
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


@require_POST
@office_login_required
def note_move(request, slug, pk):
    plan = _plan(request, slug)
    note = _note(plan, pk)
    return _token_action(
        request,
        reverse("office_edit:notes", args=[plan.slug]),
        lambda data: plan_edits.move_note(
            user=request.user,
            note_id=note.pk,
            token=data["token"],
            direction=data["direction"] or "up",
        ),
        _("「%(note)s」の順番を変えました。") % {"note": note},
    )


@require_POST
@office_login_required
def note_delete(request, slug, pk):
    plan = _plan(request, slug)
    note = _note(plan, pk)
    return _token_action(
        request,
        reverse("office_edit:notes", args=[plan.slug]),
        lambda data: plan_edits.delete_note(
            user=request.user, note_id=note.pk, token=data["token"]
        ),
        _("「%(note)s」を削除しました（変更履歴に内容が残ります）。") % {"note": note},
    )


# --- pillars and narratives ----------------------------------------------------------------------


def _pillar(plan, order):
    return get_object_or_404(Pillar, plan=plan, order=order)


@require_http_methods(["GET", "POST"])
@office_login_required
def pillar_edit(request, slug, order):
    """A pillar's name, kind, description and order, with its narratives per 年度."""
    plan = _plan(request, slug)
    pillar = _pillar(plan, order)
    return _edit(
        request,
        plan=plan,
        obj=pillar,
        form_class=office_forms.PillarForm,
        save=lambda data: plan_edits.edit_pillar(
            user=request.user, pillar_id=pillar.pk, token=data["token"], values=data
        ),
        title=_("柱の編集：%(pillar)s") % {"pillar": pillar},
        back=_index_url(plan),
        notice=_("柱「%(name)s」を保存しました。") % {"name": pillar.name},
        pillar=pillar,
        points=_narrative_points(plan, pillar),
    )


def _narrative_points(plan, pillar) -> list[dict]:
    """Each 時点 a narrative may be written for, newest first: every year of the plan up to this
    one (and any later year that already has a narrative), its 年度末 and then its 中間, each
    with its narrative or None and its edit page's address (two queries)."""
    narratives = {(n.fiscal_year, n.kind): n for n in pillar.narratives.all()}
    last = fiscal_year_of(timezone.localdate())
    if plan.end_fiscal_year is not None:
        last = min(last, plan.end_fiscal_year)
    years = set(range(plan.start_fiscal_year, max(last, plan.start_fiscal_year) + 1))
    years |= {fy for fy, _kind in narratives}
    points = []
    for fy in sorted(years, reverse=True):
        for kind in (RoundKind.YEAR_END, RoundKind.INTERIM):
            narrative = narratives.get((fy, kind))
            points.append(
                {
                    "fiscal_year": fy,
                    "kind": kind,
                    "label": _point_label(fy, kind),
                    "narrative": narrative,
                    "url": _narrative_url(plan, pillar, fy, kind),
                }
            )
    return points


def _point_label(fiscal_year: int, kind: str) -> str:
    """「令和7年度末時点」 / 「令和7年度中間時点」, as PillarNarrative names its 時点."""
    return labels.narrative_point(PillarNarrative(fiscal_year=fiscal_year, kind=kind))


def _narrative_url(plan, pillar, fiscal_year: int, kind: str) -> str:
    name = "office_edit:narrative_interim" if kind == RoundKind.INTERIM else "office_edit:narrative"
    return reverse(name, args=[plan.slug, pillar.order, fiscal_year])


def _point_published(plan, fiscal_year: int, kind: str) -> bool:
    """Whether the round of this 時点 has been published (one query)."""
    return any(
        p.round.fiscal_year == fiscal_year and p.round.kind == kind
        for p in published.current_publications([plan.pk])
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def pillar_add(request, slug):
    plan = _plan(request, slug)
    last = plan.pillars.aggregate(m=Max("order"))["m"] or 0
    return _edit(
        request,
        plan=plan,
        obj=Pillar(plan=plan, order=last + 1),
        form_class=office_forms.PillarForm,
        save=lambda data: plan_edits.add_pillar(user=request.user, plan_id=plan.pk, values=data),
        title=_("柱を追加"),
        back=_index_url(plan),
        notice=_("柱を追加しました。"),
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def narrative_edit(request, slug, order, fiscal_year, kind=RoundKind.YEAR_END):
    """A pillar's 取組状況 and 今後の方向性 as of one 時点: the 年度末 of ``fiscal_year``, or its
    中間 (``kind``, from the address) for the interim round; new if that 時点 has none."""
    plan = _plan(request, slug)
    pillar = _pillar(plan, order)
    if not plan.covers_fiscal_year(fiscal_year):
        messages.error(request, plan.period_error(fiscal_year))
        return redirect("office_edit:pillar", plan.slug, pillar.order)
    narrative = PillarNarrative.objects.filter(
        pillar=pillar, fiscal_year=fiscal_year, kind=kind
    ).first()
    point = _point_label(fiscal_year, kind)
    return _edit(
        request,
        plan=plan,
        obj=narrative or PillarNarrative(pillar=pillar, fiscal_year=fiscal_year, kind=kind),
        form_class=office_forms.NarrativeForm,
        save=lambda data: plan_edits.save_narrative(
            user=request.user,
            pillar_id=pillar.pk,
            fiscal_year=fiscal_year,
            kind=kind,
            token=data["token"],
            values=data,
        ),
        title=_("%(pillar)s：%(point)sの取組状況") % {"pillar": pillar, "point": point},
        back=reverse("office_edit:pillar", args=[plan.slug, pillar.order]),
        notice=_("%(point)sの取組状況を保存しました。") % {"point": point},
        published_year=_point_published(plan, fiscal_year, kind),
    )


# --- initiatives ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@office_login_required
def initiatives(request, slug):
    """The plan's initiatives (retired ones marked), and the form to add one."""
    plan = _plan(request, slug)
    form = office_forms.InitiativeForm(request.POST or None, instance=Initiative(plan=plan))
    saved, status = _add(
        request,
        form,
        lambda values: plan_edits.add_initiative(user=request.user, plan_id=plan.pk, values=values),
        lambda item: (
            _("取組項目「%(title)s」を登録しました。") % {"title": item.title},
            reverse("office_edit:initiative", args=[plan.slug, item.code]),
        ),
    )
    if saved is not None:
        return saved
    items = (
        plan.initiatives.select_related("pillar", "department")
        .annotate(evaluations=Count("entries", distinct=True))
        .order_by("pillar__order", "order", "code")
    )
    return _render(
        request,
        "evaluations/office/initiatives.html",
        {"plan": plan, "items": items, "form": form},
        status,
    )


def _initiative(plan, code):
    return get_object_or_404(
        Initiative.objects.select_related("pillar", "department"), plan=plan, code=code
    )


def _initiative_page(request, plan, item, status=200, **forms):
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


@require_http_methods(["GET", "POST"])
@office_login_required
def initiative_edit(request, slug, code):
    plan = _plan(request, slug)
    item = _initiative(plan, code)
    if request.method == "GET":
        return _initiative_page(request, plan, item)
    form = office_forms.InitiativeEditForm(request.POST, instance=item)
    if form.is_valid():
        try:
            plan_edits.edit_initiative(
                user=request.user,
                initiative_id=item.pk,
                token=form.cleaned_data["token"],
                values=form.cleaned_data,
            )
        except Stale as stale:
            item = _initiative(plan, code)
            form = office_forms.InitiativeEditForm(_with_fresh_token(request, stale), instance=item)
            form.is_valid()
            return _initiative_page(
                request,
                plan,
                item,
                CONFLICT,
                form=form,
                conflict=_conflict_rows(form, stale.current),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(
                request,
                _("取組項目「%(title)s」を保存しました。") % {"title": form.cleaned_data["title"]},
                reverse("office_edit:initiative", args=[plan.slug, item.code]),
            )
    item = _initiative(plan, code)
    return _initiative_page(request, plan, item, INVALID, form=form)


def _initiative_action(request, plan, item, form, act, notice, fragment):
    back = reverse("office_edit:initiative", args=[plan.slug, item.code])
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except Stale as stale:
            form.add_error(None, str(stale))
            status = CONFLICT
        except ValidationError as exc:
            _add_errors(form, exc)
            status = INVALID
        else:
            return _done(request, notice, back)
    else:
        status = INVALID
    item = _initiative(plan, item.code)
    return _initiative_page(request, plan, item, status, fragment=fragment, **{fragment: form})


@require_POST
@office_login_required
def initiative_move(request, slug, code):
    plan = _plan(request, slug)
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


@require_POST
@office_login_required
def initiative_retire(request, slug, code):
    plan = _plan(request, slug)
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


@require_POST
@office_login_required
def initiative_delete(request, slug, code):
    plan = _plan(request, slug)
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
    return _done(
        request,
        _("取組項目「%(title)s」を削除しました（変更履歴に内容が残ります）。")
        % {"title": item.title},
        reverse("office_edit:initiatives", args=[plan.slug]),
    )


# --- the schedule grid ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@office_login_required
def schedules(request, slug):
    plan = _plan(request, slug)
    form = office_forms.ScheduleForm(
        request.POST or None,
        instance=Schedule(plan=plan),
        initial={"fiscal_year": fiscal_year_of(timezone.localdate()), "first_month": 4},
    )
    saved, status = _add(
        request,
        form,
        lambda values: plan_edits.add_schedule(user=request.user, plan_id=plan.pk, values=values),
        lambda schedule: (
            _("%(fy)sのスケジュールを登録しました。") % {"fy": fy_label_ja(schedule.fiscal_year)},
            reverse("office_edit:schedule", args=[plan.slug, schedule.fiscal_year]),
        ),
    )
    if saved is not None:
        return saved
    return _render(
        request,
        "evaluations/office/schedules.html",
        {"plan": plan, "schedules": plan.schedules.order_by("fiscal_year"), "form": form},
        status,
    )


def _schedule(plan, fiscal_year):
    return get_object_or_404(Schedule, plan=plan, fiscal_year=fiscal_year)


@require_http_methods(["GET", "POST"])
@office_login_required
def schedule_detail(request, slug, fiscal_year):
    """A 年度's grid: its rows with their activities; forms to add a row or an activity.
    ``?add=lane`` / ``?add=activity`` names which form a POST is."""
    plan = _plan(request, slug)
    schedule = _schedule(plan, fiscal_year)
    lanes = schedule.lanes.select_related("pillar").prefetch_related("activities")
    adding = request.POST.get("add") if request.method == "POST" else None
    lane_form = office_forms.LaneForm(
        request.POST if adding == "lane" else None,
        instance=ScheduleLane(schedule=schedule),
        prefix="lane",
    )
    activity_form = office_forms.ActivityForm(
        request.POST if adding == "activity" else None,
        instance=ScheduleActivity(),
        lanes=schedule.lanes.order_by("order"),
        prefix="activity",
    )
    status = 200
    form = {"lane": lane_form, "activity": activity_form}.get(adding)
    if form is not None:
        if form.is_valid():
            try:
                if adding == "lane":
                    plan_edits.add_lane(
                        user=request.user, schedule_id=schedule.pk, values=form.cleaned_data
                    )
                else:
                    plan_edits.add_activity(
                        user=request.user,
                        lane_id=form.cleaned_data["lane"].pk,
                        values=form.cleaned_data,
                    )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return _done(
                    request,
                    _("スケジュールに追加しました。"),
                    reverse("office_edit:schedule", args=[plan.slug, schedule.fiscal_year]),
                )
        status = INVALID
    elif request.method == "POST":
        status = INVALID
    return render(
        request,
        "evaluations/office/schedule_detail.html",
        {
            "plan": plan,
            "schedule": schedule,
            "lanes": lanes,
            "lane_form": lane_form,
            "activity_form": activity_form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def schedule_edit(request, slug, fiscal_year):
    """A schedule's title and columns (first month, the month from which columns merge)."""
    plan = _plan(request, slug)
    schedule = _schedule(plan, fiscal_year)
    back = reverse("office_edit:schedule", args=[plan.slug, schedule.fiscal_year])
    return _edit(
        request,
        plan=plan,
        obj=schedule,
        form_class=office_forms.ScheduleForm,
        save=lambda data: plan_edits.edit_schedule(
            user=request.user, schedule_id=schedule.pk, token=data["token"], values=data
        ),
        title=_("%(fy)sのスケジュールの設定") % {"fy": fy_label_ja(schedule.fiscal_year)},
        back=back,
        notice=_("スケジュールの設定を保存しました。"),
    )


def _lane(plan, pk):
    return get_object_or_404(
        ScheduleLane.objects.select_related("schedule"), schedule__plan=plan, pk=pk
    )


def _activity(plan, pk):
    return get_object_or_404(
        ScheduleActivity.objects.select_related("lane__schedule"),
        lane__schedule__plan=plan,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def lane_edit(request, slug, pk):
    plan = _plan(request, slug)
    lane = _lane(plan, pk)
    return _edit(
        request,
        plan=plan,
        obj=lane,
        form_class=office_forms.LaneForm,
        save=lambda data: plan_edits.edit_lane(
            user=request.user, lane_id=lane.pk, token=data["token"], values=data
        ),
        title=_("スケジュールの行の編集：%(lane)s") % {"lane": lane},
        back=reverse("office_edit:schedule", args=[plan.slug, lane.schedule.fiscal_year]),
        notice=_("行「%(lane)s」を保存しました。") % {"lane": lane},
        delete_url=reverse("office_edit:lane_delete", args=[plan.slug, lane.pk]),
        delete_label=_("この行を削除（行の活動も削除されます）"),
    )


@require_POST
@office_login_required
def lane_delete(request, slug, pk):
    plan = _plan(request, slug)
    lane = _lane(plan, pk)
    return _token_action(
        request,
        reverse("office_edit:schedule", args=[plan.slug, lane.schedule.fiscal_year]),
        lambda data: plan_edits.delete_lane(
            user=request.user, lane_id=lane.pk, token=data["token"]
        ),
        _("行「%(lane)s」を削除しました（変更履歴に内容が残ります）。") % {"lane": lane},
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def activity_edit(request, slug, pk):
    plan = _plan(request, slug)
    activity = _activity(plan, pk)
    return _edit(
        request,
        plan=plan,
        obj=activity,
        form_class=office_forms.ActivityForm,
        save=lambda data: plan_edits.edit_activity(
            user=request.user, activity_id=activity.pk, token=data["token"], values=data
        ),
        title=_("スケジュールの活動の編集：%(activity)s") % {"activity": activity},
        back=reverse("office_edit:schedule", args=[plan.slug, activity.lane.schedule.fiscal_year]),
        notice=_("活動「%(activity)s」を保存しました。") % {"activity": activity},
        delete_url=reverse("office_edit:activity_delete", args=[plan.slug, activity.pk]),
        delete_label=_("この活動を削除"),
    )


@require_POST
@office_login_required
def activity_delete(request, slug, pk):
    plan = _plan(request, slug)
    activity = _activity(plan, pk)
    return _token_action(
        request,
        reverse("office_edit:schedule", args=[plan.slug, activity.lane.schedule.fiscal_year]),
        lambda data: plan_edits.delete_activity(
            user=request.user, activity_id=activity.pk, token=data["token"]
        ),
        _("活動「%(activity)s」を削除しました（変更履歴に内容が残ります）。")
        % {"activity": activity},
    )


# --- what the admin was last needed for ----------------------------------------------------------
# The plan's title, period and adoption date; an initiative's new number and its reinstatement;
# deleting a pillar or a year's schedule from a confirmation page; the analysis clusters.


@require_http_methods(["GET", "POST"])
@office_login_required
def plan_period(request, slug):
    """The plan's title, period (西暦 or 和暦) and adoption date; a period that would leave
    rows outside it is refused at its field, naming them."""
    plan = _plan(request, slug)
    return _edit(
        request,
        plan=plan,
        obj=plan,
        form_class=office_forms.PlanPeriodForm,
        save=lambda data: plan_edits.edit_plan_period(
            user=request.user, plan_id=plan.pk, token=data["token"], values=data
        ),
        title=_("計画の名称・取組期間・策定日"),
        back=_index_url(plan),
        notice=_("計画の名称・取組期間・策定日を保存しました。"),
    )


@require_POST
@office_login_required
def initiative_renumber(request, slug, code):
    """A new 取組番号; on success the browser goes to the item's page at its new address."""
    plan = _plan(request, slug)
    item = _initiative(plan, code)
    form = office_forms.NumberForm(request.POST, initiative=item, prefix="number")
    status = INVALID
    if form.is_valid():
        try:
            renumbered = plan_edits.renumber_initiative(
                user=request.user,
                initiative_id=item.pk,
                token=form.cleaned_data["token"],
                code=form.cleaned_data["code"],
            )
        except Stale as stale:
            form.add_error(None, str(stale))
            status = CONFLICT
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(
                request,
                _("取組番号を「%(old)s」から「%(new)s」に変えました。")
                % {"old": item.code, "new": renumbered.code},
                reverse("office_edit:initiative", args=[plan.slug, renumbered.code]),
            )
    item = _initiative(plan, code)
    return _initiative_page(request, plan, item, status, fragment="number_form", number_form=form)


@require_POST
@office_login_required
def initiative_reinstate(request, slug, code):
    plan = _plan(request, slug)
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


def _delete_page(request, *, plan, make_form, delete, context, notice, done):
    """A confirmation page that deletes on POST (confirm_delete.html): 422 with the reason at
    its field, 409 when the object changed since the page was loaded (the page then carries
    the stored row's token, so confirming again is deliberate)."""
    form = make_form(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                delete(form.cleaned_data)
            except Stale as stale:
                data = _with_fresh_token(request, stale)
                form = make_form(data)
                form.is_valid()
                form.add_error(None, str(stale))
                status = CONFLICT
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return _done(request, notice, done)
    return _render(
        request,
        "evaluations/office/confirm_delete.html",
        {"plan": plan, "form": form, **context},
        status,
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def pillar_delete(request, slug, order):
    """Deletes a pillar: one without initiatives at once, one with them after choosing the
    pillar they move to; a pillar a publication froze is not offered."""
    plan = _plan(request, slug)
    pillar = _pillar(plan, order)
    contents = plan_edits.pillar_contents(pillar)
    facts = [
        _("取組項目：%(count)d件（うち廃止%(retired)d件）")
        % {"count": contents["items"], "retired": contents["retired"]},
        _("年度ごとの取組状況：%(count)d件（柱とともに削除され、変更履歴に内容が残ります）")
        % {"count": pillar.narratives.count()},
    ]
    refusal = ""
    if contents["published"]:
        refusal = _(
            "この柱は公表済みの時点（%(count)d回の公表）に含まれているため削除できません。"
        ) % {"count": contents["published"]}
    elif contents["items"] and not plan.pillars.exclude(pk=pillar.pk).exists():
        refusal = _("取組項目を移す先の柱がありません。先に移し先となる柱を追加してください。")
    return _delete_page(
        request,
        plan=plan,
        make_form=lambda data: office_forms.PillarDeleteForm(
            data, pillar=pillar, has_items=bool(contents["items"])
        ),
        delete=lambda data: plan_edits.delete_pillar(
            user=request.user,
            pillar_id=pillar.pk,
            token=data["token"],
            move_to_pillar_id=data["move_to"].pk if data.get("move_to") else None,
        ),
        context={
            "title": _("柱の削除：%(pillar)s") % {"pillar": pillar},
            "facts": facts,
            "refusal": refusal,
            "explanation": _(
                "取組項目がある柱は、取組項目をすべて別の柱へ移してから削除します"
                "（移動はそれぞれ変更履歴に残ります）。"
            )
            if contents["items"]
            else "",
            "button": _("移してからこの柱を削除") if contents["items"] else _("この柱を削除"),
            "back": reverse("office_edit:pillar", args=[plan.slug, pillar.order]),
        },
        notice=_("柱「%(name)s」を削除しました（変更履歴に内容が残ります）。")
        % {"name": pillar.name},
        done=_index_url(plan),
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def schedule_delete(request, slug, fiscal_year):
    """Deletes a 年度's schedule grid with its rows and activities (history keeps them)."""
    plan = _plan(request, slug)
    schedule = _schedule(plan, fiscal_year)
    counts = schedule.lanes.aggregate(
        lanes=Count("pk", distinct=True), activities=Count("activities")
    )
    return _delete_page(
        request,
        plan=plan,
        make_form=lambda data: office_forms.ConfirmForm(
            data, initial={"token": plan_edits.edit_token(schedule)}
        ),
        delete=lambda data: plan_edits.delete_schedule(
            user=request.user, schedule_id=schedule.pk, token=data["token"]
        ),
        context={
            "title": _("%(fy)sのスケジュールの削除") % {"fy": fy_label_ja(schedule.fiscal_year)},
            "facts": [
                _(
                    "行：%(lanes)d件、活動：%(activities)d件（すべて削除され、変更履歴に内容が残ります）"
                )
                % counts
            ],
            "explanation": _("X会議の日程は削除されません。"),
            "button": _("このスケジュールを削除"),
            "back": reverse("office_edit:schedule", args=[plan.slug, schedule.fiscal_year]),
        },
        notice=_("%(fy)sのスケジュールを削除しました（変更履歴に内容が残ります）。")
        % {"fy": fy_label_ja(schedule.fiscal_year)},
        done=reverse("office_edit:schedules", args=[plan.slug]),
    )


@require_http_methods(["GET", "POST"])
@office_login_required
def clusters(request, slug):
    """The plan's analysis clusters (経営分析・事業分析) by 年度 and number, and the form to add one."""
    plan = _plan(request, slug)
    form = office_forms.ClusterForm(
        request.POST or None,
        instance=AnalysisCluster(plan=plan),
        initial={"fiscal_year": fiscal_year_of(timezone.localdate())},
    )
    saved, status = _add(
        request,
        form,
        lambda values: plan_edits.add_cluster(user=request.user, plan_id=plan.pk, values=values),
        lambda cluster: (
            _("分析クラスター「%(name)s」を登録しました。") % {"name": cluster.name},
            reverse("office_edit:clusters", args=[plan.slug]),
        ),
    )
    if saved is not None:
        return saved
    rows = list(
        plan.clusters.select_related("plan")
        .annotate(items=Count("initiatives"))
        .order_by("fiscal_year", "code")
    )
    for row in rows:
        row.token = plan_edits.edit_token(row)
    return _render(
        request,
        "evaluations/office/clusters.html",
        {"plan": plan, "clusters": rows, "form": form},
        status,
    )


def _cluster(plan, pk):
    return get_object_or_404(AnalysisCluster, plan=plan, pk=pk)


@require_http_methods(["GET", "POST"])
@office_login_required
def cluster_edit(request, slug, pk):
    plan = _plan(request, slug)
    cluster = _cluster(plan, pk)
    return _edit(
        request,
        plan=plan,
        obj=cluster,
        form_class=office_forms.ClusterForm,
        save=lambda data: plan_edits.edit_cluster(
            user=request.user, cluster_id=cluster.pk, token=data["token"], values=data
        ),
        title=_("分析クラスターの編集：%(name)s") % {"name": cluster.name},
        back=reverse("office_edit:clusters", args=[plan.slug]),
        notice=_("分析クラスター「%(name)s」を保存しました。") % {"name": cluster.name},
        delete_url=reverse("office_edit:cluster_delete", args=[plan.slug, cluster.pk]),
        delete_label=_("この分析クラスターを削除（取組項目のクラスターは空欄になります）"),
    )


@require_POST
@office_login_required
def cluster_move(request, slug, pk):
    plan = _plan(request, slug)
    cluster = _cluster(plan, pk)
    return _token_action(
        request,
        reverse("office_edit:clusters", args=[plan.slug]),
        lambda data: plan_edits.move_cluster(
            user=request.user,
            cluster_id=cluster.pk,
            token=data["token"],
            direction=data["direction"] or "up",
        ),
        _("「%(name)s」の順番（番号）を変えました。") % {"name": cluster.name},
    )


@require_POST
@office_login_required
def cluster_delete(request, slug, pk):
    plan = _plan(request, slug)
    cluster = _cluster(plan, pk)
    return _token_action(
        request,
        reverse("office_edit:clusters", args=[plan.slug]),
        lambda data: plan_edits.delete_cluster(
            user=request.user, cluster_id=cluster.pk, token=data["token"]
        ),
        _("分析クラスター「%(name)s」を削除しました（変更履歴に内容が残ります）。")
        % {"name": cluster.name},
    )
