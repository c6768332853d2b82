"""The initiative browser reads its page's rows and its pillar choices through SQL prepared once
per process (evaluations.browse: ``_items``, ``_pillar_choices``) instead of compiling ORM
queries on every request; what it shows must be byte for byte what the plain ORM queries show."""

import hashlib

import pytest
from django.db.models import Q

from evaluations import browse as browse_module
from initiatives.models import Initiative, Pillar
from reformtracker import page_memo
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db


def _plain_items(ids):
    return list(
        Initiative.objects.filter(pk__in=ids)
        .order_by()
        .select_related("plan__municipality", "pillar", "department")
    )


def _plain_pillars(plan_ids, chosen):
    return list(
        Pillar.objects.filter(Q(plan_id__in=plan_ids) | Q(pk=chosen or 0))
        .select_related("plan")
        .order_by("plan__order", "plan__slug", "order", "pk")
    )


def _columns(item):
    return page_memo.digest(item, item.plan, item.plan.municipality, item.pillar, item.department)


def test_the_pages_rows_hold_every_column_select_related_reads(seeded):
    ids = list(Initiative.objects.values_list("pk", flat=True))
    plain = {i.pk: _columns(i) for i in _plain_items(ids)}
    fast = {i.pk: _columns(i) for i in browse_module._items(ids)}
    assert fast == plain
    assert len(fast) == len(ids)
    # From the filter form's rows: every plan, pillar and department listed.
    plans, _many = browse_module._plan_choices("", "")
    plan_ids = [p.pk for p in plans]
    known = (
        plans,
        browse_module._pillar_choices(plan_ids, None),
        browse_module._department_choices(plan_ids, None),
    )
    assert {i.pk: _columns(i) for i in browse_module._known_items(ids, known)} == plain
    # Built again from what is kept for the same rows: the same columns, a copy per request.
    again = browse_module._known_items(ids, known)
    assert {i.pk: _columns(i) for i in again} == plain
    assert not {id(i) for i in again} & {id(i) for i in browse_module._known_items(ids, known)}


def test_an_item_whose_plan_the_form_does_not_list_is_read_with_its_joins(seeded):
    ids = list(Initiative.objects.values_list("pk", flat=True))
    plain = {i.pk: _columns(i) for i in _plain_items(ids)}
    osaka = [p for p in browse_module._plan_choices("", "")[0] if p.slug == OSAKA]
    known = (
        osaka,
        browse_module._pillar_choices([p.pk for p in osaka], None),
        browse_module._department_choices([p.pk for p in osaka], None),
    )
    assert {i.pk: _columns(i) for i in browse_module._known_items(ids, known)} == plain


def test_the_pillar_choices_are_the_plain_querys_in_its_order(seeded):
    every_plan = list({p.plan_id for p in Pillar.objects.all()})
    chosen = Pillar.objects.filter(plan__slug=KITAKYUSHU).first().pk
    osaka = Pillar.objects.filter(plan__slug=OSAKA).first().plan_id
    for plan_ids, pick in ((every_plan, None), ([osaka], chosen), ([], chosen), ([], None)):
        fast = browse_module._pillar_choices(plan_ids, pick)
        plain = _plain_pillars(plan_ids, pick)
        assert [page_memo.digest(p, p.plan) for p in fast] == [
            page_memo.digest(p, p.plan) for p in plain
        ]


def test_a_models_digest_is_its_label_and_every_concrete_column(seeded):
    item = Initiative.objects.first()
    columns = tuple(getattr(item, f.attname) for f in Initiative._meta.concrete_fields)
    plain = hashlib.sha256(repr(((item._meta.label, *columns),)).encode()).hexdigest()
    assert page_memo.digest(item) == plain


PAGES = [
    "/initiatives/",
    f"/initiatives/?plan={OSAKA}&result=achieved&fy=2024",
    f"/initiatives/?plan={OSAKA}&pillar=PILLAR",
    "/initiatives/?q=ゴミ",
    "/initiatives/?q=委託",
    f"/initiatives/?plan={OSAKA}&page=3",
    "/en/initiatives/",
    f"/en/initiatives/?plan={KITAKYUSHU}",
    f"/open-data/initiatives.json?plan={OSAKA}&page=2",
]


def test_every_browser_page_is_byte_for_byte_what_the_plain_queries_render(
    seeded, client, monkeypatch
):
    grow_and_publish(total=30)
    pillar = str(Pillar.objects.get(plan__slug=OSAKA, order=2).pk)
    paths = [p.replace("PILLAR", pillar) for p in PAGES]
    fast = [client.get(p) for p in paths]
    monkeypatch.setattr(browse_module, "_items", _plain_items)
    monkeypatch.setattr(browse_module, "_known_items", lambda ids, known: _plain_items(ids))
    monkeypatch.setattr(browse_module, "_pillar_choices", _plain_pillars)
    plain = [client.get(p) for p in paths]
    for path, f, p in zip(paths, fast, plain, strict=True):
        assert f.status_code == p.status_code == 200, path
        assert f.content == p.content, path
    assert "<tbody>" in fast[0].content.decode()
