"""Plans, their pillars, the departments that own initiatives, and the initiatives (取組項目)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from initiatives.access import reach_of
from initiatives.prefectures import Prefecture, validate_local_code
from initiatives.roles import MANAGE_ROUND
from reformtracker.calendar_ja import fy_label_ja
from reformtracker.textnorm import search_text


class Provenance(models.TextChoices):
    """Where a figure or a text comes from, declared once for every row that carries one.

    PUBLISHED: the city published it (the plan's source names the document and its date);
    OURS: this site's reading or arrangement of what the source says (a placement, a span, a
    wording); ILLUSTRATIVE: no source released it, it was made up to show how the site works
    (e.g. which items were 達成, chosen so that the published totals hold)."""

    PUBLISHED = "published", _("公表資料")
    OURS = "ours", _("当サイトの整理")
    ILLUSTRATIVE = "illustrative", _("例示")


def provenance_field(verbose_name, help_text=""):
    return models.CharField(
        verbose_name,
        max_length=12,
        choices=Provenance.choices,
        default=Provenance.PUBLISHED,
        # A database default too: bulk loaders that write SQL (bench/) need not name the column.
        db_default=Provenance.PUBLISHED,
        help_text=help_text,
    )


def logo_storage():
    from django.core.files.storage import storages

    return storages["logos"]


accent_format = RegexValidator(
    r"^#[0-9a-f]{6}$", _("色は #1a5fb4 のように # と16進6桁（小文字）で入力してください。")
)


class Municipality(models.Model):
    """A city government (大阪市, 北九州市), with how its pages present it (its identity)."""

    slug = models.SlugField(_("識別子"), unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英語名"), max_length=100, blank=True)
    prefecture = models.CharField(
        _("都道府県"), max_length=2, choices=Prefecture.choices, blank=True, db_index=True
    )
    # NULL, not "", when unknown: the code is unique when set, and many cities may lack one.
    local_code = models.CharField(  # noqa: DJ001
        _("全国地方公共団体コード"),
        max_length=6,
        null=True,
        blank=True,
        validators=[validate_local_code],
        help_text=_("6桁（検査数字を含む）。例：大阪市 271004。"),
    )
    # Identity: what the header, the footer and the PDF cover show on this city's pages. Edited
    # by the city's reform office (evaluations.identity.update_identity, which also checks the
    # accent colour's contrast against the design tokens).
    display_name = models.CharField(
        _("表示名"),
        max_length=100,
        blank=True,
        db_default="",
        help_text=_("空欄なら名称を表示します。"),
    )
    display_name_en = models.CharField(
        _("表示名（英語）"), max_length=200, blank=True, db_default=""
    )
    logo = models.FileField(
        _("ロゴ画像"),
        storage=logo_storage,
        upload_to="",
        max_length=200,
        blank=True,
        db_default="",
    )
    logo_alt = models.CharField(
        _("ロゴの代替テキスト"),
        max_length=200,
        blank=True,
        db_default="",
        help_text=_("画像を見られない人に読み上げられる文。例：大阪市章"),
    )
    accent_colour = models.CharField(
        _("アクセント色"),
        max_length=7,
        blank=True,
        db_default="",
        validators=[accent_format],
        help_text=_(
            "見出しの線などに使います。背景・文字の色と4.5:1以上のコントラストが必要です。"
        ),
    )
    contact = models.CharField(_("問合せ先"), max_length=300, blank=True, db_default="")
    # Where the contact line was quoted from, when it was (the seed's, from the city's release);
    # empty when the office wrote it itself. A change of the contact clears both.
    contact_source = models.CharField(
        _("問合せ先の出典"), max_length=300, blank=True, db_default=""
    )
    contact_source_published_on = models.DateField(
        _("問合せ先の出典の公表日"), null=True, blank=True
    )
    contact_url = models.URLField(_("問合せ先のURL"), blank=True, db_default="")
    accessibility_url = models.URLField(
        _("ウェブアクセシビリティ方針のURL"), blank=True, db_default=""
    )
    privacy_url = models.URLField(
        _("個人情報の取扱い（プライバシーポリシー）のURL"), blank=True, db_default=""
    )

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_code"],
                condition=Q(local_code__isnull=False),
                name="municipality_local_code_unique",
                violation_error_message=_("この全国地方公共団体コードの自治体は既にあります。"),
            ),
            # The code's first two digits are the prefecture's JIS code.
            models.CheckConstraint(
                condition=Q(local_code__isnull=True) | Q(local_code__startswith=F("prefecture")),
                name="municipality_local_code_in_its_prefecture",
                violation_error_message=_(
                    "全国地方公共団体コードの先頭2桁が都道府県と一致しません。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(accent_colour="") | Q(accent_colour__regex=r"^#[0-9a-f]{6}$"),
                name="municipality_accent_colour_hex",
                violation_error_message=_("色は # と16進6桁（小文字）で入力してください。"),
            ),
            models.CheckConstraint(
                condition=Q(logo="") | ~Q(logo_alt=""),
                name="municipality_logo_has_alt",
                violation_error_message=_("ロゴ画像には代替テキストが必要です。"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


class Department(models.Model):
    """A bureau (局), ward office (区) or office (室) that owns initiatives."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("局")
        WARD = "ward", _("区")
        OFFICE = "office", _("室")
        OTHER = "other", _("その他")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="departments"
    )
    code = models.CharField(_("所属コード"), max_length=30)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英語名"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices, default=Kind.BUREAU)
    is_reform_office = models.BooleanField(
        _("改革事務局"),
        default=False,
        help_text=_(
            "市政改革室・市政変革室など。所属する職員は自治体の全計画を確認・公表できます。"
        ),
    )

    class Meta:
        verbose_name = _("所属（局・区・室）")
        verbose_name_plural = _("所属（局・区・室）")
        ordering = ["municipality", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"],
                name="department_code_unique_per_municipality",
                violation_error_message=_("この自治体には同じ所属コードが既にあります。"),
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's membership of a department: what they may see and edit is decided from these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ユーザー"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属"), on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        verbose_name = _("所属職員")
        verbose_name_plural = _("所属職員")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"],
                name="membership_unique",
                violation_error_message=_("この職員は既にこの所属に登録されています。"),
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.department}"


class PlanQuerySet(models.QuerySet):
    def in_office_reach(self, user):
        """Plans of the municipalities whose reform office the user is in (every plan for a
        superuser): those whose rounds and reports they see, manage them or not."""
        reach = reach_of(user)
        if reach.everything:
            return self.all()
        return self.filter(municipality_id__in=reach.office_municipalities)

    def managed_by(self, user):
        """Plans whose rounds the user may open, close, review and publish, and whose reports they
        may take: the reform office's, by the rule of initiatives.access.manages_plan."""
        if not user.has_perm(MANAGE_ROUND):
            return self.none()
        return self.in_office_reach(user)


class RatingRule(models.TextChoices):
    """How a plan's items become its headline figure: each plan's own rule, chosen per plan and
    shown publicly (evaluations.rating_rules words and computes each one)."""

    # Osaka's rule: 達成 ÷ 評価対象 (達成 + 未達成); 評価対象外 excluded; 「約」 when rounded.
    ACHIEVED_OVER_EVALUATED = "achieved_over_evaluated", _("達成項目数 ÷ 評価対象項目数")
    # Items rated by their indicators' progress into bands set per plan (A ≥ 100 %…).
    INDICATOR_BANDS = "indicator_bands", _("指標の進捗による段階評価")
    # Kitakyushu publishes no plan-wide figure: neither do we.
    NO_HEADLINE = "none", _("全体の数値を示さない")


def default_indicator_bands() -> list:
    """A ≥ 100 %, B ≥ 80 %, C ≥ 50 %, D below: [label, lowest progress in percent], best first."""
    return [["A", 100], ["B", 80], ["C", 50], ["D", 0]]


def validate_indicator_bands(value) -> None:
    """Bands are [label, lowest percent] pairs, floors falling from ≤ 100 to exactly 0."""
    message = _("段階は [記号, 下限（%）] を下限の高い順に並べ、最後の下限を0にしてください。")
    if not isinstance(value, list) or not value:
        raise ValidationError(message, code="bands")
    floors = []
    for band in value:
        if (
            not isinstance(band, list)
            or len(band) != 2
            or not isinstance(band[0], str)
            or not band[0].strip()
            or isinstance(band[1], bool)
            or not isinstance(band[1], int | float)
        ):
            raise ValidationError(message, code="bands")
        floors.append(band[1])
    if floors[-1] != 0 or floors[0] > 100 or floors != sorted(floors, reverse=True):
        raise ValidationError(message, code="bands")
    if len(set(floors)) != len(floors):
        raise ValidationError(message, code="bands")


class Plan(models.Model):
    """A multi-year reform plan (新・市政改革プラン, 市政変革)."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="plans"
    )
    slug = models.SlugField(_("識別子"), unique=True)
    title = models.CharField(_("名称"), max_length=200)
    title_en = models.CharField(_("英語名"), max_length=300, blank=True)
    subtitle = models.CharField(_("副題"), max_length=200, blank=True)
    start_fiscal_year = models.PositiveSmallIntegerField(_("取組期間（開始年度）"))
    end_fiscal_year = models.PositiveSmallIntegerField(
        _("取組期間（終了年度）"),
        null=True,
        blank=True,
        help_text=_("終了年度が定められていない場合は空欄。"),
    )
    adopted_on = models.DateField(_("策定日"), null=True, blank=True)
    adopted_precision = models.CharField(
        _("策定日の精度"),
        max_length=5,
        choices=[("day", _("日")), ("month", _("月"))],
        default="day",
        help_text=_("「令和6年3月」のように月までしか公表されていない場合は「月」。"),
    )
    summary = models.TextField(_("概要"), blank=True)
    source_title = models.CharField(_("出典資料"), max_length=300, blank=True)
    source_url = models.URLField(_("出典URL"), blank=True)
    # Provenance (evaluations.provenance reads these for every output): the source's date, the
    # 時点 whose totals it published, and what the plan's period and item-level data are.
    source_published_on = models.DateField(_("出典の公表日"), null=True, blank=True)
    source_as_of = models.DateField(
        _("出典が合計を公表した時点"),
        null=True,
        blank=True,
        help_text=_("この時点の達成率などの合計は、出典資料で自治体が公表した数値です。"),
    )
    period_provenance = provenance_field(
        _("取組期間の出典の種別"),
        _("資料に終了年度などの記載がなく当サイトが読み取った場合は「当サイトの整理」。"),
    )
    item_provenance = provenance_field(
        _("取組項目ごとのデータの出典の種別"),
        _(
            "取組項目ごとの名称・所管・結果が公表されていない場合は「例示」。"
            "計画のページに注記を表示します。"
        ),
    )
    schedule_provenance = provenance_field(
        _("スケジュールの期間の出典の種別"),
        _("資料の矢印などから当サイトが月の範囲を読み取った場合は「当サイトの整理」。"),
    )
    contact = models.CharField(_("問合せ先"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    rating_rule = models.CharField(
        _("全体の数値の算出方法"),
        max_length=30,
        choices=RatingRule.choices,
        default=RatingRule.ACHIEVED_OVER_EVALUATED,
        help_text=_(
            "計画の公表資料が全体の数値をどう算出しているか。公開ページに式とともに示します。"
        ),
    )
    indicator_bands = models.JSONField(
        _("指標の段階"),
        default=default_indicator_bands,
        validators=[validate_indicator_bands],
        help_text=_("「指標の進捗による段階評価」の段階：[記号, 下限（%）] を高い順に。最後は0。"),
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("計画")
        verbose_name_plural = _("計画")
        ordering = ["order", "slug"]
        # The initiative browser's order starts with the plans': with this index PostgreSQL
        # reads a page of 174,000 initiatives plan by plan instead of sorting them all
        # (bench/bench_nation.py: 30 ms → 0.4 ms among 30,000).
        indexes = [models.Index(fields=["order", "slug"], name="plan_order_slug")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_fiscal_year__isnull=True)
                | Q(end_fiscal_year__gte=F("start_fiscal_year")),
                name="plan_period_in_order",
                violation_error_message=_("終了年度は開始年度以降にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(start_fiscal_year__gte=1989, start_fiscal_year__lte=2200),
                name="plan_start_fiscal_year_plausible",
                violation_error_message=_("開始年度が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=Q(rating_rule__in=RatingRule.values),
                name="plan_rating_rule_known",
                violation_error_message=_("全体の数値の算出方法が正しくありません。"),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plan_detail", args=[self.slug])

    def covers_fiscal_year(self, fiscal_year: int) -> bool:
        if fiscal_year < self.start_fiscal_year:
            return False
        return self.end_fiscal_year is None or fiscal_year <= self.end_fiscal_year

    def clean_fiscal_year(self, fiscal_year: int, field: str = "fiscal_year"):
        """Raises the Japanese error every model uses for a year outside the plan's period."""
        if not self.covers_fiscal_year(fiscal_year):
            raise ValidationError({field: self.period_error(fiscal_year)})

    def period_error(self, fiscal_year: int) -> str:
        return _("%(fy)sは計画「%(plan)s」の取組期間（%(period)s）の外です。") % {
            "fy": fy_label_ja(fiscal_year),
            "plan": self.title,
            "period": self.period_label_ja,
        }

    @property
    def period_label_ja(self) -> str:
        if self.end_fiscal_year is None:
            return f"{fy_label_ja(self.start_fiscal_year)}〜"
        return f"{fy_label_ja(self.start_fiscal_year)}〜{fy_label_ja(self.end_fiscal_year)}"


class Pillar(models.Model):
    """A pillar of a plan: a policy pillar (取組方針) or a method pillar of the X approach."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("取組方針")
        METHOD = "method", _("手法の柱")

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="pillars"
    )
    order = models.PositiveSmallIntegerField(_("番号"))
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英語名"), max_length=300, blank=True)
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices, default=Kind.POLICY)
    description = models.TextField(_("説明"), blank=True)
    description_provenance = provenance_field(
        _("説明の出典の種別"),
        _("資料の文言そのままなら「公表資料」、要約・言い換えなら「当サイトの整理」。"),
    )
    managed_through = models.CharField(
        _("進捗管理の枠組み"),
        max_length=200,
        blank=True,
        help_text=_(
            "例：大阪市DX戦略、大阪市働き方改革実施方針、区政がめざす姿（令和5年度~8年度）"
        ),
    )
    managing_department = models.ForeignKey(
        Department,
        verbose_name=_("進捗管理の所属"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_pillars",
    )
    office_tracks_items = models.BooleanField(
        _("市政改革室が取組項目ごとに進捗管理する"),
        default=False,
        help_text=_("オンの柱の取組項目だけが達成率の計算対象になります。"),
    )

    class Meta:
        verbose_name = _("柱（取組方針）")
        verbose_name_plural = _("柱（取組方針）")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "order"],
                name="pillar_order_unique_per_plan",
                violation_error_message=_("この計画には同じ番号の柱が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1),
                name="pillar_order_positive",
                violation_error_message=_("柱の番号は1以上にしてください。"),
            ),
        ]

    def __str__(self):
        return f"{self.order} {self.name}"

    def get_absolute_url(self):
        return reverse("pillar_detail", args=[self.plan.slug, self.order])


class AnalysisCluster(models.Model):
    """A cluster of policies and projects analysed together (経営分析・事業分析のクラスター)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="clusters"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    code = models.CharField(_("番号"), max_length=30)
    name = models.CharField(_("名称"), max_length=200)

    class Meta:
        verbose_name = _("分析クラスター")
        verbose_name_plural = _("分析クラスター")
        ordering = ["plan", "fiscal_year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "fiscal_year", "code"],
                name="cluster_code_unique_per_plan_year",
                violation_error_message=_("この年度には同じ番号のクラスターが既にあります。"),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.plan_id:
            self.plan.clean_fiscal_year(self.fiscal_year)


class ReformLevel(models.TextChoices):
    """北九州市の改革レベル: A = 現場の業務改善; BC = 本質的な課題認識に基づく改革."""

    A = "A", _("Aレベル（現場の業務改善）")
    # The source writes 「BCレベル」.
    BC = "BC", _("BCレベル（本質的な課題認識に基づく改革）")


class InitiativeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Initiatives whose full (unpublished) history the user may see: their departments' and,
        for a reform office, every one of its municipality's plans."""
        reach = reach_of(user)
        if reach.everything:
            return self.all()
        if reach.is_empty:
            return self.none()
        return self.filter(reach.initiatives_q())

    def evaluable(self):
        """Initiatives a new round asks about: those under a pillar whose items the reform
        office tracks. The one place a round's carry-forward reads, so an initiative taken out
        of the evaluation (retired) drops out of every later round here, its history kept."""
        return self.filter(pillar__office_tracks_items=True, retired_on__isnull=True)

    def bulk_create(self, objs, *args, **kwargs):
        """As QuerySet.bulk_create, with each initiative's ``search_text`` written."""
        objs = list(objs)
        for obj in objs:
            obj.search_text = obj.searchable()
        return super().bulk_create(objs, *args, **kwargs)

    def active(self):
        """Initiatives not retired (廃止): the ones a new round asks about. A retired one keeps
        its entries, published results and history; it only drops out of future rounds."""
        return self.filter(retired_on__isnull=True)

    def retired(self):
        return self.filter(retired_on__isnull=False)


class Initiative(models.Model):
    """An initiative (取組項目) under one pillar, owned by one department."""

    class Timing(models.TextChoices):
        EVERY_YEAR = "every_year", _("毎年度末に評価")
        FROM_YEAR = "from_year", _("指定年度末から評価")

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="initiatives"
    )
    pillar = models.ForeignKey(
        Pillar, verbose_name=_("柱"), on_delete=models.PROTECT, related_name="initiatives"
    )
    code = models.CharField(_("取組番号"), max_length=30)
    order = models.PositiveIntegerField(_("表示順"), default=0)
    title = models.CharField(_("取組項目"), max_length=300)
    title_en = models.CharField(_("英語名"), max_length=400, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所管"),
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    target = models.TextField(_("目標"), blank=True)
    description = models.TextField(_("取組内容"), blank=True)
    evaluation_timing = models.CharField(
        _("評価時期"), max_length=12, choices=Timing.choices, default=Timing.EVERY_YEAR
    )
    first_evaluated_fiscal_year = models.PositiveSmallIntegerField(
        _("初回評価年度"),
        null=True,
        blank=True,
        help_text=_("例：令和9年度末時点で評価する取組は 2027。それより前の年度は評価対象外です。"),
    )
    reform_level = models.CharField(
        _("改革レベル"), max_length=2, choices=ReformLevel.choices, blank=True
    )
    cluster = models.ForeignKey(
        AnalysisCluster,
        verbose_name=_("分析クラスター"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
    )
    provenance = provenance_field(
        _("出典の種別"),
        _(
            "名称・所管・目標・結果のうち最も弱い出典。公表資料に個別の結果がなく補ったものは"
            "「例示」、資料から当サイトが整理したものは「当サイトの整理」。"
        ),
    )
    provenance_note = models.CharField(
        _("出典についての注記"),
        max_length=300,
        blank=True,
        db_default="",
        help_text=_("例：名称は公表資料の記述から当サイトが整理。所管・目標・評価結果は例示。"),
    )
    # The title, English title, target and description as the browser searches them
    # (reformtracker.textnorm); written by save() and bulk_create from the fields.
    search_text = models.TextField(_("検索用テキスト"), blank=True, default="", editable=False)

    # Retired (廃止), never deleted once evaluated: the row stays for its entries, published
    # results and history (evaluations.services.plan_edits.retire_initiative).
    retired_on = models.DateField(_("廃止日"), null=True, blank=True)
    retired_reason = models.TextField(_("廃止の理由"), max_length=1000, blank=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("取組項目")
        verbose_name_plural = _("取組項目")
        ordering = ["plan", "pillar__order", "order", "code"]
        # The browser finds an item by its number (「6-5」) among every plan's.
        indexes = [
            models.Index(fields=["code"], name="initiative_code"),
            # The initiative browser's order within a plan (evaluations.browse): its pages are
            # read by walking this index pillar by pillar, without sorting the plan's items, and
            # the department choices read it alone (department last).
            models.Index(
                fields=["plan", "pillar", "order", "code", "department"],
                name="initiative_browse_order",
            ),
            # The browser's department choices (evaluations.browse._department_choices) step
            # from one department of a plan to the next with one probe of this index each (a
            # loose index scan): ~20 probes where the plan's 10,000 items were read.
            models.Index(fields=["plan", "department"], name="initiative_plan_department"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="initiative_code_unique_per_plan",
                violation_error_message=_("この計画には同じ取組番号が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    evaluation_timing="every_year", first_evaluated_fiscal_year__isnull=True
                )
                | Q(evaluation_timing="from_year", first_evaluated_fiscal_year__isnull=False),
                name="initiative_timing_has_year_when_needed",
                violation_error_message=_("「指定年度末から評価」には初回評価年度が必要です。"),
            ),
            # A retirement always says why; an active item carries no stray reason.
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True, retired_reason="")
                | (Q(retired_on__isnull=False) & ~Q(retired_reason="")),
                name="initiative_retired_with_a_reason",
                violation_error_message=_("廃止には理由が必要です。"),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def searchable(self) -> str:
        """What ``search_text`` holds for the fields as they are now."""
        return search_text(self.title, self.title_en, self.target, self.description)

    def save(self, *args, **kwargs):
        self.search_text = self.searchable()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("initiative_detail", args=[self.plan.slug, self.code])

    def clean(self):
        errors = {}
        if self.pillar_id and self.plan_id and self.pillar.plan_id != self.plan_id:
            errors["pillar"] = _("柱は同じ計画のものを選んでください。")
        if self.department_id and self.plan_id:
            if self.department.municipality_id != self.plan.municipality_id:
                errors["department"] = _("所管は計画と同じ自治体の所属を選んでください。")
        if self.cluster_id and self.plan_id and self.cluster.plan_id != self.plan_id:
            errors["cluster"] = _("分析クラスターは同じ計画のものを選んでください。")
        if self.first_evaluated_fiscal_year and self.plan_id:
            if not self.plan.covers_fiscal_year(self.first_evaluated_fiscal_year):
                errors["first_evaluated_fiscal_year"] = self.plan.period_error(
                    self.first_evaluated_fiscal_year
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None

    @property
    def retired_label(self) -> str:
        """As lists write a retired item: 「廃止（理由）」."""
        return _("廃止（%(reason)s）") % {"reason": self.retired_reason}

    def is_evaluated_in(self, fiscal_year: int) -> bool:
        """Whether the item is due for evaluation at the end of this fiscal year."""
        if self.evaluation_timing == self.Timing.FROM_YEAR:
            return fiscal_year >= self.first_evaluated_fiscal_year
        return True

    @property
    def evaluation_timing_label(self) -> str:
        if self.evaluation_timing == self.Timing.FROM_YEAR:
            return _("%(fy)s末時点で評価") % {"fy": fy_label_ja(self.first_evaluated_fiscal_year)}
        return str(self.Timing.EVERY_YEAR.label)


class PlanNote(models.Model):
    """A passage of a plan's yearly review: 成果, 事務局の振り返り, 今後の課題, 進め方 (①–④)."""

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("成果")
        REFLECTION = "reflection", _("事務局の振り返り")
        CHALLENGE = "challenge", _("今後の課題")
        DIRECTION = "direction", _("今年度の進め方")

    plan = models.ForeignKey(
        Plan, verbose_name=_("計画"), on_delete=models.CASCADE, related_name="notes"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("種別"), max_length=12, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("見出し"), max_length=300, blank=True)
    body = models.TextField(_("本文"))

    class Meta:
        verbose_name = _("振り返り・方針")
        verbose_name_plural = _("振り返り・方針")
        ordering = ["plan", "fiscal_year", "kind", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "fiscal_year", "kind", "order"],
                name="plan_note_order_unique",
                violation_error_message=_("同じ年度・種別に同じ番号の項目が既にあります。"),
            ),
        ]

    def __str__(self):
        return f"{fy_label_ja(self.fiscal_year)} {self.get_kind_display()} {self.order}"

    def clean(self):
        # A 年度 the form could not read is None here, and already has its own error.
        if self.plan_id and self.fiscal_year is not None:
            self.plan.clean_fiscal_year(self.fiscal_year)


class Indicator(models.Model):
    """A numeric target (KPI) of an initiative: from a baseline to a target, in one unit.

    Progress at a 時点 is (actual − baseline) ÷ (target − baseline), clamped to 0–100 %
    (evaluations.indicators): the same formula serves 増やす and 減らす, because the sign of
    (target − baseline) carries the direction. 維持 has target = the level to keep: 100 % when
    the actual is at least the target, else 0 %.
    """

    class Direction(models.TextChoices):
        INCREASE = "increase", _("増やす")
        DECREASE = "decrease", _("減らす")
        MAINTAIN = "maintain", _("維持")

    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("取組項目"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, help_text=_("例：億円、件、%"))
    direction = models.CharField(
        _("方向"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = models.DecimalField(_("基準値"), max_digits=18, decimal_places=4)
    baseline_year = models.PositiveSmallIntegerField(_("基準年度"))
    target_value = models.DecimalField(_("目標値"), max_digits=18, decimal_places=4)
    target_year = models.PositiveSmallIntegerField(_("目標年度"))

    class Meta:
        verbose_name = _("指標")
        verbose_name_plural = _("指標")
        # Kept through the office's pages and the services, not the admin: no model
        # permissions, so the staff groups the migrations made stay what ensure_groups grants.
        default_permissions = ()
        ordering = ["initiative", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "name"],
                name="indicator_name_unique_per_initiative",
                violation_error_message=_("この取組項目には同じ名前の指標が既にあります。"),
            ),
            models.CheckConstraint(
                condition=Q(target_year__gte=F("baseline_year")),
                name="indicator_target_after_baseline",
                violation_error_message=_("目標年度は基準年度以降にしてください。"),
            ),
            # The direction must agree with the numbers, or progress would run backwards.
            models.CheckConstraint(
                condition=Q(direction="increase", target_value__gt=F("baseline_value"))
                | Q(direction="decrease", target_value__lt=F("baseline_value"))
                | Q(direction="maintain"),
                name="indicator_direction_matches_values",
                violation_error_message=_(
                    "「増やす」は目標値を基準値より大きく、「減らす」は小さくしてください。"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）"


class MasterDataVersion(models.Model):
    """One row counting the edits of master data the public pages show live (plans, pillars,
    narratives, initiatives, notes, meetings, schedules, a city's identity).

    The history writer (evaluations.services.base.record) adds one to it in the transaction of
    each such edit, and the publication fingerprint carries it, so a cached public page is
    replaced from the next request after the edit commits. One row rather than the newest
    history id: the second of two edits waits on the row, so the number grows in the order the
    edits commit, and an edit that committed later with a smaller id cannot be missed. A
    restore (evaluations.backup) moves it past the restore's time in microseconds, so the
    restored site never reuses a number a page was stored under.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveBigIntegerField(_("版"), default=0)

    class Meta:
        verbose_name = _("基本データの版")
        verbose_name_plural = _("基本データの版")
        # Written by the history writer only: no model permissions, so the staff groups the
        # migrations made stay what ensure_groups grants.
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="master_data_version_single_row",
                violation_error_message=_("基本データの版は1行だけです。"),
            ),
        ]

    def __str__(self):
        return str(self.version)
