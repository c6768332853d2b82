"""Comparing a 照会票's rows with the live entries: what importing it would change.

Each row is checked on its own first (numbers, a result people may choose, lengths, a reason
for 評価対象外: ``evaluations.rules``), then against its live entry (known, of this round, the
same initiative, in the user's scope, not saved since the export, editable in the workflow). A
row stops at its first problem, so each problem is reported once. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from evaluations import workflow
from evaluations.choices import EntryState, Result
from evaluations.models import Entry, Round
from evaluations.rules import reason_problem, text_problem
from evaluations.workbooks import cells
from evaluations.workbooks.format import EDITABLE_HEADERS
from evaluations.workbooks.problems import Problem
from initiatives.access import SYSTEM, reach_of
from initiatives.roles import Role
from reformtracker.calendar_ja import normalize


@dataclass
class RowChange:
    """One row that would change its entry: where it is in the file, and before → after."""

    sheet: str
    row: int
    entry_id: int
    expected_version: int
    code: str
    title: str
    department: str
    before: dict
    after: dict
    state_before: str
    state_after: str

    @property
    def state_before_label(self) -> str:
        return str(EntryState(self.state_before).label)

    @property
    def state_after_label(self) -> str:
        return str(EntryState(self.state_after).label)

    @property
    def fields(self) -> list[dict]:
        result_labels = {r.value: str(r.label) for r in Result}
        shown = []
        for name, label in EDITABLE_HEADERS.items():
            if self.before[name] != self.after[name]:
                before, after = self.before[name], self.after[name]
                if name == "result":
                    before, after = result_labels.get(before, ""), result_labels.get(after, "")
                shown.append({"label": label, "before": before, "after": after})
        return shown


@dataclass
class ImportPreview:
    """What importing a file would do to one round: its changes and how many rows stay as
    they are. ``apply`` saves it."""

    round: Round
    changes: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    filled_on: date | None = None
    filename: str = ""
    # What the file holds that the import does not take, or takes though a reader might not
    # expect it (ParsedWorkbook.notes): shown on the preview before anything is saved.
    notes: dict = field(default_factory=dict)
    # The indicator sheet's actuals that would change (workbooks.indicators.IndicatorChange),
    # and how many of its rows stay as they are.
    indicator_changes: list = field(default_factory=list)
    indicator_unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.indicator_changes)

    @property
    def state_changes(self) -> list[tuple[str, str, int]]:
        """(state before, state after, how many rows) of the changes, e.g. 未着手 → 入力中: 3."""
        counts: dict[tuple[str, str], int] = {}
        for change in self.changes:
            key = (change.state_before, change.state_after)
            counts[key] = counts.get(key, 0) + 1
        labels = {s.value: str(s.label) for s in EntryState}
        return [(labels[a], labels[b], n) for (a, b), n in counts.items()]

    @property
    def rows(self) -> int:
        return len(self.changes) + self.unchanged


class _Entry(NamedTuple):
    """What the import needs of a live entry, read as plain values (10,000 rows: no models)."""

    pk: int
    round_id: int
    version: int
    state: str
    result: str
    reason: str
    narrative: str
    code: str
    title: str
    department_id: int
    department_name: str
    municipality_id: int


@dataclass
class _Row:
    """A row whose own cells passed, with a way to report a problem at one of its cells."""

    sheet: str
    number: int
    entry_id: int
    version: int
    code: str
    values: dict
    problem: object  # (message, column key or "") → None


def compare(preview: ImportPreview, rows: list, problems: list[Problem], user) -> None:
    """Fills ``preview`` with the changes ``rows`` (sheet, row number, values by column key,
    column positions) would make; appends to ``problems`` every row that cannot be imported.
    ``user`` None: the terminal, every department's rows."""
    parsed = _parse_rows(rows, problems)
    entries = _entries([r.entry_id for r in parsed], preview.round.pk)
    reach = reach_of(user) if user is not None else None
    seen: dict[int, tuple[str, int]] = {}
    for row in parsed:
        if _is_duplicate(row, seen):
            continue
        entry = entries.get(row.entry_id)
        if not _matches_entry(row, entry, preview.round):
            continue
        roles = _roles(reach, entry)
        if not _in_scope(row, entry, roles) or not _same_version(row, entry):
            continue
        if row.values == _current_values(entry):
            preview.unchanged += 1
            continue
        state = _state_after_edit(row, user, roles, entry.state)
        if state is not None:
            preview.changes.append(_change(row, entry, state))


def _parse_rows(rows: list, problems: list[Problem]) -> list[_Row]:
    parsed = []
    # Result.from_label's reading, resolved once: its lazy labels cost a gettext per row.
    results = {str(r.label): r.value for r in Result} | {r.value: r.value for r in Result}
    for sheet, row_number, values, columns in rows:

        def problem(message, key, sheet=sheet, row_number=row_number, columns=columns):
            column = cells.column_letter(columns[key]) if key else ""
            problems.append(Problem(message, sheet, row_number, column))

        row = _parse_row(sheet, row_number, values, problem, results)
        if row is not None:
            parsed.append(row)
    return parsed


def _parse_row(sheet, number, values: dict, problem, results: dict[str, str]) -> _Row | None:
    """A row's own cells, read and checked without the database."""
    entry_id = _whole_number(values, "entry_id", problem)
    if entry_id is None:
        return None
    version = _whole_number(values, "version", problem)
    if version is None:
        return None
    result_text = normalize(cells.text(values["result"]))
    result = ""
    if result_text:
        result = results.get(result_text.strip(), "")
        if not result:
            problem(
                _(
                    "評価結果「%(value)s」は選べません。達成・未達成・評価対象外のいずれかを入力してください。"
                )
                % {"value": result_text},
                "result",
            )
            return None
    after = {
        "result": result,
        "reason": cells.text(values["reason"]),
        "narrative": cells.text(values["narrative"]),
    }
    for key in ("reason", "narrative"):
        if message := text_problem(key, after[key]):
            problem(message, key)
            return None
    if message := reason_problem(result, after["reason"]):
        problem(message, "reason")
        return None
    return _Row(sheet, number, entry_id, version, cells.text(values["code"]), after, problem)


# The largest id or version a row may name: what the database's integers hold (a cell of
# 1E+308 is a whole number too, and would overflow the query).
LARGEST = 2**31 - 1


def _whole_number(values: dict, key: str, problem) -> int | None:
    """A row's id or version as a number from 1 up to LARGEST, or None with the row's problem."""
    value = values[key]
    shown = f"{value:g}" if isinstance(value, float) else cells.text(value)
    number = cells.integer(value)
    if number is None:
        if key == "entry_id":
            message = _("回答ID「%(value)s」が数値ではありません。")
        else:
            message = _("版「%(value)s」が数値ではありません。")
        problem(message % {"value": shown}, key)
        return None
    if not 1 <= number <= LARGEST:
        if key == "entry_id":
            message = _("回答ID「%(value)s」は正しい番号ではありません（1以上の整数）。")
        else:
            message = _("版「%(value)s」は正しい番号ではありません（1以上の整数）。")
        problem(message % {"value": shown}, key)
        return None
    return number


def _is_duplicate(row: _Row, seen: dict[int, tuple[str, int]]) -> bool:
    if row.entry_id in seen:
        first = seen[row.entry_id]
        row.problem(
            _("回答ID %(id)d が重複しています（シート「%(sheet)s」%(row)d行目と同じ）。")
            % {"id": row.entry_id, "sheet": first[0], "row": first[1]},
            "entry_id",
        )
        return True
    seen[row.entry_id] = (row.sheet, row.number)
    return False


def _matches_entry(row: _Row, entry: _Entry | None, round_: Round) -> bool:
    """The row names a known entry of this round, for the initiative it says."""
    if entry is None:
        row.problem(_("回答ID %(id)d の回答はありません。") % {"id": row.entry_id}, "entry_id")
        return False
    if entry.round_id != round_.pk:
        row.problem(
            _("回答ID %(id)d は別の照会（%(round)s）の回答です。")
            % {"id": row.entry_id, "round": Round.objects.get(pk=entry.round_id).as_of_label_ja},
            "entry_id",
        )
        return False
    if row.code != entry.code:
        row.problem(
            _("取組番号「%(got)s」が回答ID %(id)d の取組項目（%(code)s）と一致しません。")
            % {"got": row.code, "id": row.entry_id, "code": entry.code},
            "code",
        )
        return False
    return True


def _in_scope(row: _Row, entry: _Entry, roles: frozenset[str]) -> bool:
    if Role.DEPARTMENT_STAFF not in roles:
        row.problem(
            _("所管外の取組項目です（所管：%(dept)s）。自所属の行だけを取り込めます。")
            % {"dept": entry.department_name},
            "entry_id",
        )
        return False
    return True


def _same_version(row: _Row, entry: _Entry) -> bool:
    if row.version != entry.version:
        row.problem(
            _(
                "この行は照会票の出力後に更新されています（照会票の版 %(got)d、現在の版 %(now)d）。"
                "照会票を出力し直してください。"
            )
            % {"got": row.version, "now": entry.version},
            "version",
        )
        return False
    return True


def _current_values(entry: _Entry) -> dict:
    """The entry's values as the file would hold them (a cell loses CR and edge spaces)."""
    return {
        "result": entry.result,
        "reason": entry.reason.replace("\r\n", "\n").strip(),
        "narrative": entry.narrative.replace("\r\n", "\n").strip(),
    }


def _state_after_edit(row: _Row, user, roles, state: str) -> str | None:
    """What editing makes of the entry's state, by the same workflow table as the browser;
    None (and the row's problem) when the entry may not be edited."""
    try:
        if user is not None:
            return workflow.resolve(user, roles, workflow.Action.EDIT, state)
        # The terminal acts as the department, with no user whose permissions to ask.
        after = workflow.target(Role.DEPARTMENT_STAFF, workflow.Action.EDIT, state)
        if after is None:
            raise ValidationError(
                _("「%(state)s」の回答は変更できません。") % {"state": EntryState(state).label}
            )
        return after
    except ValidationError as exc:
        row.problem(exc.messages[0], "result")
    except PermissionDenied as exc:
        row.problem(str(exc), "result")
    return None


def _change(row: _Row, entry: _Entry, state: str) -> RowChange:
    return RowChange(
        sheet=row.sheet,
        row=row.number,
        entry_id=entry.pk,
        expected_version=entry.version,
        code=entry.code,
        title=entry.title,
        department=entry.department_name,
        before={"result": entry.result, "reason": entry.reason, "narrative": entry.narrative},
        after=row.values,
        state_before=entry.state,
        state_after=state,
    )


def _roles(reach, entry: _Entry) -> frozenset[str]:
    """The user's roles on one row, from the reach read once for the whole file (no user: the
    terminal, which acts in both roles)."""
    return (reach or SYSTEM).roles(entry.department_id, entry.municipality_id)


def _entries(ids: list[int], round_id: int) -> dict[int, _Entry]:
    fields = (
        "pk",
        "round_id",
        "version",
        "state",
        "result",
        "reason",
        "narrative",
        "initiative__code",
        "initiative__title",
        "initiative__department_id",
        "initiative__department__name",
        "round__plan__municipality_id",
    )
    found: dict[int, _Entry] = {}
    if not ids:
        return found
    # The round's own entries by an id range, not an IN list of 10,000 parameters (Django
    # prepares each one); ids the range misses (another round's, unknown ones) are asked after.
    wanted = set(ids)
    in_round = Entry.objects.filter(round_id=round_id, pk__gte=min(ids), pk__lte=max(ids))
    for values in in_round.values_list(*fields):
        if values[0] in wanted:
            found[values[0]] = _Entry._make(values)
    rest = [pk for pk in ids if pk not in found]
    for start in range(0, len(rest), 5000):  # keeps each IN list within every backend's limit
        for values in Entry.objects.filter(pk__in=rest[start : start + 5000]).values_list(*fields):
            found[values[0]] = _Entry._make(values)
    return found
