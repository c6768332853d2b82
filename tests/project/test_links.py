"""reformtracker.links.reverser: a list's addresses reversed once and quoted as reverse does."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.translation import override

from reformtracker.links import reverser

CODES = [
    "6-5",
    "K-A-1",
    "ア-1",
    "取組 1",
    "50%",
    "x?y",
    "#2",
    "a&b=c",
    "~:@!$'()*+,;",
    "Ｂ－２",
    ".",
]


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("prefix", ["/", "/reform/"])
def test_an_initiatives_address_is_the_one_reverse_gives(language, prefix):
    set_script_prefix(prefix)
    try:
        with override(language):
            address = reverser("initiative_detail", "osaka-shin-shisei-kaikaku")
            for code in CODES:
                expected = reverse("initiative_detail", args=["osaka-shin-shisei-kaikaku", code])
                assert address(code) == expected, code
    finally:
        set_script_prefix("/")


def test_a_code_no_address_can_hold_is_refused_as_reverse_refuses_it():
    address = reverser("initiative_detail", "osaka-shin-shisei-kaikaku")
    for code in ("a/b", ""):
        with pytest.raises(NoReverseMatch):
            address(code)
