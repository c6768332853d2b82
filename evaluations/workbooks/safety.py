"""Checks an uploaded file is a sane xlsx before any XML parser sees it.

Each check returns a ``Problem`` or None and the first problem refuses the file, so the order of
the tables is the order people are told things: first what the bytes are (empty, too big, an
old .xls, not a zip at all), then the zip as a container (how many members, each one encrypted,
too big or a zip bomb's ratio, their total, a name given twice), then the package as an xlsx (the
parts an xlsx has, macros, and no DOCTYPE or ENTITY declaration in any XML part).

The container checks (``check_zip``) hold for any zip the app accepts: evidence files in Office
formats pass them too. The limits are settings (IMPORT_MAX_*), read at each check.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from evaluations.workbooks.problems import ImportRejected, Problem

REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
# Members smaller than this may expand as far as they like (an empty sheet compresses ~50:1).
RATIO_FLOOR_BYTES = 1024 * 1024


def check_container(data: bytes) -> zipfile.ZipFile:
    """The upload as an open zip, or ImportRejected with the first thing wrong with it."""
    for check in FILE_CHECKS:
        _refuse(check(data))
    archive = check_zip(data)
    members = archive.infolist()
    for package_check in PACKAGE_CHECKS:
        _refuse(package_check(archive, members))
    return archive


def check_zip(data: bytes) -> zipfile.ZipFile:
    """``data`` as an open zip whose members stay within the limits (count, sizes, ratio, no name
    twice), or ImportRejected with the first that does not. Any zip the app accepts passes this."""
    archive = _open_zip(data)
    if isinstance(archive, Problem):
        _refuse(archive)
    members = archive.infolist()
    for zip_check in ZIP_CHECKS:
        _refuse(zip_check(archive, members))
    return archive


def _refuse(problem: Problem | None) -> None:
    if problem is not None:
        raise ImportRejected([problem])


# --- the bytes ----------------------------------------------------------------------------------


def _not_empty(data: bytes) -> Problem | None:
    if not data:
        return Problem(_("ファイルが空です。"))
    return None


def _not_too_big(data: bytes) -> Problem | None:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if len(data) > limit:
        return Problem(
            _("ファイルが大きすぎます（%(size)s、上限 %(limit)dMB）。")
            % {"size": megabytes(len(data)), "limit": limit // 1024 // 1024}
        )
    return None


def _not_legacy_excel(data: bytes) -> Problem | None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .xls, or any password-protected Office file
        return Problem(
            _(
                "Excel 97-2003 形式（.xls）またはパスワード付きのファイルは読み込めません。"
                "パスワードを外し、.xlsx 形式で保存し直してください。"
            )
        )
    return None


def _is_zip(data: bytes) -> Problem | None:
    if data.startswith(b"PK"):
        return None
    kind = sniff(data)
    if kind:
        return Problem(
            _("%(kind)sのファイルです。Excel で .xlsx 形式（Excel ブック）として保存してください。")
            % {"kind": kind}
        )
    return Problem(
        _("Excel ブック（.xlsx）ではありません。照会票の .xlsx ファイルを選んでください。")
    )


FILE_CHECKS: tuple[Callable[[bytes], Problem | None], ...] = (
    _not_empty,
    _not_too_big,
    _not_legacy_excel,
    _is_zip,
)


def _open_zip(data: bytes) -> zipfile.ZipFile | Problem:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return Problem(
            _("ファイルが壊れています（ZIP 形式として読めません）。保存し直してください。")
        )
    return archive


# --- each member of the zip ---------------------------------------------------------------------


def _not_encrypted(info: zipfile.ZipInfo) -> Problem | None:
    if info.flag_bits & 0x1:
        return Problem(_("暗号化されたファイルは読み込めません。"))
    return None


def _member_not_too_big(info: zipfile.ZipInfo) -> Problem | None:
    if info.file_size > settings.IMPORT_MAX_MEMBER_BYTES:
        return Problem(
            _("展開後のサイズが大きすぎる要素があります（%(name)s）。") % {"name": info.filename}
        )
    return None


def _not_a_bomb(info: zipfile.ZipInfo) -> Problem | None:
    ratio = settings.IMPORT_MAX_RATIO
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1):
        return Problem(
            _(
                "圧縮率が異常に高い要素があります（%(name)s）。zip 爆弾の疑いがあるため読み込みません。"
            )
            % {"name": info.filename}
        )
    return None


MEMBER_CHECKS: tuple[Callable[[zipfile.ZipInfo], Problem | None], ...] = (
    _not_encrypted,
    _member_not_too_big,
    _not_a_bomb,
)


# --- the zip as a whole -------------------------------------------------------------------------


def _not_too_many_members(archive, members) -> Problem | None:
    if len(members) > settings.IMPORT_MAX_MEMBERS:
        return Problem(
            _("ファイル内の要素が多すぎます（%(count)d 個）。") % {"count": len(members)}
        )
    return None


def _members_sane(archive, members) -> Problem | None:
    """MEMBER_CHECKS on each member in turn: the first member's problem is the one told."""
    for info in members:
        for check in MEMBER_CHECKS:
            if problem := check(info):
                return problem
    return None


def _total_not_too_big(archive, members) -> Problem | None:
    total = sum(info.file_size for info in members)
    if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        return Problem(
            _("展開後の合計サイズが大きすぎます（%(size)s）。") % {"size": megabytes(total)}
        )
    return None


def _no_name_twice(archive, members) -> Problem | None:
    """A zip may hold two members of one name; readers disagree on which one they take (zipfile
    the last, others the first), so what we check need not be what is read."""
    seen = set()
    for info in members:
        name = info.filename.replace("\\", "/").casefold()
        if name in seen:
            return Problem(
                _("同じ名前の要素が2つあります（%(name)s）。保存し直してください。")
                % {"name": info.filename}
            )
        seen.add(name)
    return None


ZIP_CHECKS: tuple[Callable[[zipfile.ZipFile, list], Problem | None], ...] = (
    _not_too_many_members,
    _members_sane,
    _total_not_too_big,
    _no_name_twice,
)


# --- the package as an xlsx ---------------------------------------------------------------------


def _has_workbook_parts(archive, members) -> Problem | None:
    names = {info.filename for info in members}
    missing = [name for name in REQUIRED_MEMBERS if name not in names]
    if missing:
        return Problem(
            _("Excel ブック（.xlsx）の構成ではありません（%(name)s がありません）。")
            % {"name": missing[0]}
        )
    return None


def _no_macros(archive, members) -> Problem | None:
    if any(info.filename == "xl/vbaProject.bin" for info in members):
        return Problem(_("マクロを含むブックは読み込めません。.xlsx 形式で保存し直してください。"))
    return None


def _xml_parts_not_too_big(archive, members) -> Problem | None:
    """No XML part (a sheet, the shared strings…) over IMPORT_MAX_SHEET_BYTES, by its declared
    size: zipfile stops at that size and a forged one fails the CRC, so it is a real bound."""
    limit = settings.IMPORT_MAX_SHEET_BYTES
    for info in members:
        if is_xml_part(info.filename) and info.file_size > limit:
            return Problem(
                _(
                    "ブック内の要素（%(name)s）が大きすぎます（展開後 %(size)s、上限 %(limit)s）。"
                    "行や列を減らしてください。"
                )
                % {
                    "name": info.filename,
                    "size": megabytes(info.file_size),
                    "limit": megabytes(limit),
                }
            )
    return None


def _no_entity_declarations(archive, members) -> Problem | None:
    """Every XML part unpacks and declares no DOCTYPE or ENTITY (read in chunks: the parts are
    bounded, but need not be held whole for this)."""
    for info in members:
        if not is_xml_part(info.filename):
            continue
        try:
            found = _streams_declaration(archive, info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
            return Problem(
                _("ファイルが壊れています（%(name)s を展開できません）。") % {"name": info.filename}
            )
        if found:
            return Problem(
                _(
                    "XML に DOCTYPE・実体宣言が含まれています（%(name)s）。安全のため読み込みません。"
                )
                % {"name": info.filename}
            )
    return None


PACKAGE_CHECKS: tuple[Callable[[zipfile.ZipFile, list], Problem | None], ...] = (
    _has_workbook_parts,
    _no_macros,
    _xml_parts_not_too_big,
    _no_entity_declarations,
)


# --- helpers ------------------------------------------------------------------------------------


CHUNK_BYTES = 1024 * 1024


def is_xml_part(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def _streams_declaration(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(CHUNK_BYTES):
            if declares_entities(tail + chunk):
                return True
            tail = chunk[-16:]  # a declaration cut in two by the chunking
    return False


def declares_entities(xml: bytes) -> bool:
    """DOCTYPE or ENTITY declarations: the door to billion laughs and external entities.
    Office never writes them, so any is refused before a parser sees it."""
    return re.search(rb"<!\s*(DOCTYPE|ENTITY)", xml, re.IGNORECASE) is not None


def sniff(data: bytes) -> str:
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


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}MB"
