"""A parsed plan workbook checked against the rules and the database: either a ``PlanPreview``
of everything confirming would create, or ImportRejected with every problem, each naming its
sheet and cell, what is wrong and how to put it right. Writes nothing.

Run at the preview and again inside the confirming transaction, so what is created is checked
against the database as it is at that moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from evaluations.indicators import number as number_text
from evaluations.onboarding import layout
from evaluations.onboarding.checker import Checker
from evaluations.onboarding.reader import ParsedPlan
from evaluations.workbooks.problems import ImportRejected
from initiatives.models import Department, Indicator, Initiative, Plan
from reformtracker.calendar_ja import fy_label_ja, normalize

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


@dataclass
class PlanPreview:
    """What confirming would create, in the order it would be created."""

    municipality: object
    filename: str
    sha256: str
    plan: dict
    pillars: list[dict] = field(default_factory=list)
    new_departments: list[dict] = field(default_factory=list)
    existing_departments: list[Department] = field(default_factory=list)
    initiatives: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        start, end = self.plan["start_fiscal_year"], self.plan["end_fiscal_year"]
        return f"{fy_label_ja(start)}〜{fy_label_ja(end) if end else ''}"


def _heading(columns, key) -> str:
    return next(c.heading for c in columns if c.key == key)


def check(parsed: ParsedPlan, municipality) -> PlanPreview:
    """Every value checked; the preview, or ImportRejected with every problem found."""
    c = Checker()
    plan = _plan(c, parsed, municipality)
    pillars = _pillars(c, parsed)
    new_departments, existing = _departments(c, parsed, municipality)
    initiatives = _initiatives(c, parsed, plan, pillars, new_departments, existing)
    indicators = _indicators(c, parsed, initiatives)
    if c.problems:
        raise ImportRejected(c.problems)
    used = {i["department"] for i in initiatives}
    return PlanPreview(
        municipality=municipality,
        filename=parsed.filename,
        sha256=parsed.sha256,
        plan=plan,
        pillars=pillars,
        new_departments=new_departments,
        existing_departments=[d for code, d in sorted(existing.items()) if code in used],
        initiatives=initiatives,
        indicators=indicators,
    )


def _plan(c: Checker, parsed: ParsedPlan, municipality) -> dict:
    sheet = layout.PLAN_SHEET
    items = parsed.plan

    def cell(key):
        row, value = items.get(key, (None, ""))
        return row, ("B", value)

    def heading(key):
        return _heading(layout.PLAN_ITEMS, key)

    for item in layout.PLAN_ITEMS:
        if item.key not in items:
            c.problem(
                _("「%(name)s」の行がありません。テンプレートのA列の項目名を消さないでください。")
                % {"name": item.heading},
                sheet,
                None,
                "A",
            )
    row, value = cell("municipality")
    if row and normalize(str(value[1] or "")) != normalize(municipality.name):
        c.problem(
            _(
                "「自治体」が「%(given)s」です。%(name)sの計画ブックではありません。"
                "%(name)sのページからダウンロードしたテンプレートを使ってください。"
            )
            % {"given": value[1], "name": municipality.name},
            sheet,
            row,
            "B",
        )
    plan = {}
    for key, required in (("title", True), ("title_en", False), ("summary", False)):
        row, value = cell(key)
        plan[key] = c.text("plan", key, value, sheet, row, required=required, heading=heading(key))
    row, value = cell("start")
    plan["start_fiscal_year"] = c.year(value, sheet, row, heading=heading("start"), required=True)
    end_row, value = cell("end")
    plan["end_fiscal_year"] = c.year(value, sheet, end_row, heading=heading("end"))
    start, end = plan["start_fiscal_year"], plan["end_fiscal_year"]
    if start and end and end < start:
        c.problem(
            _("終了年度（%(end)s）が開始年度（%(start)s）より前です。終了年度を直してください。")
            % {"end": fy_label_ja(end), "start": fy_label_ja(start)},
            sheet,
            end_row,
            "B",
        )
    row, value = cell("slug")
    slug = c.text("plan", "slug", value, sheet, row, heading=heading("slug"))
    if slug and not SLUG.fullmatch(slug):
        c.problem(
            _(
                "計画ID「%(slug)s」に使えない文字があります。半角英小文字・数字・ハイフンだけにしてください。"
            )
            % {"slug": slug},
            sheet,
            row,
            "B",
        )
    elif not slug and start:
        slug = f"{municipality.slug}-{start}"[:50]
    if slug and Plan.objects.filter(slug=slug).exists():
        c.problem(
            _(
                "計画ID「%(slug)s」の計画は既に登録されています。同じ計画を二度登録しようとしていないか"
                "確かめ、別の計画なら「計画ID」に別のIDを入力してください。"
            )
            % {"slug": slug},
            sheet,
            row,
            "B",
        )
    plan["slug"] = slug
    return plan


def _pillars(c: Checker, parsed: ParsedPlan) -> list[dict]:
    sheet, columns = layout.PILLAR_SHEET, layout.PILLAR_COLUMNS
    rows = parsed.sheets.get(sheet, [])
    if not rows:
        c.problem(_("柱が1つもありません。3行目から柱を入力してください。"), sheet, None)
    pillars, seen = [], {}
    for row, values in rows:
        letter, raw = values.get("number", ("", None))
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if number is None and isinstance(raw, str) and normalize(raw).isdigit():
            number = int(normalize(raw))
        if number is None or number < 1:
            c.problem(
                _("柱の番号「%(value)s」は1以上の整数にしてください。") % {"value": raw or ""},
                sheet,
                row,
                letter,
            )
        elif number in seen:
            c.problem(
                _("柱の番号%(number)dが%(first)d行目と重複しています。番号を付け直してください。")
                % {"number": number, "first": seen[number]},
                sheet,
                row,
                letter,
            )
        else:
            seen[number] = row
        pillar = {"order": number, "row": row}
        for key, required in (("name", True), ("name_en", False), ("description", False)):
            pillar[key] = c.text(
                "pillar",
                key,
                values.get(key),
                sheet,
                row,
                required=required,
                heading=_heading(columns, key),
            )
        kind_cell = values.get("kind")
        if not kind_cell or kind_cell[1] in ("", None):
            c.problem(
                _("「種別」が空欄です。一覧から「取組方針」か「手法の柱」を選んでください。"),
                sheet,
                row,
                kind_cell[0] if kind_cell else "",
            )
            pillar["kind"] = None
        else:
            pillar["kind"] = c.choice(
                kind_cell,
                layout.PILLAR_KINDS,
                layout.PILLAR_KIND_CHOICES,
                sheet,
                row,
                heading=_heading(columns, "kind"),
            )
        pillar["office_tracks_items"] = c.choice(
            values.get("tracked"),
            layout.YES_NO,
            layout.YES_NO_CHOICES,
            sheet,
            row,
            heading=_heading(columns, "tracked"),
            default=True,
        )
        pillars.append(pillar)
    return pillars


def _departments(c: Checker, parsed: ParsedPlan, municipality):
    sheet, columns = layout.DEPARTMENT_SHEET, layout.DEPARTMENT_COLUMNS
    existing = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    new, seen = [], {}
    for row, values in parsed.sheets.get(sheet, []):
        department = {"row": row}
        for key, required in (("code", True), ("name", True), ("name_en", False)):
            department[key] = c.text(
                "department",
                key,
                values.get(key),
                sheet,
                row,
                required=required,
                heading=_heading(columns, key),
            )
        department["kind"] = c.choice(
            values.get("kind"),
            layout.DEPARTMENT_KINDS,
            layout.DEPARTMENT_KIND_CHOICES,
            sheet,
            row,
            heading=_heading(columns, "kind"),
            default=Department.Kind.BUREAU,
        )
        code, letter = department["code"], values.get("code", ("",))[0]
        if not code:
            continue
        if not CODE.fullmatch(code):
            c.problem(
                _(
                    "所属コード「%(code)s」に使えない文字があります。半角英数字とハイフンにしてください。"
                )
                % {"code": code},
                sheet,
                row,
                letter,
            )
        elif code in seen:
            c.problem(
                _(
                    "所属コード「%(code)s」が%(first)d行目と重複しています。別のコードにしてください。"
                )
                % {"code": code, "first": seen[code]},
                sheet,
                row,
                letter,
            )
        elif code in existing:
            known = existing[code]
            if known.name != department["name"]:
                c.problem(
                    _(
                        "所属コード「%(code)s」は登録済みの「%(name)s」のコードです。"
                        "同じ所属なら名称を「%(name)s」にし、別の所属なら別のコードにしてください。"
                    )
                    % {"code": code, "name": known.name},
                    sheet,
                    row,
                    letter,
                )
        else:
            seen[code] = row
            new.append(department)
    return new, existing


def _initiatives(c, parsed, plan, pillars, new_departments, existing) -> list[dict]:
    sheet, columns = layout.INITIATIVE_SHEET, layout.INITIATIVE_COLUMNS
    rows = parsed.sheets.get(sheet, [])
    if not rows:
        c.problem(
            _("取組項目が1つもありません。3行目から取組項目を入力してください。"), sheet, None
        )
    pillar_numbers = {p["order"] for p in pillars if p["order"]}
    department_codes = {d["code"] for d in new_departments} | set(existing)
    initiatives, seen = [], {}
    start, end = plan.get("start_fiscal_year"), plan.get("end_fiscal_year")
    for row, values in rows:
        item = {"row": row}
        for key, required in (
            ("code", True),
            ("title", True),
            ("title_en", False),
            ("target", False),
            ("description", False),
        ):
            item[key] = c.text(
                "initiative",
                key,
                values.get(key),
                sheet,
                row,
                required=required,
                heading=_heading(columns, key),
            )
        letter = values.get("code", ("",))[0]
        if item["code"] in seen:
            c.problem(
                _("取組番号「%(code)s」が%(first)d行目と重複しています。番号を付け直してください。")
                % {"code": item["code"], "first": seen[item["code"]]},
                sheet,
                row,
                letter,
            )
        elif item["code"]:
            seen[item["code"]] = row
        letter, raw = values.get("pillar", ("", None))
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if number is None and isinstance(raw, str) and normalize(raw).isdigit():
            number = int(normalize(raw))
        if number not in pillar_numbers:
            c.problem(
                _(
                    "柱番号「%(value)s」の柱が「柱」シートにありません。「柱」シートの番号を入力してください。"
                )
                % {"value": raw or ""},
                sheet,
                row,
                letter,
            )
        item["pillar"] = number
        letter, raw = values.get("department", ("", None))
        code = str(raw or "").strip()
        if code not in department_codes:
            c.problem(
                _(
                    "所属コード「%(code)s」の所属がありません。「所属」シートに追加するか、"
                    "登録済みの所属コードを入力してください。"
                )
                % {"code": code},
                sheet,
                row,
                letter,
            )
        item["department"] = code
        item["evaluation_timing"] = c.choice(
            values.get("timing"),
            layout.TIMINGS,
            layout.TIMING_CHOICES,
            sheet,
            row,
            heading=_heading(columns, "timing"),
            default=Initiative.Timing.EVERY_YEAR,
        )
        year_cell = values.get("first_year")
        year = c.year(year_cell, sheet, row, heading=_heading(columns, "first_year"))
        letter = year_cell[0] if year_cell else ""
        if item["evaluation_timing"] == Initiative.Timing.FROM_YEAR and year is None:
            if not (year_cell and year_cell[1] not in ("", None)):
                c.problem(
                    _(
                        "「指定年度末から評価」には初回評価年度が必要です。評価を始める年度を入力してください。"
                    ),
                    sheet,
                    row,
                    letter,
                )
        elif item["evaluation_timing"] == Initiative.Timing.EVERY_YEAR and year is not None:
            c.problem(
                _(
                    "「毎年度末に評価」の取組項目に初回評価年度は書けません。空欄にするか、"
                    "評価時期を「指定年度末から評価」にしてください。"
                ),
                sheet,
                row,
                letter,
            )
            year = None
        if year is not None and start and (year < start or (end and year > end)):
            c.problem(
                _(
                    "初回評価年度（%(fy)s）が計画の取組期間の外です。取組期間の中の年度にしてください。"
                )
                % {"fy": fy_label_ja(year)},
                sheet,
                row,
                letter,
            )
        item["first_evaluated_fiscal_year"] = year
        item["reform_level"] = c.choice(
            values.get("level"),
            layout.LEVELS,
            layout.LEVEL_CHOICES,
            sheet,
            row,
            heading=_heading(columns, "level"),
            default="",
        )
        initiatives.append(item)
    return initiatives


def _indicators(c: Checker, parsed: ParsedPlan, initiatives: list[dict]) -> list[dict]:
    """The 指標 sheet's rows, each cell checked as ``initiatives.Indicator``'s fields and
    constraints check it (the direction agreeing with the values, the target year not before
    the baseline's, one name per initiative), so creating them cannot fail."""
    sheet, columns = layout.INDICATOR_SHEET, layout.INDICATOR_COLUMNS
    codes = {i["code"] for i in initiatives if i["code"]}
    directions = {d.value: str(d.label) for d in Indicator.Direction}  # for the preview
    indicators, seen = [], {}
    for row, values in parsed.sheets.get(sheet, []):
        item = {"row": row}
        letter, raw = values.get("initiative", ("", None))
        code = normalize(str(raw if raw is not None else "")).strip()
        if not code:
            c.problem(
                _("「取組番号」が空欄です。「取組項目」シートの取組番号を入力してください。"),
                sheet,
                row,
                letter,
            )
        elif code not in codes:
            c.problem(
                _(
                    "取組番号「%(code)s」の取組項目が「取組項目」シートにありません。"
                    "「取組項目」シートの取組番号を入力してください。"
                )
                % {"code": code},
                sheet,
                row,
                letter,
            )
        item["initiative"] = code
        for key in ("name", "unit"):
            item[key] = c.text(
                "indicator",
                key,
                values.get(key),
                sheet,
                row,
                required=True,
                heading=_heading(columns, key),
            )
        if code and item["name"]:
            first = seen.get((code, item["name"]))
            if first:
                c.problem(
                    _(
                        "取組番号「%(code)s」の指標「%(name)s」が%(first)d行目と重複しています。"
                        "同じ取組項目の指標には別の名前を付けてください。"
                    )
                    % {"code": code, "name": item["name"], "first": first},
                    sheet,
                    row,
                    values.get("name", ("",))[0],
                )
            else:
                seen[(code, item["name"])] = row
        direction_cell = values.get("direction")
        if not direction_cell or direction_cell[1] in ("", None):
            c.problem(
                _(
                    "「方向」が空欄です。一覧から「増やす」「減らす」「維持」のいずれかを選んでください。"
                ),
                sheet,
                row,
                direction_cell[0] if direction_cell else "",
            )
            item["direction"] = None
        else:
            item["direction"] = c.choice(
                direction_cell,
                layout.DIRECTIONS,
                layout.DIRECTION_CHOICES,
                sheet,
                row,
                heading=_heading(columns, "direction"),
            )
        for key in ("baseline_value", "target_value"):
            item[key] = c.number(values.get(key), sheet, row, heading=_heading(columns, key))
        for key in ("baseline_year", "target_year"):
            item[key] = c.year(
                values.get(key), sheet, row, heading=_heading(columns, key), required=True
            )
        base_year, target_year = item["baseline_year"], item["target_year"]
        if base_year and target_year and target_year < base_year:
            c.problem(
                _(
                    "目標年度（%(target)s）が基準年度（%(base)s）より前です。"
                    "目標年度は基準年度以降にしてください。"
                )
                % {"target": fy_label_ja(target_year), "base": fy_label_ja(base_year)},
                sheet,
                row,
                values.get("target_year", ("",))[0],
            )
        base, target, direction = item["baseline_value"], item["target_value"], item["direction"]
        if base is not None and target is not None and direction in ("increase", "decrease"):
            if direction == "increase" and target <= base:
                message = _(
                    "方向が「増やす」なのに、目標値（%(target)s）が基準値（%(base)s）以下です。"
                    "「増やす」は目標値を基準値より大きくしてください（同じ値を保つ目標なら"
                    "方向を「維持」に）。"
                )
            elif direction == "decrease" and target >= base:
                message = _(
                    "方向が「減らす」なのに、目標値（%(target)s）が基準値（%(base)s）以上です。"
                    "「減らす」は目標値を基準値より小さくしてください（同じ値を保つ目標なら"
                    "方向を「維持」に）。"
                )
            else:
                message = None
            if message:
                c.problem(
                    message % {"target": number_text(target), "base": number_text(base)},
                    sheet,
                    row,
                    values.get("target_value", ("",))[0],
                )
        item["direction_label"] = directions.get(direction, "")
        item["baseline_text"] = "" if base is None else number_text(base)
        item["target_text"] = "" if target is None else number_text(target)
        indicators.append(item)
    return indicators
