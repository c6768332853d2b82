"""The plan workbook's layout, declared once: the template writes it and the reader reads it.

Headings are matched as people retype them (全角/半角 and spaces ignored); the words of each
list are the ones the template's drop-downs offer, with a few spellings people also write.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT_ID = "reformtracker-plan-v1"

GUIDE_SHEET = "説明"
PLAN_SHEET = "計画"
PILLAR_SHEET = "柱"
DEPARTMENT_SHEET = "所属"
INITIATIVE_SHEET = "取組項目"
INDICATOR_SHEET = "指標"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    required: bool
    hint: str  # the template's note under the heading: what to write
    width: int = 18


# The plan sheet is a form: column A names the item, column B holds its value.
PLAN_ITEMS = [
    Column("format", "様式", True, "変更しないでください。"),
    Column(
        "municipality", "自治体", True, "変更しないでください（この自治体の計画として登録します）。"
    ),
    Column("title", "計画名", True, "例：みどり市行財政改革プラン（200文字以内）"),
    Column("title_en", "計画名（英語）", False, "任意（300文字以内）"),
    Column("slug", "計画ID", False, "任意。半角英小文字・数字・ハイフン。空欄なら自動で付けます。"),
    Column("start", "開始年度", True, "西暦（2025）でも和暦（令和7年度、R7）でも可"),
    Column("end", "終了年度", False, "終了年度がなければ空欄"),
    Column("summary", "概要・備考", False, "任意。計画の概要や出典などの備考"),
]

PILLAR_COLUMNS = [
    Column("number", "番号", True, "1から始まる整数", 8),
    Column("name", "名称", True, "200文字以内", 30),
    Column("name_en", "英語名", False, "任意", 24),
    Column("kind", "種別", True, "一覧から選ぶ：取組方針／手法の柱", 14),
    Column("description", "説明", False, "任意", 40),
    Column("tracked", "取組項目ごとに進捗管理", False, "はい（空欄も）／いいえ", 16),
]

DEPARTMENT_COLUMNS = [
    Column("code", "所属コード", True, "半角英数字・ハイフン（30文字以内）", 16),
    Column("name", "名称", True, "100文字以内", 24),
    Column("name_en", "英語名", False, "任意", 30),
    Column("kind", "種別", False, "一覧から選ぶ：局／区／室／その他（空欄は局）", 12),
]

INITIATIVE_COLUMNS = [
    Column("code", "取組番号", True, "計画の中で重複しない番号（例：1-1）", 10),
    Column("pillar", "柱番号", True, "「柱」シートの番号", 8),
    Column("department", "所管の所属コード", True, "「所属」シートか登録済みの所属コード", 16),
    Column("title", "取組項目", True, "300文字以内", 36),
    Column("title_en", "英語名", False, "任意", 24),
    Column("target", "目標", False, "任意", 30),
    Column("description", "取組内容", False, "任意", 36),
    Column("timing", "評価時期", False, "一覧から選ぶ（空欄は毎年度末に評価）", 20),
    Column("first_year", "初回評価年度", False, "「指定年度末から評価」のとき必須", 14),
    Column("level", "改革レベル", False, "任意：A／BC", 12),
]

# Indicators (KPI) of the initiatives above, one per row, each naming its initiative by the
# 取組番号 of the 取組項目 sheet; checked as initiatives.Indicator's constraints check them.
INDICATOR_COLUMNS = [
    Column("initiative", "取組番号", True, "「取組項目」シートの取組番号", 10),
    Column("name", "指標名", True, "200文字以内（同じ取組項目で重複しない）", 30),
    Column("unit", "単位", True, "例：億円、件、%（20文字以内）", 10),
    Column("direction", "方向", True, "一覧から選ぶ：増やす／減らす／維持", 10),
    Column("baseline_value", "基準値", True, "数値（単位は書かない）", 12),
    Column("baseline_year", "基準年度", True, "西暦（2024）でも和暦（令和6年度）でも可", 14),
    Column("target_value", "目標値", True, "増やす：基準値より大きく／減らす：小さく", 12),
    Column("target_year", "目標年度", True, "基準年度以降", 14),
]

SHEETS = {
    PILLAR_SHEET: PILLAR_COLUMNS,
    DEPARTMENT_SHEET: DEPARTMENT_COLUMNS,
    INITIATIVE_SHEET: INITIATIVE_COLUMNS,
    INDICATOR_SHEET: INDICATOR_COLUMNS,
}
# Sheets a workbook may leave out (one made from an earlier template has no 指標 sheet).
OPTIONAL_SHEETS = frozenset({INDICATOR_SHEET})
# The headings are on the first row and the hints on the second; rows from here are data.
FIRST_DATA_ROW = 3

# What each list offers in the template, and the stored value of each word (and its variants).
PILLAR_KINDS = {"取組方針": "policy", "手法の柱": "method", "policy": "policy", "method": "method"}
PILLAR_KIND_CHOICES = ["取組方針", "手法の柱"]
YES_NO = {"はい": True, "いいえ": False, "yes": True, "no": False, "○": True, "×": False}
YES_NO_CHOICES = ["はい", "いいえ"]
DEPARTMENT_KINDS = {"局": "bureau", "区": "ward", "室": "office", "その他": "other"}
DEPARTMENT_KIND_CHOICES = ["局", "区", "室", "その他"]
TIMINGS = {
    "毎年度末に評価": "every_year",
    "指定年度末から評価": "from_year",
    "毎年度": "every_year",
    "指定年度から": "from_year",
}
TIMING_CHOICES = ["毎年度末に評価", "指定年度末から評価"]
LEVELS = {"A": "A", "Aレベル": "A", "BC": "BC", "B・C": "BC", "BCレベル": "BC", "B・Cレベル": "BC"}
LEVEL_CHOICES = ["A", "BC"]
DIRECTIONS = {"増やす": "increase", "減らす": "decrease", "維持": "maintain"} | {
    "増加": "increase",
    "減少": "decrease",
    "increase": "increase",
    "decrease": "decrease",
    "maintain": "maintain",
}
DIRECTION_CHOICES = ["増やす", "減らす", "維持"]
