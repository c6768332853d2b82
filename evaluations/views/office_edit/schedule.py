"""The plan's schedule grids, one per 年度: the list with its add form; a 年度's grid with the
forms to add a row or an activity; the grid's settings and its deletion; a row's and an
activity's edit page and delete button."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import office_forms
from evaluations.office_responses import (
    INVALID,
    delete_page,
    edit_page,
    list_page,
    office_page,
    submit,
    token_action,
)
from evaluations.services import plan_edits
from reformtracker.calendar_ja import fiscal_year_of, fy_label_ja
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane


def _schedule(plan, fiscal_year):
    return get_object_or_404(Schedule, plan=plan, fiscal_year=fiscal_year)


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


def _grid_url(plan, fiscal_year: int) -> str:
    return reverse("office_edit:schedule", args=[plan.slug, fiscal_year])


@office_page("GET", "POST")
def schedules(request, plan):
    form = office_forms.ScheduleForm(
        request.POST or None,
        instance=Schedule(plan=plan),
        initial={"fiscal_year": fiscal_year_of(timezone.localdate()), "first_month": 4},
    )
    return list_page(
        request,
        plan,
        form,
        lambda values: plan_edits.add_schedule(user=request.user, plan_id=plan.pk, values=values),
        notice=lambda schedule: (
            _("%(fy)sのスケジュールを登録しました。") % {"fy": fy_label_ja(schedule.fiscal_year)}
        ),
        next_url=lambda schedule: _grid_url(plan, schedule.fiscal_year),
        template="evaluations/office/schedules.html",
        context=lambda: {"schedules": plan.schedules.order_by("fiscal_year")},
    )


@office_page("GET", "POST")
def schedule_detail(request, plan, fiscal_year):
    """A 年度's grid: its rows with their activities; forms to add a row or an activity.
    ``?add=lane`` / ``?add=activity`` names which form a POST is."""
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
    forms = {
        "lane": (
            lane_form,
            lambda data: plan_edits.add_lane(
                user=request.user, schedule_id=schedule.pk, values=data
            ),
        ),
        "activity": (
            activity_form,
            lambda data: plan_edits.add_activity(
                user=request.user, lane_id=data["lane"].pk, values=data
            ),
        ),
    }
    status = 200
    if adding in forms:
        form, add = forms[adding]
        sent = submit(
            request,
            form,
            add,
            notice=_("スケジュールに追加しました。"),
            next_url=_grid_url(plan, schedule.fiscal_year),
        )
        if sent.response is not None:
            return sent.response
        status = sent.status
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


@office_page("GET", "POST")
def schedule_edit(request, plan, fiscal_year):
    """A schedule's title and columns (first month, the month from which columns merge)."""
    schedule = _schedule(plan, fiscal_year)
    return edit_page(
        request,
        plan=plan,
        obj=schedule,
        form_class=office_forms.ScheduleForm,
        save=lambda data: plan_edits.edit_schedule(
            user=request.user, schedule_id=schedule.pk, token=data["token"], values=data
        ),
        title=_("%(fy)sのスケジュールの設定") % {"fy": fy_label_ja(schedule.fiscal_year)},
        back=_grid_url(plan, schedule.fiscal_year),
        notice=_("スケジュールの設定を保存しました。"),
    )


@office_page("GET", "POST")
def schedule_delete(request, plan, fiscal_year):
    """Deletes a 年度's schedule grid with its rows and activities (history keeps them)."""
    schedule = _schedule(plan, fiscal_year)
    counts = schedule.lanes.aggregate(
        lanes=Count("pk", distinct=True), activities=Count("activities")
    )
    return delete_page(
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
            "back": _grid_url(plan, schedule.fiscal_year),
        },
        notice=_("%(fy)sのスケジュールを削除しました（変更履歴に内容が残ります）。")
        % {"fy": fy_label_ja(schedule.fiscal_year)},
        next_url=reverse("office_edit:schedules", args=[plan.slug]),
    )


@office_page("GET", "POST")
def lane_edit(request, plan, pk):
    lane = _lane(plan, pk)
    return edit_page(
        request,
        plan=plan,
        obj=lane,
        form_class=office_forms.LaneForm,
        save=lambda data: plan_edits.edit_lane(
            user=request.user, lane_id=lane.pk, token=data["token"], values=data
        ),
        title=_("スケジュールの行の編集：%(lane)s") % {"lane": lane},
        back=_grid_url(plan, lane.schedule.fiscal_year),
        notice=_("行「%(lane)s」を保存しました。") % {"lane": lane},
        delete_url=reverse("office_edit:lane_delete", args=[plan.slug, lane.pk]),
        delete_label=_("この行を削除（行の活動も削除されます）"),
    )


@office_page("POST")
def lane_delete(request, plan, pk):
    lane = _lane(plan, pk)
    return token_action(
        request,
        _grid_url(plan, lane.schedule.fiscal_year),
        lambda data: plan_edits.delete_lane(
            user=request.user, lane_id=lane.pk, token=data["token"]
        ),
        _("行「%(lane)s」を削除しました（変更履歴に内容が残ります）。") % {"lane": lane},
    )


@office_page("GET", "POST")
def activity_edit(request, plan, pk):
    activity = _activity(plan, pk)
    return edit_page(
        request,
        plan=plan,
        obj=activity,
        form_class=office_forms.ActivityForm,
        save=lambda data: plan_edits.edit_activity(
            user=request.user, activity_id=activity.pk, token=data["token"], values=data
        ),
        title=_("スケジュールの活動の編集：%(activity)s") % {"activity": activity},
        back=_grid_url(plan, activity.lane.schedule.fiscal_year),
        notice=_("活動「%(activity)s」を保存しました。") % {"activity": activity},
        delete_url=reverse("office_edit:activity_delete", args=[plan.slug, activity.pk]),
        delete_label=_("この活動を削除"),
    )


@office_page("POST")
def activity_delete(request, plan, pk):
    activity = _activity(plan, pk)
    return token_action(
        request,
        _grid_url(plan, activity.lane.schedule.fiscal_year),
        lambda data: plan_edits.delete_activity(
            user=request.user, activity_id=activity.pk, token=data["token"]
        ),
        _("活動「%(activity)s」を削除しました（変更履歴に内容が残ります）。")
        % {"activity": activity},
    )
