"""Forms of the office's indicator pages: an indicator's definition, and a round's actuals.

Numbers are read as people type them in Japan: full-width digits, thousands separators and a
full-width minus are accepted (NFKC), units are not (the unit is the indicator's own)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from evaluations.indicators import plain
from initiatives.models import Indicator

NOT_A_NUMBER = _(
    "「%(value)s」は数値として読めません。半角・全角の数字で入力してください（単位は不要）。"
)
TOO_PRECISE = _("小数点以下は4桁まで、整数部分は14桁までで入力してください。")


def read_number(text: str) -> Decimal | None:
    """``text`` as a Decimal (None when empty); ValidationError in Japanese when it is not one
    or the database cannot hold it (the office's pages, the 照会票 and the plan workbook alike)."""
    normal = unicodedata.normalize("NFKC", text or "").strip().replace(",", "").replace("−", "-")
    if not normal:
        return None
    try:
        value = Decimal(normal)
    except InvalidOperation:
        raise ValidationError(NOT_A_NUMBER, params={"value": text}, code="not_a_number") from None
    if not value.is_finite():
        raise ValidationError(NOT_A_NUMBER, params={"value": text}, code="not_a_number")
    _sign, digits, exponent = value.as_tuple()
    decimals = max(-exponent, 0)
    if decimals > 4 or len(digits) - decimals > 14:
        raise ValidationError(TOO_PRECISE, code="too_precise")
    return within_bounds(value)


def within_bounds(value: Decimal | None) -> Decimal | None:
    """``value`` if the database's column holds it (14 whole digits, 4 decimals): the digits
    written are not enough to tell, as 1E+20 is written with one."""
    if value is not None and abs(value) >= Decimal(10) ** 14:
        raise ValidationError(TOO_PRECISE, code="too_precise")
    return value


class NumberField(forms.CharField):
    def to_python(self, value):
        return read_number(super().to_python(value))


class IndicatorForm(forms.ModelForm):
    baseline_value = NumberField(label=_("基準値"))
    target_value = NumberField(label=_("目標値"))

    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
        ]
        help_texts = {
            "baseline_year": _("西暦の年度（例：2024＝令和6年度）"),
            "target_year": _("西暦の年度（例：2027＝令和9年度）"),
        }


class ActualsForm(forms.Form):
    """One field per indicator of the round: ``indicator_<id>``."""

    def __init__(self, *args, indicators, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            value = current.get(indicator.pk)
            self.fields[f"indicator_{indicator.pk}"] = NumberField(
                label=f"{indicator.name}（{indicator.unit}）",
                required=False,
                initial="" if value is None else plain(value),
            )

    def values(self) -> dict:
        return {i.pk: self.cleaned_data.get(f"indicator_{i.pk}") for i in self.indicators}

    def rows(self):
        for indicator in self.indicators:
            yield indicator, self[f"indicator_{indicator.pk}"]
