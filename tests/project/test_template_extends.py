"""``{% extends %}`` finds the root template's blocks once per compiled template
(reformtracker/templatetags/extends.py), and renders what Django's own tag renders."""

import pytest
from django.template import Context, Engine
from django.template.base import NodeList

from reformtracker.templatetags import extends

TEMPLATES = {
    "base.html": (
        "<title>{% block title %}site{% endblock %}</title>"
        "<main{% if wide %} class=wide{% endif %}>{% block content %}{% endblock %}</main>"
        "<footer>{% block footer %}{% block note %}note{% endblock %}{% endblock %}</footer>"
    ),
    "section.html": (
        "{% extends 'base.html' %}{% block title %}section | {{ block.super }}{% endblock %}"
        "{% block note %}section note{% endblock %}"
    ),
    "page.html": (
        "{% extends 'section.html' %}{% block content %}{{ text }}{% endblock %}"
        "{% block title %}page | {{ block.super }}{% endblock %}"
    ),
    "plain.html": "{% extends 'base.html' %}{% block content %}plain{% endblock %}",
    "chosen.html": "{% extends parent %}{% block content %}chosen{% endblock %}",
}


def _engine(ours: bool) -> Engine:
    return Engine(
        loaders=[
            (
                "django.template.loaders.cached.Loader",
                [("django.template.loaders.locmem.Loader", TEMPLATES)],
            )
        ],
        builtins=["reformtracker.templatetags.extends"] if ours else [],
    )


@pytest.mark.parametrize("name", ["plain.html", "section.html", "page.html", "chosen.html"])
@pytest.mark.parametrize("wide", [False, True])
def test_a_page_renders_what_djangos_own_extends_renders(name, wide):
    values = {"text": "<本文>", "wide": wide, "parent": "section.html"}
    ours, django_s = _engine(True), _engine(False)
    rendered = ours.get_template(name).render(Context(values))
    assert rendered == django_s.get_template(name).render(Context(values))
    assert "<本文>" not in rendered  # escaped, as ever
    assert type(ours.get_template(name).nodelist[0]) is extends.KeptBlocksExtendsNode


def test_the_root_templates_blocks_are_found_on_its_first_render_only(monkeypatch):
    engine = _engine(True)
    page, plain = engine.get_template("page.html"), engine.get_template("plain.html")
    first = page.render(Context({"text": "a"}))
    walks = []
    walk = NodeList.get_nodes_by_type
    monkeypatch.setattr(
        NodeList, "get_nodes_by_type", lambda self, t: walks.append(t) or walk(self, t)
    )
    assert page.render(Context({"text": "a"})) == first
    assert plain.render(Context()) != first  # another page of the same root, for the first time
    assert walks == []


def test_the_site_extends_with_it():
    from django.template import engines

    assert "reformtracker.templatetags.extends" in engines["django"].engine.builtins
    page = engines["django"].engine.get_template("evaluations/initiative_list.html")
    assert type(page.nodelist[0]) is extends.KeptBlocksExtendsNode
