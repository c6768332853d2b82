"""The permission matrices cover every signed-in URL: each staff (staff:…) and reports
(reports:…) route has at least one case, so a new view cannot ship without its row."""

from __future__ import annotations

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.access import office_matrix, reports_matrix, staff_matrix
from tests.personas import PERSONAS

NAMESPACES = ("staff", "reports", "office_edit", "indicators")


def _view_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            names |= _view_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace in NAMESPACES:
            names.add(f"{namespace}:{pattern.name}")
    return names


def _covered(world) -> set[str]:
    covered = set()
    for case in staff_matrix.CASES + reports_matrix.CASES + office_matrix.CASES:
        with transaction.atomic():
            # Some URLs name what a set-up makes (an evidence file, a report job).
            if case.setup:
                case.setup(world)
            url = case.url(world).split("?")[0]
            transaction.set_rollback(True)
        match = resolve(url)
        covered.add(match.view_name)
    return covered


def test_every_staff_and_reports_url_has_a_row_in_the_permission_matrix(world, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    routes = _view_names()
    assert len(routes) >= 20  # the staff pages, evidence, rounds, reports, import
    assert routes - _covered(world) == set()


def _case(cases, name):
    return next(case for case in cases if case.name == name)


def test_the_report_pages_refuse_whom_the_round_pages_refuse():
    # One rule for "the reform office of this plan" (initiatives.access.manages_plan): whoever
    # may not manage the plan's rounds, an office member without the permission included, may
    # not take its reports either.
    for name, round_case in [
        ("office outputs", "rounds"),
        ("progress report PDF", "round page"),
        ("start a report job", "round page"),
    ]:
        report = _case(reports_matrix.CASES, name)
        rounds = _case(staff_matrix.CASES, round_case)
        for persona in PERSONAS:
            manages = rounds.expected[persona] == 200
            served = persona != "anonymous" and report.expected[persona] in (200, 302)
            assert served == manages, (name, persona)
