"""Every text the seed fixtures mark as quoted is in its source document word for word
(only whitespace and line breaks may differ), and what the fixtures say the city published is
marked as quoted."""

from __future__ import annotations

import pytest

from initiatives.models import Provenance, ReformLevel
from tests.provenance.quotes import fixtures, objects, quoted, source_of, squeeze

FILES = fixtures()
QUOTES = [
    pytest.param(name, where, field, text, id=f"{name}{where}.{field}")
    for name, data in FILES.items()
    for where, field, text in quoted(data)
]


def test_each_fixture_names_its_source_document_and_quotes_from_it():
    assert set(FILES) == {"osaka.json", "kitakyushu.json"}
    for data in FILES.values():
        assert len(source_of(data)) > 1000
    assert len(QUOTES) >= 60


@pytest.mark.parametrize(("name", "where", "field", "text"), QUOTES)
def test_every_quoted_text_is_in_the_source_verbatim(name, where, field, text):
    source = squeeze(source_of(FILES[name]))
    for line in text.split("\n"):
        assert squeeze(line) in source, f"{name}{where}.{field}: 「{line}」 is not in the source"


def test_a_paraphrase_is_caught():
    # Pillar 5's former description: presented as the release's text, written by us.
    osaka = FILES["osaka.json"]
    paraphrase = "「区政がめざす姿(令和5年度~8年度)」に基づき、区長会議と関係局が連携して取組を進めています。"
    assert squeeze(paraphrase) not in squeeze(source_of(osaka))


def test_a_pillar_description_is_quoted_unless_it_is_marked_as_ours():
    for name, data in FILES.items():
        for pillar in objects(data, "pillars"):
            ours = pillar.get("description_provenance", Provenance.PUBLISHED) != "published"
            assert ("description" in pillar.get("quoted", [])) != ours, (name, pillar["order"])


def test_pillar_5_is_marked_as_our_wording():
    pillar_5 = next(p for p in FILES["osaka.json"]["pillars"] if p["order"] == 5)
    assert pillar_5["description_provenance"] == "ours"


def test_every_narrative_and_note_is_quoted():
    for name, data in FILES.items():
        for item in objects(data, "narratives"):
            for field in ("done", "next_steps"):
                if item.get(field):
                    assert field in item["quoted"], (name, item["pillar"], field)
        for note in objects(data, "notes"):
            assert "body" in note["quoted"], (name, note["kind"], note["order"])


def test_an_initiative_published_as_is_quotes_its_title():
    for name, data in FILES.items():
        for item in objects(data, "initiatives"):
            if item.get("provenance", "published") == "published":
                assert "title" in item.get("quoted", []), (name, item["code"])


def test_every_osaka_result_is_marked_as_not_the_citys_per_item_release():
    # The release gives totals only: no per-item result is the city's.
    for item in objects(FILES["osaka.json"], "initiatives"):
        assert item["provenance"] in ("illustrative", "ours"), item["code"]
        assert item["provenance_note"]


def test_the_reform_level_is_spelt_as_the_source_spells_it():
    kitakyushu = source_of(FILES["kitakyushu.json"])
    assert "BCレベル" in kitakyushu and "B・Cレベル" not in kitakyushu
    assert str(ReformLevel.BC.label).startswith("BCレベル")
    for data in FILES.values():
        assert "B・C" not in str(data)


def test_osakas_contact_is_quoted_from_its_release_with_the_release_as_its_source():
    osaka = FILES["osaka.json"]
    city = osaka["municipality"]
    assert "contact" in city["quoted"]  # so the verbatim check above reads it
    assert "osaka.json.municipality.contact" in {q.id for q in QUOTES}
    assert city["contact"] == "市政改革室改革プラン推進担当(06-6208-9885)"
    assert squeeze(f"問合せ先:{city['contact']}") in squeeze(source_of(osaka))
    # Its source is the release the plan's figures come from, dated as the plan dates it.
    assert city["contact_source"] == osaka["plan"]["source_title"]
    assert city["contact_source_published_on"] == osaka["plan"]["source_published_on"]


# What a seeded identity may hold: only what a source published, quoted.
INVENTED = (
    "display_name",
    "display_name_en",
    "logo",
    "logo_alt",
    "accent_colour",
    "contact_url",
    "accessibility_url",
    "privacy_url",
)


def test_no_identity_is_seeded_that_no_source_published():
    for name, data in FILES.items():
        city = data["municipality"]
        assert not set(INVENTED) & set(city), name
        if city.get("contact"):
            assert "contact" in city["quoted"], name
            assert city["contact_source"] and city["contact_source_published_on"], name


def test_kitakyushus_source_names_its_office_but_no_contact_so_none_is_seeded():
    kitakyushu = FILES["kitakyushu.json"]
    source = source_of(kitakyushu)
    assert "市政変革室" in source and "問合せ" not in source
    assert "contact" not in kitakyushu["municipality"]
    assert "contact" not in kitakyushu["plan"]
