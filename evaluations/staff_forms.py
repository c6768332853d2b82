"""Forms of the staff pages. They check shape and length; the services decide the rest."""

import uuid

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from evaluations import evidence as evidence_files
from evaluations.choices import EntryState, Result, RoundKind
from evaluations.models import Entry, Round
from evaluations.rules import (
    TEXT_LIMITS,
    TOO_LONG_FOR_FORMS,
    reason_problem,
    validate_visible_text,
)
from evaluations.services.rounds import default_as_of
from evaluations.workflow import Action
from reformtracker.bounds import (
    DATE_MESSAGE,
    FISCAL_YEAR_MESSAGE,
    INT_MAX,
    bounded_int,
    date_in_range,
    fiscal_year_or_none,
)
from reformtracker.calendar_ja import CalendarError, parse_fiscal_year


def _limit(field: str) -> int:
    return TEXT_LIMITS[field]


# Django fills in limit_value and show_value; the wording is evaluations.rules'.
_TOO_LONG = {"max_length": TOO_LONG_FOR_FORMS}
# Every text field people write refuses invisible control characters (reformtracker.bounds).
_VISIBLE = [validate_visible_text]


def _version_field():
    """The version an editor loaded: a number the database's version column holds."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=INT_MAX)


class EntryForm(forms.Form):
    """A department's answer. ``version`` is the one the editor loaded (optimistic locking)."""

    result = forms.ChoiceField(
        label=_("評価結果"), choices=[("", _("（未選択）")), *Result.choices], required=False
    )
    reason = forms.CharField(
        label=_("評価対象外の理由・備考"),
        max_length=_limit("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_TOO_LONG,
        validators=_VISIBLE,
    )
    narrative = forms.CharField(
        label=_("進捗状況"),
        max_length=_limit("narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages=_TOO_LONG,
        validators=_VISIBLE,
    )
    staff_comment = forms.CharField(
        label=_("市政改革室へのコメント"),
        max_length=_limit("staff_comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_TOO_LONG,
        validators=_VISIBLE,
    )
    version = _version_field()
    # New with each rendering of the form: a second sending of the same form is recognised
    # (services.edit_entry), so a save committed whose answer was lost is not a conflict.
    change_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if problem := reason_problem(data.get("result"), data.get("reason")):
            self.add_error("reason", problem)
        return data

    @classmethod
    def for_entry(cls, entry: Entry) -> "EntryForm":
        return cls(
            initial={
                "result": entry.result,
                "reason": entry.reason,
                "narrative": entry.narrative,
                "staff_comment": entry.staff_comment,
                "version": entry.version,
                "change_token": uuid.uuid4(),
            }
        )


class TransitionForm(forms.Form):
    """Submit, return or confirm one entry, with the version the reviewer saw."""

    version = _version_field()
    comment = forms.CharField(
        label=_("コメント"),
        max_length=_limit("review_comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_TOO_LONG,
        validators=_VISIBLE,
    )


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200, required=False, validators=_VISIBLE)
    url = forms.URLField(
        label=_("リンク（URL）"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("http:// または https:// で始まるURLを入力してください。")},
    )
    file = forms.FileField(
        label=_("ファイル"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits as the evidence checks apply them, with their numbers (「10.0 MBまで」).
        self.fields["file"].help_text = _("登録できる形式：%(types)s（%(size)sまで）") % {
            "types": evidence_files.allowed_label(),
            "size": filesizeformat(evidence_files.max_bytes()),
        }

    def clean(self):
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("file")):
            raise forms.ValidationError(_("リンクかファイルのどちらか一方を指定してください。"))
        return data


class RoundChecks:
    """The checks of a round's year and dates, shared by the office's round form and the
    admin's (evaluations.admin), so either refuses what the other does."""

    def clean_fiscal_year(self):
        # 7 (thinking of 令和7年度) named no era and was a 500; a year the sites do not handle
        # is refused here, before the round's own checks read it. The office's form takes the
        # year as text, 西暦 or 和暦 (令和7年度, R7), read by the one calendar module.
        value = self.cleaned_data.get("fiscal_year")
        message = FISCAL_YEAR_MESSAGE
        if isinstance(value, str):
            message = FISCAL_YEAR_TEXT_MESSAGE
            try:
                value = parse_fiscal_year(value)
            except CalendarError:
                value = None
        fiscal_year = fiscal_year_or_none(value)
        if fiscal_year is None:
            raise forms.ValidationError(message, code="fiscal_year")
        return fiscal_year

    def _clean_day(self, name: str):
        day = self.cleaned_data.get(name)
        if not date_in_range(day):
            raise forms.ValidationError(DATE_MESSAGE, code="date_range")
        return day

    def clean_as_of(self):
        return self._clean_day("as_of")

    def clean_due_on(self):
        return self._clean_day("due_on")


FISCAL_YEAR_TEXT_MESSAGE = _(
    "年度は西暦（例：2025）か和暦（例：令和7年度、R7）で入力してください。"
)


class RoundForm(RoundChecks, forms.ModelForm):
    """The reform office opens a round: plan, fiscal year, year-end or interim, as-of, due date."""

    fiscal_year = forms.CharField(
        label=_("年度"),
        max_length=20,
        help_text=_("西暦（例：2025）でも和暦（例：令和7年度、R7）でも入力できます。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 12}),
    )

    class Meta:
        model = Round
        fields = ["plan", "fiscal_year", "kind", "as_of", "due_on"]
        widgets = {
            "as_of": forms.DateInput(attrs={"type": "date"}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        # Django's blank choice reads "- Select an option -", untranslated in Japanese.
        self.fields["plan"].empty_label = _("選択してください")
        self.fields["kind"].initial = RoundKind.YEAR_END
        self.fields["fiscal_year"].error_messages["required"] = FISCAL_YEAR_TEXT_MESSAGE
        self.fields["as_of"].required = False
        self.fields["as_of"].help_text = _(
            "空欄なら、年度末の照会は3月31日、中間の照会は8月31日の時点になります。"
        )

    def validate_unique(self):
        # The service validates the whole round (and the database its constraints).
        pass

    def clean(self):
        # Left empty, the 時点 is the kind's usual one: 3月31日 at the year end, 8月31日 for an
        # interim round (evaluations.services.default_as_of).
        data = super().clean()
        if not data.get("as_of") and data.get("fiscal_year") and data.get("kind"):
            data["as_of"] = default_as_of(data["fiscal_year"], data["kind"])
            self.instance.as_of = data["as_of"]
        return data


class BulkForm(forms.Form):
    """Return or confirm the ticked entries; each tick carries "entry id:version"."""

    action = forms.ChoiceField(
        label=_("一括操作"),
        choices=[(Action.CONFIRM, _("確認済にする")), (Action.RETURN, _("差し戻す"))],
    )
    comment = forms.CharField(
        label=_("コメント（差戻しの場合は必須）"),
        max_length=_limit("review_comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=_VISIBLE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[tuple[int, int]] = []

    def clean(self):
        data = super().clean()
        self.items = ticked_items(self.data)
        return data


def ticked_items(data) -> list[tuple[int, int]]:
    """The ticked "entry id:version" values of a bulk form, as pairs; refused unless each is
    a number the database holds ("1e20:1" is refused, not a 500)."""
    raw = data.getlist("entries") if hasattr(data, "getlist") else []
    pairs = [value.split(":", 1) for value in raw]
    if any(len(pair) != 2 for pair in pairs):
        raise forms.ValidationError(_("選択された回答が正しくありません。"))
    items = [(bounded_int(pk), bounded_int(v, 1, INT_MAX)) for pk, v in pairs]
    if any(None in item for item in items):
        raise forms.ValidationError(_("選択された回答が正しくありません。"))
    if not items:
        raise forms.ValidationError(_("対象の回答を選んでください。"))
    return items


class SubmitReadyForm(forms.Form):
    """A department submits every ready answer it was shown ("entry id:version" each)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[tuple[int, int]] = []

    def clean(self):
        data = super().clean()
        self.items = ticked_items(self.data)
        return data


class ReopenForm(forms.Form):
    """The office reopens a published round to correct it, saying why."""

    reason = forms.CharField(
        label=_("訂正の理由"),
        max_length=_limit("review_comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("訂正の理由を入力してください。"), **_TOO_LONG},
        validators=_VISIBLE,
    )


class WorklistFilter(forms.Form):
    plan = forms.TypedChoiceField(label=_("計画"), required=False, coerce=int, empty_value=None)
    pillar = forms.TypedChoiceField(label=_("柱"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(
        label=_("状態"), required=False, choices=[("", _("すべて")), *EntryState.choices]
    )

    def __init__(self, *args, plans, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", _("すべて")), *((p.pk, p.title) for p in plans)]
        self.fields["pillar"].choices = [
            ("", _("すべて")),
            *((p.pk, f"{p.plan.title} {p.order} {p.name}") for p in pillars),
        ]
