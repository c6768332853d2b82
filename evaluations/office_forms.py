"""Forms of the reform office's edit pages (evaluations.views.office_edit).

Model forms, so the models' own checks (a pillar of the same plan, a 年度 inside the plan's period,
named constraints) give their Japanese messages at the field; they only validate. The change is
written by evaluations.services.plan_edits, never by ``form.save()``. Each edit form carries the
``token`` of the object as the editor saw it (plan_edits.edit_token) so a save made meanwhile by
somebody else is refused rather than overwritten.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import PillarNarrative
from evaluations.rules import validate_visible_text
from evaluations.services import plan_edits
from evaluations.staff_forms import FISCAL_YEAR_TEXT_MESSAGE
from initiatives.models import AnalysisCluster, Department, Initiative, Pillar, Plan, PlanNote
from reformtracker.bounds import DATE_MESSAGE, date_in_range, fiscal_year_or_none
from reformtracker.calendar_ja import CalendarError, parse_date, parse_fiscal_year
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane

# The grid's months in fiscal order, as people write them.
MONTHS = [(m, f"{m}月") for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


class _OfficeForm(forms.ModelForm):
    """Adds the hidden token and refuses invisible control characters in every text field."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "token" and isinstance(field, forms.CharField):
                field.validators.append(validate_visible_text)
        if not self.is_bound and self.instance.pk:
            self.initial["token"] = plan_edits.edit_token(self.instance)


def _month_field(field, *, required=True) -> forms.TypedChoiceField:
    """A month of a model ``field`` as a choice of 4月 … 3月 in fiscal order."""
    blank = [] if required else [("", _("（なし）"))]
    return forms.TypedChoiceField(
        label=field.verbose_name,
        help_text=field.help_text,
        choices=[*blank, *MONTHS],
        coerce=int,
        empty_value=None,
        required=required,
    )


def _fiscal_year_help() -> str:
    return _("西暦の年度で入力（例：令和7年度は 2025）。")


class PlanForm(_OfficeForm):
    class Meta:
        model = Plan
        fields = plan_edits.PLAN_FIELDS
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}


class NoteForm(_OfficeForm):
    class Meta:
        model = PlanNote
        fields = plan_edits.NOTE_FIELDS
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].help_text = _fiscal_year_help()


class NoteEditForm(_OfficeForm):
    class Meta:
        model = PlanNote
        fields = ("title", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


class PillarForm(_OfficeForm):
    class Meta:
        model = Pillar
        fields = plan_edits.PILLAR_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managing_department"].queryset = Department.objects.filter(
            municipality_id=self.instance.plan.municipality_id
        ).order_by("code")


class NarrativeForm(_OfficeForm):
    class Meta:
        model = PillarNarrative
        fields = plan_edits.NARRATIVE_FIELDS
        widgets = {
            "done": forms.Textarea(attrs={"rows": 6}),
            "next_steps": forms.Textarea(attrs={"rows": 4}),
        }


class InitiativeForm(_OfficeForm):
    """A new 取組項目 (``instance`` has its plan): pillars and departments of that plan only."""

    class Meta:
        model = Initiative
        fields = plan_edits.NEW_INITIATIVE_FIELDS
        widgets = {
            "target": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan = self.instance.plan
        if "pillar" in self.fields:
            self.fields["pillar"].queryset = Pillar.objects.filter(plan=plan).order_by("order")
        self.fields["department"].queryset = Department.objects.filter(
            municipality_id=plan.municipality_id
        ).order_by("code")
        self.fields["cluster"].queryset = AnalysisCluster.objects.filter(plan=plan).order_by(
            "fiscal_year", "code"
        )
        self.fields["first_evaluated_fiscal_year"].help_text = _(
            "「指定年度末から評価」のときだけ。西暦の年度で入力（例：令和9年度末なら 2027）。"
        )


class InitiativeEditForm(InitiativeForm):
    """An existing item: its number (in its public address) and pillar (moved apart) stay."""

    class Meta(InitiativeForm.Meta):
        fields = plan_edits.INITIATIVE_FIELDS


class MoveForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    pillar = forms.ModelChoiceField(label=_("移動先の柱"), queryset=Pillar.objects.none())

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].queryset = (
            Pillar.objects.filter(plan_id=initiative.plan_id)
            .exclude(pk=initiative.pillar_id)
            .order_by("order")
        )
        self.fields["pillar"].empty_label = _("（選択してください）")
        if not self.is_bound:
            self.initial["token"] = plan_edits.edit_token(initiative)


class RetireForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    reason = forms.CharField(
        label=_("廃止の理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_visible_text],
        help_text=_("公開ページに「廃止（理由）」と表示されます。"),
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = plan_edits.edit_token(initiative)


class TokenForm(forms.Form):
    """A button that acts on one object as the editor saw it (delete, move up or down)."""

    token = forms.CharField(required=False, max_length=64)
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)


class ScheduleForm(_OfficeForm):
    class Meta:
        model = Schedule
        fields = plan_edits.SCHEDULE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].help_text = _fiscal_year_help()
        self.fields["first_month"] = _month_field(Schedule._meta.get_field("first_month"))
        self.fields["open_ended_from"] = _month_field(
            Schedule._meta.get_field("open_ended_from"), required=False
        )
        if self.instance.pk:
            del self.fields["fiscal_year"]


class LaneForm(_OfficeForm):
    class Meta:
        model = ScheduleLane
        fields = plan_edits.LANE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].queryset = Pillar.objects.filter(
            plan_id=self.instance.schedule.plan_id
        ).order_by("order")
        self.fields["order"].required = False
        self.fields["order"].help_text = _("空欄なら最後の行になります。")


class ActivityForm(_OfficeForm):
    """An activity of a row; for a new one, ``lanes`` offers the schedule's rows."""

    class Meta:
        model = ScheduleActivity
        fields = plan_edits.ACTIVITY_FIELDS

    def __init__(self, *args, lanes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_month"] = _month_field(ScheduleActivity._meta.get_field("start_month"))
        self.fields["end_month"] = _month_field(ScheduleActivity._meta.get_field("end_month"))
        self.fields["order"].required = False
        self.fields["order"].help_text = _("空欄なら行の最後になります。")
        if lanes is not None:
            self.fields = {
                "lane": forms.ModelChoiceField(label=_("行"), queryset=lanes),
                **self.fields,
            }

    def _post_clean(self):
        # A new activity's row is chosen in the form; the model's checks need it.
        lane = self.cleaned_data.get("lane") if "lane" in self.fields else None
        if lane is not None:
            self.instance.lane = lane
        if self.instance.lane_id is None and "lane" in self.fields:
            return
        super()._post_clean()


# --- what the admin was last needed for ----------------------------------------------------------


class FiscalYearField(forms.CharField):
    """A 年度 typed as people write it, 西暦 or 和暦 (2025, 令和7年度, R7, 全角 too), read by
    the one calendar module and bounded to the years the sites handle."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text", _("西暦（例：2025）でも和暦（例：令和7年度、R7）でも入力できます。")
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "size": 12}))
        super().__init__(**kwargs)
        self.error_messages["required"] = FISCAL_YEAR_TEXT_MESSAGE

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > self.max_length:
            raise forms.ValidationError(FISCAL_YEAR_TEXT_MESSAGE, code="fiscal_year")
        try:
            year = parse_fiscal_year(text)
        except CalendarError:
            year = None
        year = fiscal_year_or_none(year)
        if year is None:
            raise forms.ValidationError(FISCAL_YEAR_TEXT_MESSAGE, code="fiscal_year")
        return year

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        pass  # the text's length is checked before it is read; the value is an int


class WarekiDateField(forms.CharField):
    """A date typed 西暦 or 和暦 (2024-03-27, 2024年3月27日, 令和6年3月27日, R6.3.27)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "help_text",
            _("西暦（例：2024-03-27）でも和暦（例：令和6年3月27日、R6.3.27）でも入力できます。"),
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "size": 20}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            if len(text) > self.max_length:
                raise CalendarError(text)
            day = parse_date(text)
        except CalendarError:
            raise forms.ValidationError(
                _("日付を読めません。例：令和6年3月27日、R6.3.27、2024-03-27"), code="date"
            ) from None
        if not date_in_range(day):
            raise forms.ValidationError(DATE_MESSAGE, code="date_range")
        return day

    def run_validators(self, value):
        pass


class PlanPeriodForm(_OfficeForm):
    """The plan's title, period and adoption date."""

    start_fiscal_year = FiscalYearField(label=_("取組期間（開始年度）"))
    end_fiscal_year = FiscalYearField(
        label=_("取組期間（終了年度）"),
        required=False,
        help_text=_(
            "終了年度が定められていない場合は空欄。西暦（例：2027）でも和暦（例：令和9年度）でも入力できます。"
        ),
    )
    adopted_on = WarekiDateField(
        label=_("策定日"),
        required=False,
        help_text=_(
            "西暦（例：2024-03-27）でも和暦（例：令和6年3月27日、R6.3.27）でも入力できます。"
            "月までしか公表されていない場合は、その月の1日を入力し、精度を「月」にしてください。"
        ),
    )

    class Meta:
        model = Plan
        fields = plan_edits.PERIOD_FIELDS


class ClusterForm(_OfficeForm):
    """An analysis cluster of a 年度 (経営分析・事業分析)."""

    fiscal_year = FiscalYearField(label=_("年度"))

    class Meta:
        model = AnalysisCluster
        fields = plan_edits.CLUSTER_FIELDS


class NumberForm(forms.Form):
    """An initiative's new 取組番号."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    code = forms.CharField(
        label=_("新しい取組番号"),
        max_length=30,
        validators=[validate_visible_text],
        help_text=_(
            "公開ページのアドレスが新しい番号に変わります。公表済みの結果は公表したときの番号のまま残ります。"
        ),
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = plan_edits.edit_token(initiative)
            self.initial["code"] = initiative.code


class ReinstateForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    reason = forms.CharField(
        label=_("廃止を取り消す理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_visible_text],
        help_text=_("変更履歴に残ります。次に開始する照会から、再び照会の対象になります。"),
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = plan_edits.edit_token(initiative)


class ConfirmForm(forms.Form):
    """A confirmation page's button: the object as the editor saw it."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class PillarDeleteForm(forms.Form):
    """Deleting a pillar: where its initiatives go, when it has any."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    move_to = forms.ModelChoiceField(
        label=_("取組項目の移し先の柱"), queryset=Pillar.objects.none(), required=False
    )

    def __init__(self, *args, pillar: Pillar, has_items: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if has_items:
            self.fields["move_to"].queryset = (
                Pillar.objects.filter(plan_id=pillar.plan_id)
                .exclude(pk=pillar.pk)
                .order_by("order")
            )
            self.fields["move_to"].empty_label = _("（選択してください）")
        else:
            del self.fields["move_to"]
        if not self.is_bound:
            self.initial["token"] = plan_edits.edit_token(pillar)
