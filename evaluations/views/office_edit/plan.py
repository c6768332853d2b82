"""The plan's office page and its own fields: summary, source and contact; title, period and
adoption date."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from evaluations import office_forms
from evaluations.office_responses import edit_page, index_url, office_page
from evaluations.services import plan_edits


@office_page("GET")
def plan_index(request, plan):
    """The plan's office page: what can be edited, with links to each page."""
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


@office_page("GET", "POST")
def plan_edit(request, plan):
    return edit_page(
        request,
        plan=plan,
        obj=plan,
        form_class=office_forms.PlanForm,
        save=lambda data: plan_edits.edit_plan(
            user=request.user, plan_id=plan.pk, token=data["token"], values=data
        ),
        title=_("計画の概要・出典・問合せ先"),
        back=index_url(plan),
        notice=_("計画の概要・出典・問合せ先を保存しました。"),
    )


@office_page("GET", "POST")
def plan_period(request, plan):
    """The plan's title, period (西暦 or 和暦) and adoption date; a period that would leave
    rows outside it is refused at its field, naming them."""
    return edit_page(
        request,
        plan=plan,
        obj=plan,
        form_class=office_forms.PlanPeriodForm,
        save=lambda data: plan_edits.edit_plan_period(
            user=request.user, plan_id=plan.pk, token=data["token"], values=data
        ),
        title=_("計画の名称・取組期間・策定日"),
        back=index_url(plan),
        notice=_("計画の名称・取組期間・策定日を保存しました。"),
    )
