"""One plan workbook cell read and checked: text (required, visible characters, length), one
of a list's words, a fiscal year in 西暦 or 和暦. Each problem is kept at its sheet and cell
with what is wrong and how to put it right, so every problem of a file is reported at once."""

from __future__ import annotations

from django.utils.translation import gettext as _

from evaluations import rules
from evaluations.workbooks.problems import Problem
from reformtracker.calendar_ja import CalendarError, normalize, parse_fiscal_year

FIRST_YEAR, LAST_YEAR = 1989, 2200

# The longest text each field holds (the models' max_length).
LIMITS = {
    ("plan", "title"): 200,
    ("plan", "title_en"): 300,
    ("plan", "slug"): 50,
    ("pillar", "name"): 200,
    ("pillar", "name_en"): 300,
    ("department", "code"): 30,
    ("department", "name"): 100,
    ("department", "name_en"): 200,
    ("initiative", "code"): 30,
    ("initiative", "title"): 300,
    ("initiative", "title_en"): 400,
    ("indicator", "name"): 200,
    ("indicator", "unit"): 20,
}


class Checker:
    """Collects every problem of a workbook, each at its sheet and cell; reads one cell at a
    time as text, one of a list's words, or a fiscal year."""

    def __init__(self):
        self.problems: list[Problem] = []

    def problem(self, message, sheet, row, column=""):
        self.problems.append(Problem(str(message), sheet, row, column))

    def text(self, kind, key, cell, sheet, row, *, required=False, heading=""):
        """A text cell: required, no invisible characters, within the field's length."""
        letter, value = cell if cell else ("", "")
        value = "" if value is None else str(value).strip()
        if not value:
            if required:
                self.problem(
                    _("「%(name)s」が空欄です。入力してください。") % {"name": heading},
                    sheet,
                    row,
                    letter,
                )
            return value
        if message := rules.control_problem(value):
            self.problem(message, sheet, row, letter)
        limit = LIMITS.get((kind, key))
        if limit and len(value) > limit:
            self.problem(
                _("「%(name)s」は%(limit)d文字以内にしてください（現在%(count)d文字）。")
                % {"name": heading, "limit": limit, "count": len(value)},
                sheet,
                row,
                letter,
            )
        return value

    def choice(self, cell, words: dict, choices: list, sheet, row, *, heading, default=None):
        letter, value = cell if cell else ("", "")
        text = normalize(str(value or "")).replace(" ", "")
        if not text:
            return default
        for word, stored in words.items():
            if text.lower() == normalize(word).replace(" ", "").lower():
                return stored
        self.problem(
            _("「%(name)s」の「%(value)s」は選べません。一覧から選んでください：%(choices)s")
            % {"name": heading, "value": value, "choices": "、".join(choices)},
            sheet,
            row,
            letter,
        )
        return default

    def year(self, cell, sheet, row, *, heading, required=False):
        letter, value = cell if cell else ("", "")
        if value in (None, ""):
            if required:
                self.problem(
                    _("「%(name)s」が空欄です。西暦（2025）か和暦（令和7年度）で入力してください。")
                    % {"name": heading},
                    sheet,
                    row,
                    letter,
                )
            return None
        try:
            year = parse_fiscal_year(str(value))
        except CalendarError:
            year = None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            self.problem(
                _(
                    "「%(name)s」の「%(value)s」を年度として読めません。"
                    "西暦（2025）か和暦（令和7年度、R7）で入力してください。"
                )
                % {"name": heading, "value": value},
                sheet,
                row,
                letter,
            )
            return None
        return year

    def number(self, cell, sheet, row, *, heading):
        """A required number as the office's indicator page reads it (全角 digits, thousands
        separators, a full-width minus; no unit), as a Decimal; None with the cell's problem."""
        from django.core.exceptions import ValidationError

        from evaluations.indicator_forms import read_number

        letter, value = cell if cell else ("", "")
        if isinstance(value, float):
            value = repr(value)
        text = "" if value is None or isinstance(value, bool) else str(value)
        try:
            number = read_number(text)
        except ValidationError as exc:
            self.problem(
                _("「%(name)s」：%(why)s") % {"name": heading, "why": exc.messages[0]},
                sheet,
                row,
                letter,
            )
            return None
        if number is None:
            self.problem(
                _("「%(name)s」が空欄です。数値を入力してください（単位は不要）。")
                % {"name": heading},
                sheet,
                row,
                letter,
            )
        return number
