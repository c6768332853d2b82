"""The reform office's indicator pages: define an initiative's indicators, record a round's
actuals. Reach and permission as on the round pages (evaluations.access); every change through
evaluations.services.indicators; plain forms that work without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluations import access
from evaluations.indicator_forms import ActualsForm, IndicatorForm
from evaluations.models import IndicatorValue
from evaluations.services import indicators as service
from initiatives.access import manages_plan
from initiatives.models import Indicator, Initiative, Plan

INVALID = 422


@login_required
@require_http_methods(["GET", "POST"])
def initiative_indicators(request, pk):
    access.require_round_manager(request.user)
    initiative = get_object_or_404(
        Initiative.objects.select_related("plan").filter(
            plan__in=Plan.objects.managed_by(request.user)
        ),
        pk=pk,
    )
    form = IndicatorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service.define_indicator(
                    user=request.user,
                    initiative_id=initiative.pk,
                    values={f: form.cleaned_data[f] for f in IndicatorForm.Meta.fields},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("指標を登録しました。"))
                return redirect("indicators:initiative", pk=initiative.pk)
        status = INVALID
    return render(
        request,
        "evaluations/office/indicators_initiative.html",
        {"initiative": initiative, "indicators": initiative.indicators.all(), "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_actuals(request, pk):
    round_ = access.round_for_manager(request.user, pk)
    indicators = list(
        Indicator.objects.filter(initiative__entries__round=round_)
        .select_related("initiative")
        .order_by("initiative__order", "initiative__code", "order", "pk")
    )
    current = dict(IndicatorValue.objects.filter(round=round_).values_list("indicator_id", "value"))
    form = ActualsForm(request.POST or None, indicators=indicators, current=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = service.record_indicator_values(
                    user=request.user, round_id=round_.pk, values=form.values()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("指標の実績を%(n)d件記録しました。") % {"n": changed})
                return redirect("indicators:round", pk=round_.pk)
        status = INVALID
    return render(
        request,
        "evaluations/office/indicators_round.html",
        {"round": round_, "form": form, "editable": manages_plan(request.user, round_.plan)},
        status=status,
    )
