"""The 47 prefectures (都道府県) by their JIS X 0401 code, and the check digit of the 6-digit
全国地方公共団体コード (local government code) that begins with one.

Declared once, with the Japanese names as the labels and the English names in the .po file,
so the home page's filter, the admin and the open data all say the same.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Prefecture(models.TextChoices):
    HOKKAIDO = "01", _("北海道")
    AOMORI = "02", _("青森県")
    IWATE = "03", _("岩手県")
    MIYAGI = "04", _("宮城県")
    AKITA = "05", _("秋田県")
    YAMAGATA = "06", _("山形県")
    FUKUSHIMA = "07", _("福島県")
    IBARAKI = "08", _("茨城県")
    TOCHIGI = "09", _("栃木県")
    GUNMA = "10", _("群馬県")
    SAITAMA = "11", _("埼玉県")
    CHIBA = "12", _("千葉県")
    TOKYO = "13", _("東京都")
    KANAGAWA = "14", _("神奈川県")
    NIIGATA = "15", _("新潟県")
    TOYAMA = "16", _("富山県")
    ISHIKAWA = "17", _("石川県")
    FUKUI = "18", _("福井県")
    YAMANASHI = "19", _("山梨県")
    NAGANO = "20", _("長野県")
    GIFU = "21", _("岐阜県")
    SHIZUOKA = "22", _("静岡県")
    AICHI = "23", _("愛知県")
    MIE = "24", _("三重県")
    SHIGA = "25", _("滋賀県")
    KYOTO = "26", _("京都府")
    OSAKA = "27", _("大阪府")
    HYOGO = "28", _("兵庫県")
    NARA = "29", _("奈良県")
    WAKAYAMA = "30", _("和歌山県")
    TOTTORI = "31", _("鳥取県")
    SHIMANE = "32", _("島根県")
    OKAYAMA = "33", _("岡山県")
    HIROSHIMA = "34", _("広島県")
    YAMAGUCHI = "35", _("山口県")
    TOKUSHIMA = "36", _("徳島県")
    KAGAWA = "37", _("香川県")
    EHIME = "38", _("愛媛県")
    KOCHI = "39", _("高知県")
    FUKUOKA = "40", _("福岡県")
    SAGA = "41", _("佐賀県")
    NAGASAKI = "42", _("長崎県")
    KUMAMOTO = "43", _("熊本県")
    OITA = "44", _("大分県")
    MIYAZAKI = "45", _("宮崎県")
    KAGOSHIMA = "46", _("鹿児島県")
    OKINAWA = "47", _("沖縄県")


def check_digit(first_five: str) -> str:
    """The sixth digit of a 全国地方公共団体コード: weights 6‥2 over the first five digits, the
    sum's remainder by 11 taken from 11, and the units digit of that (総務省の規定)."""
    remainder = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True)) % 11
    return str((11 - remainder) % 10)


def local_code(first_five: str) -> str:
    """The full 6-digit code of a 5-digit one (27100 → 271004)."""
    return first_five + check_digit(first_five)


def validate_local_code(value: str) -> None:
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("全国地方公共団体コードは6桁の数字で入力してください。"))
    if value[:2] not in Prefecture.values:
        raise ValidationError(_("全国地方公共団体コードの先頭2桁が都道府県コードではありません。"))
    if check_digit(value[:5]) != value[5]:
        raise ValidationError(_("全国地方公共団体コードの検査数字（6桁目）が正しくありません。"))
