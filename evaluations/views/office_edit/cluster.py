"""The plan's analysis clusters (経営分析・事業分析) by 年度 and number: the list with its add
form, a cluster's edit page, and its move and delete buttons."""

from __future__ import annotations

from django.db.models import Count
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
from initiatives.models import AnalysisCluster
from reformtracker.calendar_ja import fiscal_year_of


def _list_url(plan) -> str:
    return reverse("office_edit:clusters", args=[plan.slug])


def _cluster(plan, pk):
    return get_object_or_404(AnalysisCluster, plan=plan, pk=pk)


@office_page("GET", "POST")
def clusters(request, plan):
    """The plan's analysis clusters (経営分析・事業分析) by 年度 and number, and the form to add one."""
    form = office_forms.ClusterForm(
        request.POST or None,
        instance=AnalysisCluster(plan=plan),
        initial={"fiscal_year": fiscal_year_of(timezone.localdate())},
    )
    return list_page(
        request,
        plan,
        form,
        lambda values: plan_edits.add_cluster(user=request.user, plan_id=plan.pk, values=values),
        notice=lambda cluster: (
            _("分析クラスター「%(name)s」を登録しました。") % {"name": cluster.name}
        ),
        next_url=_list_url(plan),
        template="evaluations/office/clusters.html",
        context=lambda: {
            "clusters": with_tokens(
                plan.clusters.select_related("plan")
                .annotate(items=Count("initiatives"))
                .order_by("fiscal_year", "code")
            )
        },
    )


@office_page("GET", "POST")
def cluster_edit(request, plan, pk):
    cluster = _cluster(plan, pk)
    return edit_page(
        request,
        plan=plan,
        obj=cluster,
        form_class=office_forms.ClusterForm,
        save=lambda data: plan_edits.edit_cluster(
            user=request.user, cluster_id=cluster.pk, token=data["token"], values=data
        ),
        title=_("分析クラスターの編集：%(name)s") % {"name": cluster.name},
        back=_list_url(plan),
        notice=_("分析クラスター「%(name)s」を保存しました。") % {"name": cluster.name},
        delete_url=reverse("office_edit:cluster_delete", args=[plan.slug, cluster.pk]),
        delete_label=_("この分析クラスターを削除（取組項目のクラスターは空欄になります）"),
    )


@office_page("POST")
def cluster_move(request, plan, pk):
    cluster = _cluster(plan, pk)
    return token_action(
        request,
        _list_url(plan),
        lambda data: plan_edits.move_cluster(
            user=request.user,
            cluster_id=cluster.pk,
            token=data["token"],
            direction=data["direction"] or "up",
        ),
        _("「%(name)s」の順番（番号）を変えました。") % {"name": cluster.name},
    )


@office_page("POST")
def cluster_delete(request, plan, pk):
    cluster = _cluster(plan, pk)
    return token_action(
        request,
        _list_url(plan),
        lambda data: plan_edits.delete_cluster(
            user=request.user, cluster_id=cluster.pk, token=data["token"]
        ),
        _("分析クラスター「%(name)s」を削除しました（変更履歴に内容が残ります）。")
        % {"name": cluster.name},
    )
