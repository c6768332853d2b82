"""Import of filled 照会票 (the workbooks evaluations.reports.workbook exports).

Two steps, so people see what will change before it does:

1. ``read_workbook(data, user=…)`` checks the file (size, zip structure, zip-bomb limits, XML
   entity declarations), reads the summary sheet (plan, round, 時点) and every row, and returns an
   ``ImportPlan`` of the changes per initiative — or raises ``ImportRejected`` with every problem,
   each naming sheet, row, column and reason in Japanese. Nothing is written.
2. ``apply(plan, …)`` saves the changes in one transaction through
   ``services.update_entries`` (version checks and one history row per entry): all or nothing.

What real municipal sheets hold is accepted: 全角 digits and spaces, trailing spaces, 和暦 dates
(令和6年3月31日, R6.3.31, 令和元年…), blank rows and extra columns (headers are found by name).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from evaluations import access, services
from evaluations.choices import EntryState, Result, RoundState
from evaluations.models import Entry, Round
from evaluations.reports import workbook as wb_format
from evaluations.reports import xlsx_reader
from evaluations.workflow import STAFF_EDITABLE, Action, resolve
from initiatives.access import SYSTEM, reach_of
from initiatives.models import Plan
from initiatives.roles import Role
from reformtracker.calendar_ja import CalendarError, format_date_ja, normalize, parse_date

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 500
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member; real sheet XML stays far below
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
TEXT_LIMITS = {"reason": 2000, "narrative": 4000}
HEADER_SCAN_ROWS = 10

_HEADERS = {
    "entry_id": "回答ID",
    "version": "版",
    "code": "取組番号",
    "title": "取組項目",
    "result": "評価結果",
    "reason": "評価対象外の理由・備考",
    "narrative": "進捗状況",
}
_REQUIRED_HEADERS = ("entry_id", "version", "code", "result", "reason", "narrative")


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be imported, located as precisely as we can."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"シート「{self.sheet}」")
        if self.row:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"{self.column}列")
        return f"{' '.join(where)}：{self.message}" if where else self.message


class ImportRejected(Exception):
    """The file cannot be imported; ``problems`` says every why. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RowChange:
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
    def fields(self) -> list[dict]:
        labels = {"result": "評価結果", "reason": "評価対象外の理由・備考", "narrative": "進捗状況"}
        result_labels = {r.value: str(r.label) for r in Result}
        shown = []
        for name, label in labels.items():
            if self.before[name] != self.after[name]:
                before, after = self.before[name], self.after[name]
                if name == "result":
                    before, after = result_labels.get(before, ""), result_labels.get(after, "")
                shown.append({"label": label, "before": before, "after": after})
        return shown


@dataclass
class ImportPlan:
    round: Round
    changes: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    filled_on: date | None = None
    filename: str = ""

    @property
    def rows(self) -> int:
        return len(self.changes) + self.unchanged


# --- the file -----------------------------------------------------------------------------------


def check_container(data: bytes) -> zipfile.ZipFile:
    """Refuses what is not a sane xlsx before any XML parser sees it."""
    if not data:
        raise ImportRejected([Problem(_("ファイルが空です。"))])
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRejected(
            [
                Problem(
                    _("ファイルが大きすぎます（%(size)s、上限 %(limit)dMB）。")
                    % {"size": _megabytes(len(data)), "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
                )
            ]
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRejected(
            [
                Problem(
                    _(
                        "Excel 97-2003 形式（.xls）またはパスワード付きのファイルは読み込めません。"
                        "パスワードを外し、.xlsx 形式で保存し直してください。"
                    )
                )
            ]
        )
    if not data.startswith(b"PK"):
        kind = _sniff(data)
        if kind:
            raise ImportRejected(
                [
                    Problem(
                        _(
                            "%(kind)sのファイルです。Excel で .xlsx 形式（Excel ブック）として保存してください。"
                        )
                        % {"kind": kind}
                    )
                ]
            )
        raise ImportRejected(
            [
                Problem(
                    _(
                        "Excel ブック（.xlsx）ではありません。照会票の .xlsx ファイルを選んでください。"
                    )
                )
            ]
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportRejected(
            [
                Problem(
                    _("ファイルが壊れています（ZIP 形式として読めません）。保存し直してください。")
                )
            ]
        ) from None
    if len(members) > MAX_MEMBERS:
        raise ImportRejected(
            [Problem(_("ファイル内の要素が多すぎます（%(count)d 個）。") % {"count": len(members)})]
        )
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise ImportRejected([Problem(_("暗号化されたファイルは読み込めません。"))])
        if info.file_size > MAX_MEMBER_BYTES:
            raise ImportRejected(
                [
                    Problem(
                        _("展開後のサイズが大きすぎる要素があります（%(name)s）。")
                        % {"name": info.filename}
                    )
                ]
            )
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRejected(
                [
                    Problem(
                        _(
                            "圧縮率が異常に高い要素があります（%(name)s）。zip 爆弾の疑いがあるため読み込みません。"
                        )
                        % {"name": info.filename}
                    )
                ]
            )
        total += info.file_size
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportRejected(
            [
                Problem(
                    _("展開後の合計サイズが大きすぎます（%(size)s）。")
                    % {"size": _megabytes(total)}
                )
            ]
        )
    names = {info.filename for info in members}
    missing = [name for name in REQUIRED_MEMBERS if name not in names]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    _("Excel ブック（.xlsx）の構成ではありません（%(name)s がありません）。")
                    % {"name": missing[0]}
                )
            ]
        )
    if "xl/vbaProject.bin" in names:
        raise ImportRejected(
            [Problem(_("マクロを含むブックは読み込めません。.xlsx 形式で保存し直してください。"))]
        )
    for info in members:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(info) as member:
                head = member.read()
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
            raise ImportRejected(
                [
                    Problem(
                        _("ファイルが壊れています（%(name)s を展開できません）。")
                        % {"name": info.filename}
                    )
                ]
            ) from None
        if _declares_entities(head):
            raise ImportRejected(
                [
                    Problem(
                        _(
                            "XML に DOCTYPE・実体宣言が含まれています（%(name)s）。安全のため読み込みません。"
                        )
                        % {"name": info.filename}
                    )
                ]
            )
    return archive


def _declares_entities(xml: bytes) -> bool:
    """DOCTYPE or ENTITY declarations: the door to billion laughs and external entities.
    Office never writes them, so any is refused before a parser sees it."""
    return re.search(rb"<!\s*(DOCTYPE|ENTITY)", xml, re.IGNORECASE) is not None


def _sniff(data: bytes) -> str:
    """Names what a non-zip upload looks like, for a message people can act on."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"%PDF"):
        return "PDF"
    if head[:5].lower() in (b"<html", b"<!doc", b"<?xml") or b"<table" in head.lower():
        return _("HTML・XML 形式（「Web ページ」や「XML スプレッドシート」として保存したもの）")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp932")
        except UnicodeDecodeError:
            return ""
    first_line = head.split(b"\n", 1)[0]
    if b"," in first_line or b"\t" in first_line:
        return _("CSV・タブ区切りテキスト")
    return _("テキスト")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}MB"


def _open_workbook(data: bytes):
    import openpyxl
    from defusedxml import DefusedXmlException

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException:
        raise ImportRejected(
            [Problem(_("XML に実体宣言が含まれているため、安全のため読み込みません。"))]
        ) from None
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile, SyntaxError) as exc:
        cause = exc
        while cause is not None:  # openpyxl wraps the parser's error in a ValueError
            if isinstance(cause, DefusedXmlException):
                raise ImportRejected(
                    [Problem(_("XML に実体宣言が含まれているため、安全のため読み込みません。"))]
                ) from None
            cause = cause.__cause__ or cause.__context__
        raise ImportRejected(
            [
                Problem(
                    _("Excel ブックとして読み込めません（%(kind)s）。保存し直してください。")
                    % {"kind": type(exc).__name__}
                )
            ]
        ) from None


# --- cells --------------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text: trailing (also 全角) spaces trimmed, CRLF as LF, export's guard undone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return format_date_ja(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").strip()
    return wb_format.unguard(text)


def _integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = normalize(str(value or "")).replace(",", "")
    return int(text) if re.fullmatch(r"\d{1,12}", text) else None


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(str(value))


def _header_key(value) -> str | None:
    text = normalize(str(value or "")).replace(" ", "")
    for key, label in _HEADERS.items():
        if text == normalize(label).replace(" ", ""):
            return key
    return None


# --- reading ------------------------------------------------------------------------------------


def read_workbook(data: bytes, *, user=None, filename: str = "") -> ImportPlan:
    """Validates a filled 照会票 and returns what importing it would change. Writes nothing.

    ``user`` None means the terminal (manage.py import_workbook): every department's rows, with
    the workflow still deciding which entries may change.
    """
    archive = check_container(data)
    try:
        # Our own 照会票 (and anything plain) is read straight from the sheet XML; openpyxl
        # takes over for whatever that reader does not know, with its own messages.
        book = xlsx_reader.read(archive)
    except xlsx_reader.Unsupported:
        book = _open_workbook(data)
    try:
        return _read(book, user=user, filename=filename)
    finally:
        book.close()


def _read(book, *, user, filename: str) -> ImportPlan:
    if wb_format.SUMMARY_SHEET not in book.sheetnames:
        raise ImportRejected(
            [
                Problem(
                    _(
                        "照会票の「%(sheet)s」シートがありません。このシステムから出力した照会票を使ってください。"
                    )
                    % {"sheet": wb_format.SUMMARY_SHEET}
                )
            ]
        )
    round_, filled_on = _read_summary(book[wb_format.SUMMARY_SHEET])
    if user is not None and not access.rounds_for(user).filter(pk=round_.pk).exists():
        raise ImportRejected([Problem(_("この照会の照会票を取り込む権限がありません。"))])

    problems: list[Problem] = []
    rows: list[tuple[str, int, dict, dict]] = []
    for ws in book.worksheets:
        if ws.title == wb_format.SUMMARY_SHEET:
            continue
        _read_sheet(ws, rows, problems)
    if not rows and not problems:
        problems.append(Problem(_("取り込む行がありません。")))
    if problems:
        raise ImportRejected(problems)

    plan = ImportPlan(round=round_, filled_on=filled_on, filename=filename)
    _compare(plan, rows, problems, user)
    if problems:
        raise ImportRejected(problems)
    return plan


def _read_summary(ws) -> tuple[Round, date | None]:
    sheet = wb_format.SUMMARY_SHEET
    meta: dict[str, tuple[int, object]] = {}
    for index, row in enumerate(
        ws.iter_rows(min_row=1, max_row=40, max_col=2, values_only=True), 1
    ):
        if not row or row[0] is None:
            continue
        key = normalize(str(row[0]))
        if key not in meta:
            meta[key] = (index, row[1] if len(row) > 1 else None)

    def value(key):
        return meta.get(key, (None, None))

    row, form = value(wb_format.META_FORMAT)
    if normalize(str(form or "")) != normalize(wb_format.FORMAT_ID):
        raise ImportRejected(
            [
                Problem(
                    _("照会票の様式ではありません（「様式」欄が %(id)s ではありません）。")
                    % {"id": wb_format.FORMAT_ID},
                    sheet,
                    row,
                    "B",
                )
            ]
        )
    plan_row, plan_slug = value(wb_format.META_PLAN)
    plan = Plan.objects.filter(slug=_text(plan_slug)).first() if _text(plan_slug) else None
    if plan is None:
        raise ImportRejected(
            [
                Problem(
                    _("計画ID「%(id)s」の計画はありません。") % {"id": _text(plan_slug)},
                    sheet,
                    plan_row,
                    "B",
                )
            ]
        )
    as_of_row, as_of = value(wb_format.META_AS_OF)
    try:
        as_of_date = _date(as_of)
    except CalendarError as exc:
        raise ImportRejected([Problem(str(exc), sheet, as_of_row, "B")]) from None
    # A round is known by its plan and 時点 (unique together), so a sheet of another round or
    # another plan names a round that is not this one, whatever database ids it carries.
    round_ = Round.objects.select_related("plan").filter(plan=plan, as_of=as_of_date).first()
    if round_ is None:
        raise ImportRejected(
            [
                Problem(
                    _(
                        "計画「%(plan)s」に時点 %(day)s の照会はありません。"
                        "別の照会・別の計画の照会票ではありませんか。"
                    )
                    % {"plan": plan.title, "day": format_date_ja(as_of_date)},
                    sheet,
                    as_of_row,
                    "B",
                )
            ]
        )
    if round_.state != RoundState.OPEN:
        raise ImportRejected(
            [
                Problem(
                    _("この照会（%(round)s）は締め切られているため、取り込めません。")
                    % {"round": round_.as_of_label_ja}
                )
            ]
        )
    filled_row, filled = value(wb_format.META_FILLED_ON)
    filled_on = None
    if filled not in (None, ""):
        try:
            filled_on = _date(filled)
        except CalendarError as exc:
            raise ImportRejected([Problem(str(exc), sheet, filled_row, "B")]) from None
    return round_, filled_on


def _read_sheet(ws, rows: list, problems: list[Problem]) -> None:
    columns: dict[str, int] = {}
    header_row = None
    has_content = False
    iterator = ws.iter_rows(values_only=True)
    for index, row in enumerate(iterator, 1):
        if header_row is None:
            found = {}
            for position, value in enumerate(row):
                key = _header_key(value)
                if key and key not in found:
                    found[key] = position
            if "entry_id" in found:
                header_row, columns = index, found
                missing = [k for k in _REQUIRED_HEADERS if k not in columns]
                if missing:
                    problems.append(
                        Problem(
                            _("見出し「%(name)s」の列がありません。")
                            % {"name": _HEADERS[missing[0]]},
                            ws.title,
                            index,
                        )
                    )
                    return
            else:
                has_content = has_content or any(v not in (None, "") for v in row)
                if index >= HEADER_SCAN_ROWS:
                    break
            continue
        values = {key: (row[pos] if pos < len(row) else None) for key, pos in columns.items()}
        if all(_text(v) == "" for v in values.values()):
            continue  # blank row
        rows.append((ws.title, index, values, columns))
    if header_row is None and has_content:
        problems.append(Problem(_("見出し行（回答ID・版・評価結果…）が見つかりません。"), ws.title))


def _column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def _compare(plan: ImportPlan, rows: list, problems: list[Problem], user) -> None:
    """Checks each row — its own values first, then against the live entry — and collects the
    changes. A row stops at its first problem, so each problem is reported once."""
    parsed = []
    # Result.from_label's reading, resolved once: its lazy labels cost a gettext per row.
    results = {str(r.label): r.value for r in Result} | {r.value: r.value for r in Result}
    for sheet, row_number, values, columns in rows:

        def problem(message, key, sheet=sheet, row_number=row_number, columns=columns):
            problems.append(
                Problem(message, sheet, row_number, _column_letter(columns[key]) if key else "")
            )

        row = _parse_row(values, problem, results)
        if row is not None:
            parsed.append((row, problem, sheet, row_number))
    entries = _entries([r["entry_id"] for r, *_ in parsed], plan.round.pk)
    reach = reach_of(user) if user is not None else None
    seen: dict[int, tuple[str, int]] = {}
    for row, problem, sheet, row_number in parsed:
        entry_id = row["entry_id"]
        if entry_id in seen:
            first = seen[entry_id]
            problem(
                _("回答ID %(id)d が重複しています（シート「%(sheet)s」%(row)d行目と同じ）。")
                % {"id": entry_id, "sheet": first[0], "row": first[1]},
                "entry_id",
            )
            continue
        seen[entry_id] = (sheet, row_number)
        entry = entries.get(entry_id)
        if entry is None:
            problem(_("回答ID %(id)d の回答はありません。") % {"id": entry_id}, "entry_id")
            continue
        if entry.round_id != plan.round.pk:
            problem(
                _("回答ID %(id)d は別の照会（%(round)s）の回答です。")
                % {"id": entry_id, "round": Round.objects.get(pk=entry.round_id).as_of_label_ja},
                "entry_id",
            )
            continue
        if row["code"] != entry.code:
            problem(
                _("取組番号「%(got)s」が回答ID %(id)d の取組項目（%(code)s）と一致しません。")
                % {"got": row["code"], "id": entry_id, "code": entry.code},
                "code",
            )
            continue
        roles = _roles(reach, entry)
        if Role.DEPARTMENT_STAFF not in roles:
            problem(
                _("所管外の取組項目です（所管：%(dept)s）。自所属の行だけを取り込めます。")
                % {"dept": entry.department_name},
                "entry_id",
            )
            continue
        if row["version"] != entry.version:
            problem(
                _(
                    "この行は照会票の出力後に更新されています（照会票の版 %(got)d、現在の版 %(now)d）。"
                    "照会票を出力し直してください。"
                )
                % {"got": row["version"], "now": entry.version},
                "version",
            )
            continue
        after = row["values"]
        before = {
            "result": entry.result,
            "reason": entry.reason.replace("\r\n", "\n").strip(),
            "narrative": entry.narrative.replace("\r\n", "\n").strip(),
        }
        if after == before:
            plan.unchanged += 1
            continue
        try:
            state = _next_state(user, roles, entry.state)
        except (ValidationError, PermissionDenied) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            problem(message, "result")
            continue
        plan.changes.append(
            RowChange(
                sheet=sheet,
                row=row_number,
                entry_id=entry.pk,
                expected_version=entry.version,
                code=entry.code,
                title=entry.title,
                department=entry.department_name,
                before={
                    "result": entry.result,
                    "reason": entry.reason,
                    "narrative": entry.narrative,
                },
                after=after,
                state_before=entry.state,
                state_after=state,
            )
        )


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


def _parse_row(values: dict, problem, results: dict[str, str]) -> dict | None:
    """A row's own cells, read and checked without the database."""
    entry_id = _integer(values["entry_id"])
    if entry_id is None:
        problem(
            _("回答ID「%(value)s」が数値ではありません。") % {"value": _text(values["entry_id"])},
            "entry_id",
        )
        return None
    version = _integer(values["version"])
    if version is None:
        problem(
            _("版「%(value)s」が数値ではありません。") % {"value": _text(values["version"])},
            "version",
        )
        return None
    result_text = normalize(_text(values["result"]))
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
        "reason": _text(values["reason"]),
        "narrative": _text(values["narrative"]),
    }
    for key, limit in TEXT_LIMITS.items():
        if len(after[key]) > limit:
            problem(
                _("%(limit)d文字以内で入力してください（現在%(count)d文字）。")
                % {"limit": limit, "count": len(after[key])},
                key,
            )
            return None
    if result == Result.EXCLUDED and not after["reason"]:
        problem(_("「評価対象外」には理由を入力してください。"), "reason")
        return None
    return {
        "entry_id": entry_id,
        "version": version,
        "code": _text(values["code"]),
        "values": after,
    }


def _roles(reach, entry) -> frozenset[str]:
    """As access.roles_for, from the reach read once for the whole file."""
    return (reach or SYSTEM).roles(entry.department_id, entry.municipality_id)


def _next_state(user, roles, state: str) -> str:
    """What editing makes of the entry's state, by the same workflow table as the browser."""
    if user is not None:
        return resolve(user, roles, Action.EDIT, state)
    if state not in STAFF_EDITABLE:
        raise ValidationError(
            _("「%(state)s」の回答は変更できません。") % {"state": EntryState(state).label}
        )
    return EntryState.IN_PROGRESS


# --- applying -----------------------------------------------------------------------------------


def apply(plan: ImportPlan, *, actor=None, actor_name: str = "") -> int:
    """Saves every change of ``plan`` in one transaction (all or nothing); returns the count."""
    comment = _("Excel 照会票から取込")
    if plan.filename:
        comment += f"（{plan.filename}）"
    if plan.filled_on:
        comment += _("　記入日 %(day)s") % {"day": format_date_ja(plan.filled_on)}
    changes = [
        services.EntryChange(
            entry_id=c.entry_id,
            expected_version=c.expected_version,
            before=c.before,
            values=c.after,
            state_before=c.state_before,
            state=c.state_after,
        )
        for c in plan.changes
    ]
    return services.update_entries(
        changes=changes,
        round_=plan.round,
        actor=actor,
        actor_name=actor_name,
        comment=comment,
    )


def import_workbook(data: bytes, *, user=None, filename: str = "", dry_run: bool = False):
    """Reads and (unless ``dry_run``) applies a 照会票; returns the ImportPlan."""
    plan = read_workbook(data, user=user, filename=filename)
    if not dry_run:
        try:
            apply(plan, actor=user, actor_name="" if user else "import_workbook")
        except services.Conflict as exc:
            raise ImportRejected(
                [
                    Problem(
                        _(
                            "取込中にほかの人が回答 %(id)d を更新しました。もう一度取り込んでください。"
                        )
                        % {"id": exc.entry.pk}
                    )
                ]
            ) from None
        except ValidationError as exc:
            raise ImportRejected([Problem(m) for m in exc.messages]) from None
    return plan
