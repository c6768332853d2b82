"""Choices with their labels and colours in one place (templates, PDF and Excel read these)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# One colour per result: the デジタル庁 design token the site's stylesheet names (green / red /
# grey, each keeping AA contrast with white text) and the hex that outputs which cannot read
# CSS variables (the PDF, the badge) use. site.css's --achieved, --not-achieved and --excluded
# and the PDF stylesheet are checked against these (tests/dashboard/test_contrast.py).
_PALETTE = {
    "achieved": ("--color-primitive-green-800", "#115a36"),
    "not_achieved": ("--color-primitive-red-800", "#b20000"),
    "excluded": ("--color-neutral-solid-gray-700", "#414141"),
}


class Result(models.TextChoices):
    """An initiative's evaluation at a 時点. 評価対象外 counts as checked, never as evaluated."""

    ACHIEVED = "achieved", _("達成")
    NOT_ACHIEVED = "not_achieved", _("未達成")
    EXCLUDED = "excluded", _("評価対象外")

    @property
    def counts_as_evaluated(self) -> bool:
        return self in (Result.ACHIEVED, Result.NOT_ACHIEVED)

    @property
    def colour(self) -> str:
        """The colour as CSS: the design token, with the hex as its fallback."""
        token, hex_ = _PALETTE[self.value]
        return f"var({token}, {hex_})"

    @property
    def hex(self) -> str:
        return _PALETTE[self.value][1]

    @property
    def css_class(self) -> str:
        return f"result-{self.value.replace('_', '-')}"


class RoundKind(models.TextChoices):
    YEAR_END = "year_end", _("年度末")
    INTERIM = "interim", _("中間")


class RoundState(models.TextChoices):
    OPEN = "open", _("受付中")
    CLOSED = "closed", _("締切")
    # Published: read-only until the office reopens it for a correction (訂正).
    PUBLISHED = "published", _("公表済")


class EntryState(models.TextChoices):
    """The workflow of one initiative's entry in an update round (照会)."""

    NOT_STARTED = "not_started", _("未着手")
    IN_PROGRESS = "in_progress", _("入力中")
    SUBMITTED = "submitted", _("提出済")
    RETURNED = "returned", _("差戻し")
    CONFIRMED = "confirmed", _("確認済")
    PUBLISHED = "published", _("公表")


class HistoryAction(models.TextChoices):
    """What a history row records: the code stored in ``HistoryEvent.action`` and its label.

    Every writer names its action through this class, so a code cannot exist without a label
    (tests/workflow/test_history_labels.py checks the rows a full workflow writes). The prefix
    before the dot names the kind of object the row's changes are about.
    """

    ENTRY_UPDATE = "entry.update", _("更新")
    ENTRY_EDIT = "entry.edit", _("編集")
    ENTRY_SUBMIT = "entry.submit", _("提出")
    ENTRY_RETURN = "entry.return", _("差戻し")
    ENTRY_CONFIRM = "entry.confirm", _("確認")
    ENTRY_PUBLISH = "entry.publish", _("公表")
    # A context of its own: the bare msgid names the import page ("Import update sheets").
    ENTRY_IMPORT = "entry.import", pgettext_lazy("history action", "照会票の取込")
    EVIDENCE_ADD = "evidence.add", _("根拠資料の追加")
    EVIDENCE_REMOVE = "evidence.remove", _("根拠資料の削除")
    ROUND_OPEN = "round.open", _("照会の開始")
    ROUND_CLOSE = "round.close", _("照会の締切")
    ROUND_PUBLISH = "round.publish", _("公表")
    ROUND_REOPEN = "round.reopen", _("訂正のための再開")
    ROUND_REMIND = "round.remind", _("督促")
    INITIATIVE_CREATE = "initiative.create", _("取組項目の登録")
    INITIATIVE_CHANGE = "initiative.change", _("取組項目の変更")
    INITIATIVE_DELETE = "initiative.delete", _("取組項目の削除")
    # The office's own pages (evaluations.services.plan_edits): a move and a retirement are
    # named apart from an edit, as the people reading the history speak of them.
    INITIATIVE_MOVE = "initiative.move", _("取組項目の柱の移動")
    INITIATIVE_RETIRE = "initiative.retire", _("取組項目の廃止")
    # The reverse of a retirement, with its reason in the row's comment: the item is asked
    # about again from the next round on.
    INITIATIVE_REINSTATE = "initiative.reinstate", _("取組項目の廃止の取消し")
    # A new 取組番号: the item's public address changes with it.
    INITIATIVE_RENUMBER = "initiative.renumber", _("取組番号の変更")
    PLANNOTE_REORDER = "plannote.reorder", _("振り返り・方針の並べ替え")
    PLAN_CREATE = "plan.create", _("計画の登録")
    PLAN_CHANGE = "plan.change", _("計画の変更")
    PLAN_DELETE = "plan.delete", _("計画の削除")
    # A plan, its pillars, departments and initiatives created from one plan workbook (its
    # file name and SHA-256, and how many of each); each object also has its own create row.
    PLAN_IMPORT = "plan.import", _("計画ブックの取込")
    PILLAR_CREATE = "pillar.create", _("柱の登録")
    PILLAR_CHANGE = "pillar.change", _("柱の変更")
    PILLAR_DELETE = "pillar.delete", _("柱の削除")
    # Everything else written through the admin (evaluations.masterdata), named by the model.
    PLANNOTE_CREATE = "plannote.create", _("振り返り・方針の登録")
    PLANNOTE_CHANGE = "plannote.change", _("振り返り・方針の変更")
    PLANNOTE_DELETE = "plannote.delete", _("振り返り・方針の削除")
    ANALYSISCLUSTER_CREATE = "analysiscluster.create", _("分析クラスターの登録")
    ANALYSISCLUSTER_CHANGE = "analysiscluster.change", _("分析クラスターの変更")
    ANALYSISCLUSTER_DELETE = "analysiscluster.delete", _("分析クラスターの削除")
    # Clusters are listed by their number: moving one swaps its number with its neighbour's.
    ANALYSISCLUSTER_REORDER = "analysiscluster.reorder", _("分析クラスターの並べ替え")
    PILLARNARRATIVE_CREATE = "pillarnarrative.create", _("柱の年度別取組状況の登録")
    PILLARNARRATIVE_CHANGE = "pillarnarrative.change", _("柱の年度別取組状況の変更")
    PILLARNARRATIVE_DELETE = "pillarnarrative.delete", _("柱の年度別取組状況の削除")
    ROUND_CHANGE = "round.change", _("照会の変更")
    INDICATOR_CREATE = "indicator.create", _("指標の登録")
    INDICATOR_RECORD = "indicator.record", _("指標の実績の記録")
    MEETING_CREATE = "meeting.create", _("X会議の登録")
    MEETING_CHANGE = "meeting.change", _("X会議の変更")
    MEETING_DELETE = "meeting.delete", _("X会議の削除")
    MEETING_HELD = "meeting.held", _("X会議の開催済の登録")
    MEETING_LINK = "meeting.link", _("X会議と取組項目の関連付け")
    MEETING_UNLINK = "meeting.unlink", _("X会議と取組項目の関連付けの解除")
    MEETINGTOPIC_CREATE = "meetingtopic.create", _("X会議のテーマの登録")
    MEETINGTOPIC_CHANGE = "meetingtopic.change", _("X会議のテーマの変更")
    MEETINGTOPIC_DELETE = "meetingtopic.delete", _("X会議のテーマの削除")
    MEETINGMATERIAL_CREATE = "meetingmaterial.create", _("X会議の資料の登録")
    MEETINGMATERIAL_CHANGE = "meetingmaterial.change", _("X会議の資料の変更")
    MEETINGMATERIAL_DELETE = "meetingmaterial.delete", _("X会議の資料の削除")
    SCHEDULE_CREATE = "schedule.create", _("スケジュールの登録")
    SCHEDULE_CHANGE = "schedule.change", _("スケジュールの変更")
    SCHEDULE_DELETE = "schedule.delete", _("スケジュールの削除")
    SCHEDULELANE_CREATE = "schedulelane.create", _("スケジュールの行の登録")
    SCHEDULELANE_CHANGE = "schedulelane.change", _("スケジュールの行の変更")
    SCHEDULELANE_DELETE = "schedulelane.delete", _("スケジュールの行の削除")
    SCHEDULEACTIVITY_CREATE = "scheduleactivity.create", _("スケジュールの活動の登録")
    SCHEDULEACTIVITY_CHANGE = "scheduleactivity.change", _("スケジュールの活動の変更")
    SCHEDULEACTIVITY_DELETE = "scheduleactivity.delete", _("スケジュールの活動の削除")
    # Who may do what: superusers only, in the admin.
    MUNICIPALITY_CREATE = "municipality.create", _("自治体の登録")
    MUNICIPALITY_CHANGE = "municipality.change", _("自治体の変更")
    MUNICIPALITY_DELETE = "municipality.delete", _("自治体の削除")
    # The reform office's own page for its city's name, logo, colour and links.
    MUNICIPALITY_IDENTITY = "municipality.identity", _("自治体の表示設定の変更")
    DEPARTMENT_CREATE = "department.create", _("所属の登録")
    DEPARTMENT_CHANGE = "department.change", _("所属の変更")
    DEPARTMENT_DELETE = "department.delete", _("所属の削除")
    MEMBERSHIP_CREATE = "membership.create", _("所属職員の登録")
    MEMBERSHIP_CHANGE = "membership.change", _("所属職員の変更")
    MEMBERSHIP_DELETE = "membership.delete", _("所属職員の削除")
    USER_CREATE = "user.create", _("ユーザーの登録")
    USER_CHANGE = "user.change", _("ユーザーの変更")
    USER_DELETE = "user.delete", _("ユーザーの削除")
    USER_PASSWORD = "user.password", _("パスワードの変更")
    GROUP_CREATE = "group.create", _("グループの登録")
    GROUP_CHANGE = "group.change", _("グループの変更")
    GROUP_DELETE = "group.delete", _("グループの削除")
    # The first-run setup of an empty site: its operator (a superuser) registered. Written once
    # ever (evaluations.services.onboarding holds it to one row).
    SITE_SETUP = "site.setup", _("初期設定（運用者の登録）")

    @property
    def edits_master_data(self) -> bool:
        """Whether the row records an edit of what public pages show live (master data: plans,
        pillars and their narratives, initiatives, notes, meetings, schedules, a city's identity
        and departments), so a page cached before it is stale.

        Not: an entry's workflow and evidence (the public reads published snapshots, and a
        publication changes the publication fingerprint itself), a round's moves, indicator
        actuals (frozen by publishing), accounts, groups and the site's setup."""
        if self is HistoryAction.INDICATOR_RECORD:
            return False
        return self.value.partition(".")[0] not in _NOT_SHOWN_LIVE


# The prefixes of actions whose rows change nothing a public page shows live
# (HistoryAction.edits_master_data).
_NOT_SHOWN_LIVE = frozenset({"entry", "evidence", "round", "membership", "user", "group", "site"})
