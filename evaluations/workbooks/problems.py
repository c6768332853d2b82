"""Why a filled 照会票 cannot be imported: each problem located by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass


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

    @classmethod
    def because(cls, message: str, *where) -> ImportRejected:
        """Refused for one reason (``where``: sheet, row, column as Problem takes them)."""
        return cls([Problem(message, *where)])
