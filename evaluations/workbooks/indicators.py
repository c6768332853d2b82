"""The 照会票's indicator sheet (「指標」) read back: each row's actual for the round, checked
with the same guards as the results — its own cells first (numbers read as the office's page
reads them: 全角 digits, thousands separators, a full-width minus), then against the live
indicator (known, of this round's initiatives, the same initiative, in the user's scope, its
actual not changed since the export). Each problem names its cell; nothing is written here
(``evaluations.workbooks.apply``, in applying.py, saves through ``services.indicators``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluations.indicator_forms import read_number
from evaluations.indicators import number
from evaluations.models import Entry, IndicatorValue
from evaluations.workbooks import cells
from evaluations.workbooks.format import INDICATOR_IMPORT_HEADERS
from evaluations.workbooks.problems import Problem
from initiatives.access import SYSTEM, reach_of
from initiatives.models import Indicator
from initiatives.roles import Role
from reformtracker.calendar_ja import normalize

HEADER_SCAN_ROWS = 10
LARGEST = 2**31 - 1


@dataclass
class IndicatorChange:
    """One indicator row whose actual would change: where it is, and before → after."""

    sheet: str
    row: int
    indicator_id: int
    code: str
    title: str
    name: str
    unit: str
    before: Decimal | None
    after: Decimal | None

    @property
    def before_text(self) -> str:
        return "" if self.before is None else f"{number(self.before)}{self.unit}"

    @property
    def after_text(self) -> str:
        return "" if self.after is None else f"{number(self.after)}{self.unit}"


def _header_key(value) -> str | None:
    """Which read column a header names; the actual's header carries its 時点 in brackets
    (「実績（令和7年度末時点）」), matched without them."""
    heading = re.sub(r"[(（].*[)）]$", "", normalize(str(value or "")).replace(" ", ""))
    for key, label in INDICATOR_IMPORT_HEADERS.items():
        if heading == normalize(label).replace(" ", ""):
            return key
    return None


def read_sheet(numbered_rows, ws, rows: list, problems: list[Problem], plain, notes: dict) -> None:
    """Appends the indicator sheet's non-blank rows (sheet, row, values by key, positions) to
    ``rows``; ``numbered_rows`` yields (row number, values), ``plain`` keeps a value as JSON.
    Formula cells in the columns read are refused, as on the pillar sheets; hidden rows are
    read, and named in ``notes`` for the preview."""
    title = ws.title
    formulas = getattr(ws, "formulas", frozenset())
    hidden = getattr(ws, "hidden_rows", frozenset())
    columns: dict[str, int] = {}
    for index, row in numbered_rows:
        if not columns:
            if index > HEADER_SCAN_ROWS:
                break
            found = {}
            for position, value in enumerate(row):
                key = _header_key(value)
                if key and key not in found:
                    found[key] = position
            if "indicator_id" in found:
                missing = [k for k in INDICATOR_IMPORT_HEADERS if k not in found]
                if missing:
                    problems.append(
                        Problem(
                            _("見出し「%(name)s」の列がありません。")
                            % {"name": INDICATOR_IMPORT_HEADERS[missing[0]]},
                            title,
                            index,
                        )
                    )
                    return
                columns = found
            continue
        values = {key: (row[pos] if pos < len(row) else None) for key, pos in columns.items()}
        if all(cells.text(v) == "" for v in values.values()):
            continue
        if index in hidden:
            notes.setdefault("hidden_rows", []).append([title, index])
        formula = next((p for p in columns.values() if (index, p + 1) in formulas), None)
        if formula is not None:
            problems.append(
                Problem(
                    _(
                        "数式のセルは取り込めません。数式ではなく値を入力するか、"
                        "「値として貼り付け」てください。"
                    ),
                    title,
                    index,
                    cells.column_letter(formula),
                )
            )
            continue
        rows.append([title, index, {k: plain(v) for k, v in values.items()}, columns])


def _number(value) -> Decimal | None:
    """A cell as a Decimal (None when blank); ValidationError in Japanese when it is not one.
    A number cell is taken as Excel shows it (the shortest decimal of the double)."""
    if isinstance(value, dict):  # a date cell, as ParsedWorkbook keeps it
        value = date.fromisoformat(value["date"])
    if isinstance(value, (bool, date)):
        raise ValidationError(
            _(
                "「%(value)s」は数値として読めません。半角・全角の数字で入力してください（単位は不要）。"
            )
            % {"value": cells.text(value)}
        )
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    return read_number(cells.text(value))


class _Live(NamedTuple):
    pk: int
    initiative_id: int
    code: str
    title: str
    name: str
    unit: str
    department_id: int
    department_name: str
    municipality_id: int


def compare(preview, rows: list, problems: list[Problem], user) -> None:
    """Fills ``preview.indicator_changes`` (and ``indicator_unchanged``) from the indicator
    sheet's ``rows``; appends every row that cannot be imported to ``problems``."""
    round_ = preview.round
    ids = []
    parsed = []
    for sheet, number_, values, columns in rows:

        def problem(message, key, sheet=sheet, number_=number_, columns=columns):
            problems.append(Problem(message, sheet, number_, cells.column_letter(columns[key])))

        row = _parse_row(values, problem)
        if row is not None:
            parsed.append((sheet, number_, row, problem))
            ids.append(row[0])
    live = _live(ids, round_)
    current = dict(
        IndicatorValue.objects.filter(round=round_, indicator_id__in=ids).values_list(
            "indicator_id", "value"
        )
    )
    reach = reach_of(user) if user is not None else SYSTEM
    seen: dict[int, tuple[str, int]] = {}
    for sheet, number_, (pk, code, exported, actual), problem in parsed:
        if pk in seen:
            problem(
                _("指標ID %(id)d が重複しています（シート「%(sheet)s」%(row)d行目と同じ）。")
                % {"id": pk, "sheet": seen[pk][0], "row": seen[pk][1]},
                "indicator_id",
            )
            continue
        seen[pk] = (sheet, number_)
        indicator = live.get(pk)
        if indicator is None:
            problem(
                _("指標ID %(id)d の指標はこの照会の取組項目にありません。") % {"id": pk},
                "indicator_id",
            )
            continue
        if code != indicator.code:
            problem(
                _("取組番号「%(got)s」が指標ID %(id)d の取組項目（%(code)s）と一致しません。")
                % {"got": code, "id": pk, "code": indicator.code},
                "code",
            )
            continue
        roles = reach.roles(indicator.department_id, indicator.municipality_id)
        if not roles & {Role.DEPARTMENT_STAFF, Role.REFORM_OFFICE}:
            problem(
                _("所管外の取組項目の指標です（所管：%(dept)s）。自所属の行だけを取り込めます。")
                % {"dept": indicator.department_name},
                "indicator_id",
            )
            continue
        now = current.get(pk)
        if exported != now:
            problem(
                _(
                    "この指標の実績は照会票の出力後に更新されています（出力時 %(then)s、"
                    "現在 %(now)s）。照会票を出力し直してください。"
                )
                % {"then": _shown(exported), "now": _shown(now)},
                "version",
            )
            continue
        if actual == now:
            preview.indicator_unchanged += 1
            continue
        preview.indicator_changes.append(
            IndicatorChange(
                sheet,
                number_,
                pk,
                indicator.code,
                indicator.title,
                indicator.name,
                indicator.unit,
                now,
                actual,
            )
        )


def _shown(value: Decimal | None) -> str:
    return _("（空欄）") if value is None else number(value)


def _parse_row(values: dict, problem):
    """(indicator id, 取組番号, actual as exported, actual as filled), or None with the row's
    problem."""
    raw = values["indicator_id"]
    pk = cells.integer(raw)
    if pk is None or not 1 <= pk <= LARGEST:
        problem(
            _("指標ID「%(value)s」は正しい番号ではありません（1以上の整数）。")
            % {"value": cells.text(raw)},
            "indicator_id",
        )
        return None
    read = {}
    for key in ("version", "actual"):
        try:
            read[key] = _number(values[key])
        except ValidationError as exc:
            problem(exc.messages[0], key)
            return None
    return pk, cells.text(values["code"]), read["version"], read["actual"]


def _live(ids: list[int], round_) -> dict[int, _Live]:
    """The named indicators that belong to initiatives of ``round_`` (one query)."""
    if not ids:
        return {}
    in_round = Entry.objects.filter(round=round_).values("initiative_id")
    rows = Indicator.objects.filter(pk__in=ids, initiative_id__in=in_round).values_list(
        "pk",
        "initiative_id",
        "initiative__code",
        "initiative__title",
        "name",
        "unit",
        "initiative__department_id",
        "initiative__department__name",
        "initiative__plan__municipality_id",
    )
    return {row[0]: _Live._make(row) for row in rows}
