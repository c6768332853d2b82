"""A web worker imports WeasyPrint and prepares the report font as it starts (REPORT_WARM_UP,
on in production), so the reform office's first PDF after a deploy is not 1.5 s slower."""

import gc
import importlib
import sys

from evaluations.reports import pdf, typesetting


def _load_wsgi():
    sys.modules.pop("reformtracker.wsgi", None)
    try:
        return importlib.import_module("reformtracker.wsgi")
    finally:
        gc.unfreeze()  # it freezes what a worker's start made: here, the test process's objects


def test_the_wsgi_application_warms_the_report_up_when_asked(settings, monkeypatch):
    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append("warm"))
    settings.REPORT_WARM_UP = True
    assert callable(_load_wsgi().application)
    assert calls == ["warm"]
    settings.REPORT_WARM_UP = False
    _load_wsgi()
    assert calls == ["warm"]  # not again: off in development and tests


def test_warming_up_leaves_the_stylesheet_and_fonts_ready():
    pdf.warm_up()
    assert "weasyprint" in sys.modules
    assert typesetting.stylesheets() == typesetting.stylesheets()  # parsed once, kept
    assert typesetting.fonts() is typesetting.fonts()
