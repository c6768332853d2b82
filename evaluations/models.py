"""Update rounds (照会), their entries, published snapshots (時点) and the append-only history.

Staff edit Entry rows; publishing a round copies every entry into PublishedResult rows that are
never edited again. Public pages, open data and reports read only the published rows, so a
figure published for 令和6年度末時点 stays what it was.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.choices import EntryState, HistoryAction, Result, RoundKind, RoundState
from evaluations.rules import (
    EXCLUDED_NEEDS_REASON,
    EXCLUDED_NEEDS_REASON_MESSAGE,
    TEXT_LIMITS,
    reason_problem,
)
from evaluations.workflow import PUBLISHABLE
from initiatives.access import reach_of
from initiatives.models import Department, Initiative, Pillar, Plan, Provenance
from reformtracker.calendar_ja import bounds, fiscal_year_end, format_date_ja, fy_label_ja
from reformtracker.display import wareki_or_iso
from reformtracker.textnorm import search_text


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rounds the user can see: those of plans in their reform office's reach, or holding one
        of their departments' entries. (Managing them is initiatives.access.manages_plan.)"""
        reach = reach_of(user)
        if reach.everything:
            return self.all()
        if reach.is_empty:
            return self.none()
        staff_rounds = Round.objects.filter(
            entries__initiative__department_id__in=reach.departments
        ).values("pk")
        return self.filter(
            Q(plan__municipality_id__in=reach.office_municipalities) | Q(pk__in=staff_rounds)
        )


class Round(models.Model):
    """An update round (照会) of a plan: the year-end check of a fiscal year or an interim one."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.PROTECT, related_name="rounds"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(
        _("種別"), max_length=10, choices=RoundKind.choices, default=RoundKind.YEAR_END
    )
    as_of = models.DateField(_("時点"), help_text=_("年度末の照会では年度の最終日（3月31日）。"))
    due_on = models.DateField(_("提出期限"), null=True, blank=True)
    state = models.CharField(
        _("状態"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("照会（更新ラウンド）")
        verbose_name_plural = _("照会（更新ラウンド）")
        ordering = ["plan", "-as_of"]
        permissions = [("manage_round", _("照会を開始・締切・公表できる"))]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "as_of"],
                name="round_unique_per_plan_and_as_of",
                violation_error_message=_("この計画には同じ時点の照会が既にあります。"),
            ),
            # One year-end result per initiative per fiscal year: one year-end round per year,
            # one entry per initiative per round.
            models.UniqueConstraint(
                fields=["plan", "fiscal_year"],
                condition=Q(kind="year_end"),
                name="round_one_year_end_per_fiscal_year",
                violation_error_message=_("この年度の年度末照会は既にあります。"),
            ),
            # And at most one interim round (8月末時点) beside it.
            models.UniqueConstraint(
                fields=["plan", "fiscal_year"],
                condition=Q(kind="interim"),
                name="round_one_interim_per_fiscal_year",
                violation_error_message=_("この年度の中間照会は既にあります。"),
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.as_of_label_ja}"

    @property
    def as_of_label_ja(self) -> str:
        if self.kind == RoundKind.YEAR_END:
            return f"{fy_label_ja(self.fiscal_year)}末時点"
        return f"{format_date_ja(self.as_of)}時点"

    def clean(self):
        errors = {}
        if self.plan_id and self.fiscal_year and not self.plan.covers_fiscal_year(self.fiscal_year):
            errors["fiscal_year"] = self.plan.period_error(self.fiscal_year)
        if self.fiscal_year and self.as_of:
            first, last = bounds(self.fiscal_year)
            if self.kind == RoundKind.YEAR_END and self.as_of != fiscal_year_end(self.fiscal_year):
                errors["as_of"] = _("年度末の照会の時点は%(day)sです。") % {
                    "day": format_date_ja(last)
                }
            elif not first <= self.as_of <= last:
                errors["as_of"] = _("時点は%(fy)sの期間内にしてください。") % {
                    "fy": fy_label_ja(self.fiscal_year)
                }
        if errors:
            raise ValidationError(errors)


class EntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Entries the user may see (and, workflow permitting, act on): their departments'
        initiatives', and every entry of their reform office's municipality."""
        reach = reach_of(user)
        if reach.everything:
            return self.all()
        if reach.is_empty:
            return self.none()
        return self.filter(reach.initiatives_q(prefix="initiative__"))

    def not_ready_to_publish(self):
        """Entries that keep their round from being published: any not yet 確認済 (nor already
        公表). "Every entry confirmed" is this being empty."""
        return self.exclude(state__in=PUBLISHABLE)


class Entry(models.Model):
    """One initiative's answer in one round: the live, editable row (staff side)."""

    round = models.ForeignKey(
        Round, verbose_name=_("照会"), on_delete=models.CASCADE, related_name="entries"
    )
    initiative = models.ForeignKey(
        Initiative, verbose_name=_("取組項目"), on_delete=models.PROTECT, related_name="entries"
    )
    result = models.CharField(_("評価結果"), max_length=15, choices=Result.choices, blank=True)
    reason = models.TextField(
        _("評価対象外の理由・備考"), max_length=TEXT_LIMITS["reason"], blank=True
    )
    narrative = models.TextField(_("進捗状況"), max_length=TEXT_LIMITS["narrative"], blank=True)
    staff_comment = models.TextField(
        _("市政改革室へのコメント"), max_length=TEXT_LIMITS["staff_comment"], blank=True
    )
    review_comment = models.TextField(
        _("差戻し・確認のコメント"), max_length=TEXT_LIMITS["review_comment"], blank=True
    )
    state = models.CharField(
        _("状態"), max_length=12, choices=EntryState.choices, default=EntryState.NOT_STARTED
    )
    version = models.PositiveIntegerField(_("版"), default=1)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("照会の回答")
        verbose_name_plural = _("照会の回答")
        ordering = ["round", "initiative__pillar__order", "initiative__order"]
        # Given through the groups 所管課職員 / 市政改革室; which entries a holder may act on is
        # decided by initiatives.access (department membership), not by these.
        permissions = [
            ("submit_entry", _("担当の回答を入力・提出できる")),
            ("review_entry", _("回答を確認・差戻しできる")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "initiative"],
                name="entry_one_per_initiative_per_round",
                violation_error_message=_("この取組項目の回答はこの照会に既にあります。"),
            ),
            models.CheckConstraint(
                condition=EXCLUDED_NEEDS_REASON,
                name="entry_excluded_needs_reason",
                violation_error_message=EXCLUDED_NEEDS_REASON_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.initiative} / {self.round}"

    def clean(self):
        errors = {}
        if self.round_id and self.initiative_id and self.initiative.plan_id != self.round.plan_id:
            errors["initiative"] = _("取組項目は照会と同じ計画のものを選んでください。")
        if problem := reason_problem(self.result, self.reason):
            errors["reason"] = problem
        if errors:
            raise ValidationError(errors)


class PillarNarrative(models.Model):
    """What a pillar did and what comes next (令和6年度においては… / 引き続き…) as of one 時点: a
    fiscal year and its point, named as rounds name theirs (``kind``: 年度末, or the year's
    中間 8月末), so an interim round publishes a narrative of its own. Publishing a round freezes
    the narrative of the round's 時点 into its PublishedPillar rows."""

    pillar = models.ForeignKey(
        Pillar, verbose_name=_("柱"), on_delete=models.CASCADE, related_name="narratives"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(
        _("時点の種別"),
        max_length=10,
        choices=RoundKind.choices,
        default=RoundKind.YEAR_END,
        help_text=_("年度末の取組状況か、年度途中（中間：8月末）の取組状況か。"),
    )
    done = models.TextField(_("取組状況"), blank=True)
    next_steps = models.TextField(_("今後の方向性"), blank=True)
    cluster_count = models.PositiveIntegerField(
        _("分析クラスター数"), null=True, blank=True, help_text=_("例：R6年度は37クラスター")
    )

    class Meta:
        verbose_name = _("柱の年度別取組状況")
        verbose_name_plural = _("柱の年度別取組状況")
        ordering = ["pillar", "fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["pillar", "fiscal_year", "kind"],
                name="pillar_narrative_one_per_point",
                violation_error_message=_("この柱のこの時点の取組状況は既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RoundKind.values),
                name="pillar_narrative_kind_is_a_point",
                violation_error_message=_("時点の種別は「年度末」か「中間」です。"),
            ),
        ]

    def __str__(self):
        return f"{self.pillar} {self.point_label_ja}"

    @property
    def point_label_ja(self) -> str:
        """「令和6年度末時点」, or 「令和7年度中間時点」 for the year's interim 時点."""
        if self.kind == RoundKind.INTERIM:
            return f"{fy_label_ja(self.fiscal_year)}中間時点"
        return f"{fy_label_ja(self.fiscal_year)}末時点"

    def clean(self):
        if self.pillar_id and self.fiscal_year:
            self.pillar.plan.clean_fiscal_year(self.fiscal_year)


class Publication(models.Model):
    """A published 時点: the moment a round's entries were frozen for the public."""

    round = models.ForeignKey(
        Round, verbose_name=_("照会"), on_delete=models.PROTECT, related_name="publications"
    )
    published_at = models.DateTimeField(_("公表日時"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公表者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("備考"), max_length=300, blank=True)
    # A re-publication of the same round after a correction (訂正): the publication it
    # replaces, and which items' results changed, as [{"code", "title", "before", "after"}].
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("訂正前の公表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    corrections = models.JSONField(_("訂正の内容"), default=list, blank=True)

    class Meta:
        verbose_name = _("公表（時点）")
        verbose_name_plural = _("公表（時点）")
        ordering = ["-published_at", "-id"]
        get_latest_by = ["published_at", "id"]

    def __str__(self):
        # Its date in the active language's calendar (和暦 / ISO), as every page writes it.
        return f"{self.round} ({wareki_or_iso(timezone.localtime(self.published_at).date())})"

    @property
    def plan(self):
        return self.round.plan

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None

    def get_absolute_url(self):
        return reverse("plan_detail", args=[self.round.plan.slug])


class PublishedPillar(models.Model):
    """A pillar as it stood at publication, with its narrative of the round's 時点."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("公表")
    )
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("番号"))
    name = models.CharField(_("名称"), max_length=200)
    managed_through = models.CharField(_("進捗管理の枠組み"), max_length=200, blank=True)
    office_tracks_items = models.BooleanField(_("取組項目ごとに進捗管理"), default=False)
    done = models.TextField(_("取組状況"), blank=True)
    next_steps = models.TextField(_("今後の方向性"), blank=True)

    class Meta:
        verbose_name = _("公表時の柱")
        verbose_name_plural = _("公表時の柱")
        ordering = ["publication", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "pillar"], name="published_pillar_once_per_publication"
            ),
        ]

    def __str__(self):
        return f"{self.order} {self.name}"


class PublishedResultQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """As QuerySet.bulk_create, with each row's ``search_text`` written."""
        objs = list(objs)
        for obj in objs:
            obj.search_text = obj.searchable()
        return super().bulk_create(objs, *args, **kwargs)


class PublishedResult(models.Model):
    """An initiative's result frozen at publication, with the names as they were then."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="results", verbose_name=_("公表")
    )
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+")
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("取組番号"), max_length=30)
    order = models.PositiveIntegerField(_("表示順"), default=0)
    title = models.CharField(_("取組項目"), max_length=300)
    department_name = models.CharField(_("所管"), max_length=100)
    target = models.TextField(_("目標"), blank=True)
    result = models.CharField(_("評価結果"), max_length=15, choices=Result.choices)
    reason = models.TextField(_("評価対象外の理由・備考"), blank=True)
    narrative = models.TextField(_("進捗状況"), blank=True)
    reform_level = models.CharField(_("改革レベル"), max_length=2, blank=True)
    # The title, narrative and reason as the browser searches them (reformtracker.textnorm);
    # written with the row (save, bulk_create), which never changes afterwards.
    search_text = models.TextField(_("検索用テキスト"), blank=True, default="", editable=False)

    objects = PublishedResultQuerySet.as_manager()
    # The initiative's provenance as it was published (evaluations.provenance shows it).
    provenance = models.CharField(
        _("出典の種別"),
        max_length=12,
        choices=Provenance.choices,
        default=Provenance.PUBLISHED,
        db_default=Provenance.PUBLISHED,
    )

    class Meta:
        verbose_name = _("公表時の評価結果")
        verbose_name_plural = _("公表時の評価結果")
        ordering = ["publication", "pillar_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "initiative"],
                name="published_result_once_per_publication",
            ),
            models.CheckConstraint(
                condition=EXCLUDED_NEEDS_REASON & ~Q(result=""),
                name="published_result_complete",
                violation_error_message=EXCLUDED_NEEDS_REASON_MESSAGE,
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "result"], name="pubresult_pub_result"),
            # The initiative browser's result filter reads the ids of the shown rows with a
            # result from this index alone (evaluations.browse), without reading the rows.
            models.Index(
                fields=["publication", "result", "initiative"], name="pubresult_browse_result"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}: {self.get_result_display()}"

    def searchable(self) -> str:
        """What ``search_text`` holds for this row."""
        return search_text(self.title, self.narrative, self.reason)

    def save(self, *args, **kwargs):
        self.search_text = self.searchable()
        super().save(*args, **kwargs)


class HistoryEvent(models.Model):
    """Append-only record of a change: who, when, which round, each field before → after.

    Written only by the service functions, in the same transaction as the change. The model
    refuses updates and deletes, and the admin offers neither.

    An initiative's rows keep its id without a database constraint, so the record of an
    initiative (made, edited, deleted in the admin: evaluations.masterdata) outlives the
    initiative; one with entries or published results cannot be deleted (those PROTECT it).
    Edits of other master data (plans, pillars) name what they changed in ``subject_*``.
    """

    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("操作者名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=40, choices=HistoryAction.choices)
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("取組項目"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="history",
    )
    subject_type = models.CharField(_("対象の種類"), max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(_("対象のID"), null=True, blank=True)
    subject_repr = models.CharField(_("対象"), max_length=300, blank=True)
    round = models.ForeignKey(
        Round,
        verbose_name=_("照会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="history",
    )
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("回答"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="history",
    )
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("公表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="history",
    )
    changes = models.JSONField(_("変更内容"), default=dict, blank=True)
    comment = models.TextField(_("コメント"), blank=True)
    # The token of the staff form whose save wrote this row (one per rendering of the form). A
    # retry of a save that was committed but whose answer was lost carries the same token and
    # the same old version: the service recognises it as already saved rather than a conflict.
    change_token = models.UUIDField(_("変更の識別子"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("変更履歴")
        verbose_name_plural = _("変更履歴")
        ordering = ["-at", "-id"]
        indexes = [
            # The history of one object: the feeds' meetings added, a meeting's versions, the
            # admin's scope of a model's rows. Without it each is a scan of the whole history.
            models.Index(fields=["subject_type", "subject_id"], name="history_subject"),
        ]
        constraints = [
            # One form's save is written once, however often it is sent.
            models.UniqueConstraint(
                fields=["change_token"],
                name="history_change_token_once",
                violation_error_message=_("この変更はすでに保存されています。"),
            ),
        ]

    def __str__(self):
        # 令和7年11月26日 10:09 in Japanese, 2025-11-26 10:09 in English, with the action's label.
        return f"{wareki_or_iso(self.at)} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("History is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("History is append-only.")


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Evidence items (not removed) attached to entries the user may see."""
        return self.filter(
            entry__in=Entry.objects.visible_to(user).values("pk"), removed_at__isnull=True
        )


class Evidence(models.Model):
    """Supporting material for an entry: a link, or a file kept in the private evidence storage.

    Files are never served from MEDIA_URL: only the permission-checked view streams them. A
    removed item stays as a row (with who removed it) so the history can still name it.
    """

    class Kind(models.TextChoices):
        LINK = "link", _("リンク")
        FILE = "file", _("ファイル")

    entry = models.ForeignKey(
        Entry, verbose_name=_("回答"), on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(_("種別"), max_length=4, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    file_path = models.CharField(_("保存先"), max_length=300, blank=True, editable=False)
    file_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    content_type = models.CharField(_("形式"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"), default=0)
    added_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("削除日時"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("削除者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("根拠資料")
        verbose_name_plural = _("根拠資料")
        ordering = ["entry", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file_path=""))
                | (Q(kind="file") & Q(url="") & ~Q(file_path="")),
                name="evidence_is_a_link_or_a_file",
                violation_error_message=_("根拠資料はリンクかファイルのどちらか一方です。"),
            ),
        ]

    def __str__(self):
        return self.title


class ReportJob(models.Model):
    """A progress report made in the background: who asked for which plan and year, how far the
    worker has got, and, once done, the PDF's name in the ``reports`` storage.

    A row rather than a file, so that any app server answers the browser's progress poll and a
    worker on another machine reports to it. The worker touches ``heartbeat_at`` while it works;
    a running job whose heartbeat has gone quiet reads as failed (evaluations.reports.jobs)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("順番待ち")
        RUNNING = "running", _("作成中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼者"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    state = models.CharField(_("状態"), max_length=8, choices=State.choices, default=State.QUEUED)
    percent = models.PositiveSmallIntegerField(_("進捗率"), default=0)
    message = models.CharField(_("メッセージ"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("依頼日時"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最終応答日時"), null=True, blank=True)
    file_name = models.CharField(_("保存名"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("サイズ（バイト）"), null=True, blank=True)

    class Meta:
        verbose_name = _("報告書の作成")
        verbose_name_plural = _("報告書の作成")
        ordering = ["-created_at"]
        # Nobody edits a job: the requester reads their own, the worker writes it. No
        # permissions, so the office's group (every evaluations permission) does not change.
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100),
                name="report_job_percent_at_most_100",
                violation_error_message=_("進捗率は100を超えません。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | ~Q(file_name=""),
                name="report_job_done_has_a_file",
                violation_error_message=_("完了した報告書にはファイルがあります。"),
            ),
        ]

    def __str__(self):
        return f"{self.plan_id} {self.fiscal_year} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class WorkerHeartbeat(models.Model):
    """A background worker (``manage.py worker``) that is alive: it writes ``last_seen`` every
    WORKER_HEARTBEAT_SECONDS, idle or busy, from a thread of its own (evaluations.heartbeat).

    /readyz is not ready when no row was seen within WORKER_HEARTBEAT_STALE_SECONDS. Times are
    the database's clock, so web and worker machines need not agree on the time. A worker that
    stops cleanly deletes its row; one that was killed leaves it, showing when it was last
    alive."""

    worker_id = models.CharField(_("ワーカーID"), max_length=64, primary_key=True)
    host = models.CharField(_("ホスト名"), max_length=255)
    pid = models.PositiveIntegerField(_("プロセスID"))
    started = models.DateTimeField(_("開始日時"))
    last_seen = models.DateTimeField(_("最終応答日時"), db_index=True)

    class Meta:
        verbose_name = _("ワーカーの応答")
        verbose_name_plural = _("ワーカーの応答")
        ordering = ["-last_seen"]
        # Written by the worker only; nobody edits it.
        default_permissions = ()

    def __str__(self):
        return f"{self.host}:{self.pid} ({self.worker_id})"


class StoredFile(models.Model):
    """A private file kept in the database (evaluations.filestore.DatabaseStorage): evidence,
    a finished report, an uploaded 照会票 awaiting confirmation. ``name`` starts with its
    storage's prefix (``evidence/…``, ``reports/…``, ``imports/…``)."""

    name = models.CharField(_("保存名"), max_length=255)
    content = models.BinaryField(_("ファイルの内容"))
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"))
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    modified_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    class Meta:
        verbose_name = _("保存ファイル")
        verbose_name_plural = _("保存ファイル")
        # Only the storage writes these rows; no permissions, so the office's group (every
        # evaluations permission) does not change.
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="stored_file_name_unique",
                violation_error_message=_("同じ名前のファイルが既にあります。"),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="stored_file_has_a_name",
                violation_error_message=_("ファイルには名前が必要です。"),
            ),
        ]

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """An e-mail address following a plan's publications (double opt-in).

    The address is used for nothing but the plan's mail and is never shown on any page: the
    subscribe form answers the same whatever the address's state. ``token`` (random, 256 bits)
    is the only key the mail's links carry, to confirm and to leave; leaving deletes the row,
    so nothing of the address stays (evaluations.subscriptions)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    email = models.EmailField(_("メールアドレス"))
    language = models.CharField(_("言語"), max_length=5, default="ja")
    token = models.CharField(_("鍵"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    # The newest publication mailed to this address (ids only grow): a retried task skips it.
    last_publication_mailed = models.PositiveBigIntegerField(
        _("最後に送った公表"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("メールでのお知らせ")
        verbose_name_plural = _("メールでのお知らせ")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "email"],
                name="subscription_one_per_address_and_plan",
                violation_error_message=_("このアドレスは既に登録されています。"),
            ),
            models.UniqueConstraint(fields=["token"], name="subscription_token_unique"),
            models.CheckConstraint(condition=~Q(token=""), name="subscription_has_a_token"),
        ]

    def __str__(self):
        # Never the address: this may end up in a log or a history row.
        return f"{self._meta.verbose_name} #{self.pk}"


class IndicatorValue(models.Model):
    """An indicator's actual value entered in a round (the 時点's 実績), before publication."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="indicator_values", verbose_name=_("照会")
    )
    indicator = models.ForeignKey(
        "initiatives.Indicator",
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("指標"),
    )
    value = models.DecimalField(_("実績値"), max_digits=18, decimal_places=4)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    class Meta:
        verbose_name = _("指標の実績")
        verbose_name_plural = _("指標の実績")
        # Kept through the office's pages and the services, not the admin: no model
        # permissions, so the staff groups the migrations made stay what ensure_groups grants.
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator"], name="indicator_value_once_per_round"
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"


class PublishedIndicatorValue(models.Model):
    """An indicator with its actual, frozen at publication (names, unit and targets as then)."""

    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="indicator_values",
        verbose_name=_("公表"),
    )
    indicator = models.ForeignKey(
        "initiatives.Indicator", on_delete=models.PROTECT, related_name="+"
    )
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20)
    direction = models.CharField(_("方向"), max_length=10)
    baseline_value = models.DecimalField(_("基準値"), max_digits=18, decimal_places=4)
    baseline_year = models.PositiveSmallIntegerField(_("基準年度"))
    target_value = models.DecimalField(_("目標値"), max_digits=18, decimal_places=4)
    target_year = models.PositiveSmallIntegerField(_("目標年度"))
    actual = models.DecimalField(_("実績値"), max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = _("公表時の指標")
        verbose_name_plural = _("公表時の指標")
        # Kept through the office's pages and the services, not the admin: no model
        # permissions, so the staff groups the migrations made stay what ensure_groups grants.
        default_permissions = ()
        ordering = ["publication", "initiative", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "indicator"],
                name="published_indicator_once_per_publication",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.actual}{self.unit}"
