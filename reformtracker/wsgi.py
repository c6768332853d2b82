import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
# A worker's start makes over a hundred thousand objects that live as long as it does (every
# module, model, view and WeasyPrint); the collector would walk them all while they are made
# and, in every full collection after, while the worker serves (measured: 5 % of a request's
# time). So it is off while the worker starts, and what the start made is frozen out of its
# walks before the first request (manage.py does the same for a command).
gc.disable()
application = get_wsgi_application()
# The root URLconf and every view module, loaded now rather than by the first visitor.
get_resolver().url_patterns  # noqa: B018 (reading it loads it)

if settings.REPORT_WARM_UP:
    # The reform office's first PDF after a deploy would otherwise wait 1.5 s more for
    # WeasyPrint to be imported; the worker pays that once, as it starts. Named by its dotted
    # path, as settings and the root URLconf name the domain's parts: this package imports none.
    import_string("evaluations.reports.pdf.warm_up")()

gc.freeze()
gc.enable()
