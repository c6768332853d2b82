"""X会議 (public reform meetings) and the yearly schedule grid (スケジュール)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Pillar, Plan
from reformtracker.calendar_ja import (
    ApproxDate,
    CalendarError,
    Part,
    bounds,
    fiscal_month_index,
    fy_label_ja,
)
from reformtracker.calendar_ja import (
    Phase as PeriodPhase,
)


class DatePart(models.TextChoices):
    EARLY = Part.EARLY.value, _("上旬")
    MIDDLE = Part.MIDDLE.value, _("中旬")
    LATE = Part.LATE.value, _("下旬")


class MeetingQuerySet(models.QuerySet):
    def held_by(self, today):
        """Meetings held as of ``today``: marked held by the office, or past the last day of
        their period (a cancelled one past its period is listed with them, as 中止)."""
        return self.filter(Q(status=Meeting.Status.HELD) | Q(latest__lt=today))

    def to_come(self, today):
        """The rest: not marked held and not past the last day of their period."""
        return self.exclude(status=Meeting.Status.HELD).filter(latest__gte=today)


class Meeting(models.Model):
    """An X会議: numbered within its fiscal year, on an exact day, in a third of a month, in a
    month, or only within its 年度 (then ``date_month`` is empty)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("予定")
        HELD = "held", _("開催済")
        CANCELLED = "cancelled", _("中止")

    class Phase(models.TextChoices):
        """Where a meeting stands today, as the public pages say it (``phase_on``)."""

        UPCOMING = "upcoming", _("開催予定")
        IN_PERIOD = "in_period", _("開催時期")
        TODAY = "today", _("本日開催")
        HELD = "held", _("開催済")
        CANCELLED = "cancelled", _("中止")

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="meetings"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("回"))
    date_year = models.PositiveSmallIntegerField(_("年"))
    date_month = models.PositiveSmallIntegerField(_("月"), null=True, blank=True)
    date_day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True)
    date_part = models.CharField(
        _("旬"), max_length=6, choices=DatePart.choices, blank=True, default=""
    )
    # Derived from the date columns on save; what lists sort and filter by.
    earliest = models.DateField(_("開催日（最早）"), editable=False, db_index=True)
    latest = models.DateField(_("開催日（最遅）"), editable=False)
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    title = models.CharField(_("名称"), max_length=200, blank=True)
    summary = models.TextField(_("概要"), blank=True)
    initiatives = models.ManyToManyField(
        Initiative, verbose_name=_("関連する取組項目"), blank=True, related_name="meetings"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("X会議")
        verbose_name_plural = _("X会議")
        ordering = ["plan", "earliest", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "fiscal_year", "number"],
                name="meeting_number_unique_per_plan_year",
                violation_error_message=_("この年度には同じ回のX会議が既にあります。"),
            ),
            models.CheckConstraint(
                # A day, or a third, or neither (the whole month); without a month, neither
                # (the whole 年度).
                condition=(
                    Q(date_day__isnull=False) & Q(date_part="") & Q(date_month__isnull=False)
                )
                | (
                    Q(date_day__isnull=True)
                    & Q(date_part__in=[p.value for p in Part])
                    & Q(date_month__isnull=False)
                )
                | (Q(date_day__isnull=True) & Q(date_part="")),
                name="meeting_date_precision_valid",
                violation_error_message=_(
                    "開催日は「日」「上旬・中旬・下旬」「月」「年度」のいずれかで指定してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(date_month__isnull=True) | Q(date_month__gte=1, date_month__lte=12),
                name="meeting_date_month_valid",
                violation_error_message=_("月は1から12で指定してください。"),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="meeting_number_positive",
                violation_error_message=_("回は1以上にしてください。"),
            ),
        ]

    def __str__(self):
        return f"{fy_label_ja(self.fiscal_year)} 第{self.number}回 X会議"

    @property
    def approx_date(self) -> ApproxDate:
        return ApproxDate(
            self.date_year,
            self.date_month,
            day=self.date_day,
            part=Part(self.date_part) if self.date_part else None,
        )

    def set_date(self, value: ApproxDate):
        self.date_year, self.date_month = value.year, value.month
        self.date_day = value.day
        self.date_part = value.part.value if value.part else ""

    @property
    def date_label_ja(self) -> str:
        return self.approx_date.label_ja()

    def phase_on(self, today) -> "Meeting.Phase":
        """開催予定 before the first day of its period, 開催時期 within it (本日開催 for an exact
        day), 開催済 after its last day or once the office marks it held; 中止 if cancelled.
        The period's days come from reformtracker.calendar_ja (ApproxDate.phase)."""
        if self.status == self.Status.CANCELLED:
            return self.Phase.CANCELLED
        if self.status == self.Status.HELD:
            return self.Phase.HELD
        where = self.approx_date.phase(today)
        if where is PeriodPhase.AFTER:
            return self.Phase.HELD
        if where is PeriodPhase.WITHIN:
            return self.Phase.TODAY if self.date_day else self.Phase.IN_PERIOD
        return self.Phase.UPCOMING

    @property
    def phase_today(self) -> "Meeting.Phase":
        return self.phase_on(timezone.localdate())

    @property
    def date_note_today(self) -> str:
        return self.date_note(self.phase_today)

    def date_note(self, phase) -> str:
        """What an approximate date needs said beside it: 「予定」 while it is to come, and once
        held, that its day was not recorded (the schedule gave only the period)."""
        if self.date_day is not None or phase == self.Phase.CANCELLED:
            return ""
        if phase == self.Phase.HELD:
            return str(_("開催日は未記録"))
        return str(_("予定"))

    def clean(self):
        errors = {}
        if self.date_year is None:
            raise ValidationError({"date_month": _("開催日を入力してください。")})
        try:
            when = self.approx_date
        except (CalendarError, ValueError) as exc:
            errors["date_part"] = str(exc)
        else:
            if self.fiscal_year:
                first, last = bounds(self.fiscal_year)
                if not (first <= when.earliest and when.latest <= last):
                    errors["date_month"] = _("開催日は%(fy)sの期間内にしてください。") % {
                        "fy": fy_label_ja(self.fiscal_year)
                    }
        if self.plan_id and self.fiscal_year and not self.plan.covers_fiscal_year(self.fiscal_year):
            errors["fiscal_year"] = self.plan.period_error(self.fiscal_year)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        when = self.approx_date
        self.earliest, self.latest = when.earliest, when.latest
        super().save(*args, **kwargs)


class MeetingTopic(models.Model):
    """A theme discussed at X会議 in a fiscal year (R6: 保育所, 子育て, 公園 …)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="meeting_topics"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("X会議"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topics",
        help_text=_("どの回で議論したかが公表されていない場合は空欄。"),
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    name = models.CharField(_("テーマ"), max_length=200)

    class Meta:
        verbose_name = _("X会議のテーマ")
        verbose_name_plural = _("X会議のテーマ")
        ordering = ["plan", "fiscal_year", "order"]
        constraints = [
            # A theme may come back at several meetings of a year, once per meeting; the
            # yearly list (no meeting) names each theme once.
            models.UniqueConstraint(
                fields=["plan", "fiscal_year", "name"],
                condition=Q(meeting__isnull=True),
                name="meeting_topic_unique_per_year",
                violation_error_message=_("この年度には同じテーマが既にあります。"),
            ),
            models.UniqueConstraint(
                fields=["meeting", "name"],
                condition=Q(meeting__isnull=False),
                name="meeting_topic_unique_per_meeting",
                violation_error_message=_("この回には同じ議題が既にあります。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.meeting_id and self.meeting.fiscal_year != self.fiscal_year:
            raise ValidationError({"meeting": _("X会議と同じ年度にしてください。")})


class MeetingMaterial(models.Model):
    """A document of a meeting (資料, 議事録, 動画): a link, or a file kept in the private
    ``materials`` storage (settings.STORAGES) and downloaded through a view, by anyone when it
    is public, otherwise only by the plan's reform office."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("X会議"), on_delete=models.CASCADE, related_name="materials"
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    title = models.CharField(_("資料名"), max_length=300)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    file_path = models.CharField(_("保存先"), max_length=300, blank=True, editable=False)
    file_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    content_type = models.CharField(_("形式"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"), default=0)
    is_public = models.BooleanField(
        _("公開する"),
        default=True,
        help_text=_("公開しない資料は、市政改革室の画面にだけ表示されます。"),
    )

    class Meta:
        verbose_name = _("X会議の資料")
        verbose_name_plural = _("X会議の資料")
        ordering = ["meeting", "order"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file_path="")) | (~Q(url="") & Q(file_path="")),
                name="meeting_material_is_a_link_or_a_file",
                violation_error_message=_("資料はリンクかファイルのどちらか一方です。"),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file_path)


class ScheduleQuerySet(models.QuerySet):
    def with_grid(self):
        """Schedules with their lanes and each lane's activities, in order (two more queries),
        as ``Schedule.grid`` reads them."""
        activities = Prefetch("activities", queryset=ScheduleActivity.objects.order_by("order"))
        lanes = ScheduleLane.objects.prefetch_related(activities).order_by("order")
        return self.prefetch_related(Prefetch("lanes", queryset=lanes))


class Schedule(models.Model):
    """A fiscal year's schedule grid: lanes × month columns, the last column open-ended."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="schedules"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200, default="スケジュール（予定）")
    first_month = models.PositiveSmallIntegerField(_("最初の列の月"), default=4)
    open_ended_from = models.PositiveSmallIntegerField(
        _("「以降」とまとめる月"),
        null=True,
        blank=True,
        help_text=_("例：12 とすると 12月から年度末までを「12月以降」の1列にまとめます。"),
    )

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("スケジュール")
        verbose_name_plural = _("スケジュール")
        ordering = ["plan", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "fiscal_year"],
                name="schedule_one_per_plan_year",
                violation_error_message=_("この年度のスケジュールは既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(first_month__gte=1, first_month__lte=12),
                name="schedule_first_month_valid",
            ),
        ]

    def __str__(self):
        return f"{self.plan} {fy_label_ja(self.fiscal_year)} {self.title}"

    def clean(self):
        if self.plan_id and self.fiscal_year:
            self.plan.clean_fiscal_year(self.fiscal_year)
        if self.open_ended_from and fiscal_month_index(self.open_ended_from) <= fiscal_month_index(
            self.first_month
        ):
            raise ValidationError({"open_ended_from": _("最初の列より後の月にしてください。")})

    def columns(self) -> list[tuple[str, list[int]]]:
        """The grid's columns in fiscal order: ("5月", [5]) … ("12月以降", [12, 1, 2, 3])."""
        months = [(m - 1) % 12 + 1 for m in range(4, 16)]
        months = [
            m for m in months if fiscal_month_index(m) >= fiscal_month_index(self.first_month)
        ]
        if not self.open_ended_from:
            return [(f"{m}月", [m]) for m in months]
        cut = fiscal_month_index(self.open_ended_from)
        head = [(f"{m}月", [m]) for m in months if fiscal_month_index(m) < cut]
        tail = [m for m in months if fiscal_month_index(m) >= cut]
        return [*head, (f"{self.open_ended_from}月以降", tail)]

    def grid(self, meetings: list["Meeting"]):
        """(columns, rows): each lane's row of cells, one per column, holding the lane's
        activities (from their start column, with ``span_label`` and ``span_columns`` set) or,
        for the X会議 lane, ``meetings`` in their month's column. Read through
        ``Schedule.objects.with_grid()`` so the lanes cost no further query."""
        columns = self.columns()
        column_of = {}
        for index, (_label, months) in enumerate(columns):
            for month in months:
                column_of[month] = index
        first_index = fiscal_month_index(self.first_month)
        rows = []
        for lane in self.lanes.all():
            cells = [[] for _ in columns]
            if lane.shows_meetings:
                for meeting in meetings:
                    if fiscal_month_index(meeting.date_month) >= first_index:
                        cells[column_of[meeting.date_month]].append(meeting)
            for activity in lane.activities.all():
                start = column_of.get(activity.start_month, 0)
                end = column_of.get(activity.end_month, len(columns) - 1)
                activity.span_label = (
                    columns[start][0] if start == end else f"{columns[start][0]}〜{columns[end][0]}"
                )
                activity.span_columns = end - start + 1
                cells[start].append(activity)
            rows.append({"lane": lane, "cells": cells})
        return columns, rows


class ScheduleLane(models.Model):
    """A row of the grid: X会議 (filled from the meetings) or a pillar's activities."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("スケジュール"), on_delete=models.CASCADE, related_name="lanes"
    )
    order = models.PositiveSmallIntegerField(_("表示順"))
    name = models.CharField(_("名称"), max_length=200)
    pillar = models.ForeignKey(
        Pillar, verbose_name=_("柱"), on_delete=models.SET_NULL, null=True, blank=True
    )
    shows_meetings = models.BooleanField(_("X会議の行"), default=False)

    class Meta:
        verbose_name = _("スケジュールの行")
        verbose_name_plural = _("スケジュールの行")
        ordering = ["schedule", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "order"],
                name="schedule_lane_order_unique",
                violation_error_message=_("同じ表示順の行が既にあります。"),
            ),
        ]

    def __str__(self):
        return self.name


class ScheduleActivity(models.Model):
    """An activity in a lane, spanning months (an arrow in the grid) or at a dated milestone."""

    lane = models.ForeignKey(
        ScheduleLane, verbose_name=_("行"), on_delete=models.CASCADE, related_name="activities"
    )
    order = models.PositiveSmallIntegerField(_("表示順"))
    label = models.CharField(_("内容"), max_length=300)
    start_month = models.PositiveSmallIntegerField(_("開始月"))
    end_month = models.PositiveSmallIntegerField(_("終了月"))
    milestone_on = models.DateField(_("期日"), null=True, blank=True)
    milestone_note = models.CharField(
        _("期日の表記"), max_length=50, blank=True, help_text=_("例：年度末")
    )

    class Meta:
        verbose_name = _("スケジュールの活動")
        verbose_name_plural = _("スケジュールの活動")
        ordering = ["lane", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["lane", "order"],
                name="schedule_activity_order_unique",
                violation_error_message=_("同じ表示順の活動が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(start_month__gte=1, start_month__lte=12)
                & Q(end_month__gte=1, end_month__lte=12),
                name="schedule_activity_months_valid",
                violation_error_message=_("月は1から12で指定してください。"),
            ),
        ]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        """As the grid writes it: 「R6分析報告書の公表(5/23)」, 「成果の発表(年度末)」."""
        if self.milestone_on:
            return f"{self.label}({self.milestone_on.month}/{self.milestone_on.day})"
        if self.milestone_note:
            return f"{self.label}({self.milestone_note})"
        return self.label

    @property
    def is_span(self) -> bool:
        return self.start_month != self.end_month

    def clean(self):
        errors = {}
        try:
            if fiscal_month_index(self.end_month) < fiscal_month_index(self.start_month):
                errors["end_month"] = _("終了月は開始月以降（年度内の順）にしてください。")
        except CalendarError as exc:
            errors["start_month"] = str(exc)
        if self.milestone_on and self.lane_id:
            first, last = bounds(self.lane.schedule.fiscal_year)
            if not first <= self.milestone_on <= last:
                errors["milestone_on"] = _("期日はスケジュールの年度内にしてください。")
        if errors:
            raise ValidationError(errors)
