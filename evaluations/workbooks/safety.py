"""Checks an uploaded file is a sane xlsx before any XML parser sees it.

Each check returns a ``Problem`` or None and the first problem refuses the file, so the order of
the tables is the order people are told things: first what the bytes are (empty, too big, an
old .xls, not a zip at all), then the zip's members one by one (encrypted, too big, a zip bomb's
ratio), then the package as a whole (total size, the parts an xlsx has, macros, and no DOCTYPE
or ENTITY declaration in any XML part).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable

from django.utils.translation import gettext as _

from evaluations.workbooks.problems import ImportRejected, Problem

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 500
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member; real sheet XML stays far below
REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")


def check_container(data: bytes) -> zipfile.ZipFile:
    """The upload as an open zip, or ImportRejected with the first thing wrong with it."""
    for check in FILE_CHECKS:
        _refuse(check(data))
    archive = _open_zip(data)
    if isinstance(archive, Problem):
        _refuse(archive)
    members = archive.infolist()
    for package_check in PACKAGE_CHECKS:
        _refuse(package_check(archive, members))
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
    if len(data) > MAX_UPLOAD_BYTES:
        return Problem(
            _("ファイルが大きすぎます（%(size)s、上限 %(limit)dMB）。")
            % {"size": megabytes(len(data)), "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
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
    if info.file_size > MAX_MEMBER_BYTES:
        return Problem(
            _("展開後のサイズが大きすぎる要素があります（%(name)s）。") % {"name": info.filename}
        )
    return None


def _not_a_bomb(info: zipfile.ZipInfo) -> Problem | None:
    if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
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


# --- the package --------------------------------------------------------------------------------


def _not_too_many_members(archive, members) -> Problem | None:
    if len(members) > MAX_MEMBERS:
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
    if total > MAX_UNCOMPRESSED_BYTES:
        return Problem(
            _("展開後の合計サイズが大きすぎます（%(size)s）。") % {"size": megabytes(total)}
        )
    return None


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


def _no_entity_declarations(archive, members) -> Problem | None:
    """Every XML part unpacks and declares no DOCTYPE or ENTITY."""
    for info in members:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(info) as member:
                head = member.read()
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
            return Problem(
                _("ファイルが壊れています（%(name)s を展開できません）。") % {"name": info.filename}
            )
        if declares_entities(head):
            return Problem(
                _(
                    "XML に DOCTYPE・実体宣言が含まれています（%(name)s）。安全のため読み込みません。"
                )
                % {"name": info.filename}
            )
    return None


PACKAGE_CHECKS: tuple[Callable[[zipfile.ZipFile, list], Problem | None], ...] = (
    _not_too_many_members,
    _members_sane,
    _total_not_too_big,
    _has_workbook_parts,
    _no_macros,
    _no_entity_declarations,
)


# --- helpers ------------------------------------------------------------------------------------


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
