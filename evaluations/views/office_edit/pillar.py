"""The plan's pillars: add, edit (with the pillar's narratives per 時点), delete from a
confirmation page; a narrative's edit page (取組状況 and 今後の方向性 as of one 時点)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import labels, office_forms, published
from evaluations.choices import RoundKind
from evaluations.models import PillarNarrative
from evaluations.office_responses import delete_page, edit_page, index_url, office_page
from evaluations.services import plan_edits
from initiatives.models import Pillar
from reformtracker.calendar_ja import fiscal_year_of


def _pillar(plan, order):
    return get_object_or_404(Pillar, plan=plan, order=order)


def _pillar_url(plan, pillar) -> str:
    return reverse("office_edit:pillar", args=[plan.slug, pillar.order])


@office_page("GET", "POST")
def pillar_edit(request, plan, order):
    """A pillar's name, kind, description and order, with its narratives per 年度."""
    pillar = _pillar(plan, order)
    return edit_page(
        request,
        plan=plan,
        obj=pillar,
        form_class=office_forms.PillarForm,
        save=lambda data: plan_edits.edit_pillar(
            user=request.user, pillar_id=pillar.pk, token=data["token"], values=data
        ),
        title=_("柱の編集：%(pillar)s") % {"pillar": pillar},
        back=index_url(plan),
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


@office_page("GET", "POST")
def pillar_add(request, plan):
    last = plan.pillars.aggregate(m=Max("order"))["m"] or 0
    return edit_page(
        request,
        plan=plan,
        obj=Pillar(plan=plan, order=last + 1),
        form_class=office_forms.PillarForm,
        save=lambda data: plan_edits.add_pillar(user=request.user, plan_id=plan.pk, values=data),
        title=_("柱を追加"),
        back=index_url(plan),
        notice=_("柱を追加しました。"),
    )


@office_page("GET", "POST")
def narrative_edit(request, plan, order, fiscal_year, kind=RoundKind.YEAR_END):
    """A pillar's 取組状況 and 今後の方向性 as of one 時点: the 年度末 of ``fiscal_year``, or its
    中間 (``kind``, from the address) for the interim round; new if that 時点 has none."""
    pillar = _pillar(plan, order)
    if not plan.covers_fiscal_year(fiscal_year):
        messages.error(request, plan.period_error(fiscal_year))
        return redirect("office_edit:pillar", plan.slug, pillar.order)
    narrative = PillarNarrative.objects.filter(
        pillar=pillar, fiscal_year=fiscal_year, kind=kind
    ).first()
    point = _point_label(fiscal_year, kind)
    return edit_page(
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
        back=_pillar_url(plan, pillar),
        notice=_("%(point)sの取組状況を保存しました。") % {"point": point},
        published_year=_point_published(plan, fiscal_year, kind),
    )


@office_page("GET", "POST")
def pillar_delete(request, plan, order):
    """Deletes a pillar: one without initiatives at once, one with them after choosing the
    pillar they move to; a pillar a publication froze is not offered."""
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
    return delete_page(
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
            "back": _pillar_url(plan, pillar),
        },
        notice=_("柱「%(name)s」を削除しました（変更履歴に内容が残ります）。")
        % {"name": pillar.name},
        next_url=index_url(plan),
    )
