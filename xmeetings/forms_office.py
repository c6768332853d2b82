"""The reform office's forms for X会議: what it types, checked for shape only; the rules (dates
within the 年度, one number per year, files' types and sizes, the plan's own initiatives) are the
service functions' (evaluations.services.meetings), which the views call."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from xmeetings.models import Meeting

# A section token lists each row's id and a 10-character digest (evaluations.services.meetings):
# about 20 characters a row, so this bound holds several hundred topics or materials.
SECTION_TOKEN_MAX = 10_000


def _token_field(max_length: int = 64) -> forms.CharField:
    """The version the editor saw, sent back with the form; left blank it matches nothing, so
    the save is refused as a conflict rather than written over someone else's."""
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=max_length)


def _section_token_field() -> forms.CharField:
    return _token_field(SECTION_TOKEN_MAX)


class MeetingForm(forms.Form):
    token = _token_field()
    fiscal_year = forms.IntegerField(
        label=_("年度（西暦）"),
        min_value=1989,
        max_value=2200,
        help_text=_("西暦の年度で入力してください（例：2025 = 令和7年度）。"),
    )
    number = forms.IntegerField(label=_("回"), min_value=1, max_value=99)
    date_text = forms.CharField(
        label=_("開催日"),
        max_length=20,
        help_text=_(
            "例：5/23、5月23日、7月上旬、8月中旬、10月下旬、7月、年度中（年は年度から決まります）"
        ),
    )
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("概要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(
        label=_("状態"),
        choices=[
            (Meeting.Status.SCHEDULED.value, Meeting.Status.SCHEDULED.label),
            (Meeting.Status.CANCELLED.value, Meeting.Status.CANCELLED.label),
            (Meeting.Status.HELD.value, Meeting.Status.HELD.label),
        ],
        initial=Meeting.Status.SCHEDULED,
        help_text=_("開催済は、期間の最終日を過ぎると自動で表示されます。"),
    )

    @staticmethod
    def values_of(meeting: Meeting) -> dict:
        """The meeting's fields as this form shows them."""
        return {
            "fiscal_year": meeting.fiscal_year,
            "number": meeting.number,
            "date_text": meeting.date_label_ja if meeting.date_month else "年度中",
            "title": meeting.title,
            "summary": meeting.summary,
            "status": meeting.status,
        }

    @classmethod
    def for_meeting(cls, meeting: Meeting, data=None, *, token: str = ""):
        initial = {**cls.values_of(meeting), "token": token}
        return cls(data, initial=initial, prefix="meeting")


class HeldForm(forms.Form):
    token = _token_field()
    held_on = forms.DateField(
        label=_("開催日（分かれば）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("入力すると、旬や月だけの開催日をこの日に置き換えます。"),
    )


class TopicForm(forms.Form):
    token = _section_token_field()
    name = forms.CharField(label=_("議題"), max_length=200)


class MaterialForm(forms.Form):
    token = _section_token_field()
    title = forms.CharField(label=_("資料名"), max_length=300, required=False)
    url = forms.URLField(
        label=_("リンク（URL）"), max_length=500, required=False, assume_scheme="https"
    )
    file = forms.FileField(label=_("ファイル"), required=False)
    is_public = forms.BooleanField(label=_("公開する"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF、PNG、JPEG、GIF、Excel（.xlsx）、%(limit)sまで。リンクかファイルのどちらか一方。"
        ) % {"limit": filesizeformat(settings.MEETING_MATERIAL_MAX_BYTES)}


class LinkForm(forms.Form):
    token = _section_token_field()
    initiative = forms.ModelChoiceField(
        label=_("取組項目"), queryset=None, empty_label=_("選んでください")
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = plan.initiatives.order_by("order", "code", "pk")
        self.fields["initiative"].label_from_instance = lambda i: f"{i.code} {i.title}"


class RowForm(forms.Form):
    """A button on one row of a section (rename, move, make public, remove, unlink): the
    section's token as the editor saw it, and a topic's name as typed."""

    token = _section_token_field()
    name = forms.CharField(required=False, max_length=200)
