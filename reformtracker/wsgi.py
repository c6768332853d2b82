import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
application = get_wsgi_application()

if settings.REPORT_WARM_UP:
    # The reform office's first PDF after a deploy would otherwise wait 1.5 s more for
    # WeasyPrint to be imported; the worker pays that once, as it starts. Named by its dotted
    # path, as settings and the root URLconf name the domain's parts: this package imports none.
    import_string("evaluations.reports.pdf.warm_up")()
