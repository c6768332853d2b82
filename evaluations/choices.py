"""Choices with their labels and colours in one place (templates, PDF and Excel read these)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# One colour per result: the デジタル庁 design token the site's stylesheet names (green / red /
# grey, each keeping AA contrast with white text) and the hex that outputs which cannot read
# CSS variables (the PDF, the badge) use. site.css's --achieved, --not-achieved and --excluded
# and the PDF stylesheet are checked against these (tests/public/test_contrast.py).
_PALETTE = {
    "achieved": ("--color-primitive-green-800", "#115a36"),
    "not_achieved": ("--color-primitive-red-800", "#b20000"),
    "excluded": ("--color-neutral-solid-gray-700", "#414141"),
}


class Result(models.TextChoices):
    """An initiative's evaluation at a 時点. 評価対象外 counts as checked, never as evaluated."""

    ACHIEVED = "achieved", _("達成")
    NOT_ACHIEVED = "not_achieved", _("未達成")
    EXCLUDED = "excluded", _("評価対象外")

    @property
    def counts_as_evaluated(self) -> bool:
        return self in (Result.ACHIEVED, Result.NOT_ACHIEVED)

    @property
    def colour(self) -> str:
        """The colour as CSS: the design token, with the hex as its fallback."""
        token, hex_ = _PALETTE[self.value]
        return f"var({token}, {hex_})"

    @property
    def hex(self) -> str:
        return _PALETTE[self.value][1]

    @property
    def css_class(self) -> str:
        return f"result-{self.value.replace('_', '-')}"


class RoundKind(models.TextChoices):
    YEAR_END = "year_end", _("年度末")
    INTERIM = "interim", _("中間")


class RoundState(models.TextChoices):
    OPEN = "open", _("受付中")
    CLOSED = "closed", _("締切")


class EntryState(models.TextChoices):
    """The workflow of one initiative's entry in an update round (照会)."""

    NOT_STARTED = "not_started", _("未着手")
    IN_PROGRESS = "in_progress", _("入力中")
    SUBMITTED = "submitted", _("提出済")
    RETURNED = "returned", _("差戻し")
    CONFIRMED = "confirmed", _("確認済")
    PUBLISHED = "published", _("公表")
