"""Builds reformgothic.ttf, the Japanese font the PDF reports embed, from IPAex Gothic.

Run once by hand when the character set needs to change; the output is committed so nothing at
run time depends on fonts installed on the machine.

    apt-get download fonts-ipaexfont-gothic
    dpkg-deb -x fonts-ipaexfont-gothic_*_all.deb /tmp/ipaex
    .venv/bin/python evaluations/reports/fonts/make_font.py \
        /tmp/ipaex/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf

The subset keeps every character of JIS X 0208 (level 1 and 2 kanji, kana, symbols) and the NEC
and IBM extensions of CP932 (①–⑳, ㈱ …), printable ASCII, full-width and half-width forms, and
every character of the seed fixtures, templates and Python sources (labels such as 〜). The IPA Font License forbids the
name of the original in a derived font's name or file name, so the subset is renamed
"Reform Gothic". To use the original instead, put ipaexg.ttf in this folder and set
REPORT_FONT_FILE to its path (a setting, see reformtracker/settings.py).
"""

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
FAMILY = "Reform Gothic"


def codepoints() -> set[int]:
    chars: set[int] = set(range(0x20, 0x7F)) | {0xA0, 0x3000}
    chars |= set(range(0xFF01, 0xFFA0))  # full-width ASCII and half-width katakana
    chars |= set(range(0x3041, 0x3097)) | set(range(0x30A1, 0x30FF))  # kana
    for lead in range(0x81, 0xFD):
        for trail in range(0x40, 0xFD):
            with contextlib.suppress(UnicodeDecodeError):
                chars.update(ord(c) for c in bytes([lead, trail]).decode("cp932"))
    chars |= set(range(0x2460, 0x24A0)) | {0x301C, 0x2014, 0x2015, 0x2212, 0x00D7, 0x2192}
    patterns = (
        "fixtures/*.json",
        "templates/**/*.html",
        "evaluations/**/*.py",
        "initiatives/*.py",
        "xmeetings/*.py",
        "reformtracker/*.py",
    )
    for pattern in patterns:
        for path in ROOT.glob(pattern):
            chars.update(ord(c) for c in path.read_text(encoding="utf-8") if ord(c) >= 0x20)
    return chars


def main(source: str) -> None:
    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints()))
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            value = {1: FAMILY, 3: "ReformGothic-Subset", 4: FAMILY, 6: "ReformGothic"}.get(
                record.nameID, FAMILY if record.nameID in (16, 21) else "Regular"
            )
            record.string = value
    font.save(HERE / "reformgothic.ttf")
    print(f"wrote {HERE / 'reformgothic.ttf'}: {len(font.getBestCmap())} characters")


if __name__ == "__main__":
    main(sys.argv[1])
