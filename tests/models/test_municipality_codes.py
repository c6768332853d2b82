"""A municipality's prefecture and 全国地方公共団体コード: valid codes only, each city once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from initiatives.models import Municipality
from initiatives.prefectures import Prefecture, local_code, validate_local_code


def test_the_check_digit_is_the_one_the_ministry_publishes():
    assert local_code("27100") == "271004"  # 大阪市
    assert local_code("40100") == "401005"  # 北九州市
    assert local_code("13101") == "131016"  # 千代田区
    assert local_code("01100") == "011002"  # 札幌市


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("271005", "検査数字"),
        ("481001", "先頭2桁"),
        ("27100", "6桁の数字"),
        ("２７１００４", "6桁の数字"),
    ],
)
def test_a_wrong_code_is_refused_with_a_japanese_message(code, message):
    with pytest.raises(ValidationError) as error:
        validate_local_code(code)
    assert message in error.value.messages[0]


def test_there_are_47_prefectures_numbered_01_to_47():
    assert Prefecture.values == [f"{n:02d}" for n in range(1, 48)]
    assert Prefecture("27").label == "大阪府" and Prefecture("01").label == "北海道"


@pytest.mark.django_db
def test_a_local_code_names_one_city_only(seeded):
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(
            slug="copy", name="複製市", prefecture="27", local_code="271004"
        )
    # Many cities may have no code yet.
    Municipality.objects.create(slug="a", name="甲市")
    Municipality.objects.create(slug="b", name="乙市")


@pytest.mark.django_db
def test_a_local_code_must_begin_with_its_prefectures_code(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(slug="x", name="誤市", prefecture="40", local_code="271004")
    city = Municipality(slug="y", name="誤市", prefecture="40", local_code="271004")
    with pytest.raises(ValidationError) as error:
        city.full_clean()
    assert "先頭2桁が都道府県と一致しません" in str(error.value)
