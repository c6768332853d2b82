"""Admin for X会議 and schedules. Dates are typed as the schedule writes them (7月上旬, 5/23)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reformtracker.admin_dates import FiscalYearFilter
from reformtracker.calendar_ja import ApproxDate, CalendarError
from xmeetings.models import (
    Meeting,
    MeetingMaterial,
    MeetingTopic,
    Schedule,
    ScheduleActivity,
    ScheduleLane,
)


class MeetingForm(forms.ModelForm):
    """Takes the date as one field read by ApproxDate.parse, so 「7月末旬」 is refused in Japanese."""

    date_text = forms.CharField(
        label=_("開催日"),
        help_text=_("例：5/23、5月23日、7月上旬、8月中旬、10月下旬（年は年度から決まります）"),
    )

    class Meta:
        model = Meeting
        fields = ["plan", "fiscal_year", "number", "status", "title", "summary", "initiatives"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["date_text"].initial = self.instance.date_label_ja

    def _update_errors(self, errors):
        # The model reports date problems on its date columns; here they belong to the one
        # text field the user typed, unless that field has already said what was wrong.
        date_columns = ("date_year", "date_month", "date_day", "date_part")
        if hasattr(errors, "error_dict"):
            moved = [e for key in date_columns for e in errors.error_dict.pop(key, [])]
            if moved and "date_text" not in self.errors:
                errors.error_dict.setdefault("date_text", []).extend(moved)
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        fiscal_year = cleaned.get("fiscal_year")
        text = cleaned.get("date_text")
        if fiscal_year and text:
            try:
                self.instance.set_date(ApproxDate.parse(text, fiscal_year=fiscal_year))
            except CalendarError as exc:
                self.add_error("date_text", str(exc))
        return cleaned


class MeetingTopicInline(admin.TabularInline):
    model = MeetingTopic
    extra = 0
    fields = ["order", "name", "plan", "fiscal_year"]


class MeetingMaterialInline(admin.TabularInline):
    """Links only: files are checked and stored by the office's meeting pages
    (evaluations.services.meetings.add_material)."""

    model = MeetingMaterial
    extra = 0
    fields = ["order", "title", "url", "is_public", "file_name", "size"]
    readonly_fields = ["file_name", "size"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingForm
    list_display = ["__str__", "plan", "date_label_ja", "status"]
    list_filter = ["plan", FiscalYearFilter, "status"]
    search_fields = ["title", "summary", "topics__name"]
    filter_horizontal = ["initiatives"]
    inlines = [MeetingTopicInline, MeetingMaterialInline]

    @admin.display(description=_("開催日"), ordering="earliest")
    def date_label_ja(self, obj):
        return obj.date_label_ja


@admin.register(MeetingTopic)
class MeetingTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "fiscal_year", "meeting"]
    list_filter = ["plan", FiscalYearFilter]
    search_fields = ["name"]


class ScheduleLaneInline(admin.TabularInline):
    model = ScheduleLane
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "fiscal_year"]
    list_filter = ["plan", FiscalYearFilter]
    search_fields = ["title"]
    inlines = [ScheduleLaneInline]


class ScheduleActivityInline(admin.TabularInline):
    model = ScheduleActivity
    extra = 0


@admin.register(ScheduleLane)
class ScheduleLaneAdmin(admin.ModelAdmin):
    list_display = ["name", "schedule", "order", "shows_meetings"]
    list_filter = ["schedule"]
    search_fields = ["name", "activities__label"]
    inlines = [ScheduleActivityInline]
