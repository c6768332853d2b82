import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformtracker.settings")
application = get_wsgi_application()

if settings.REPORT_WARM_UP:
    # The reform office's first PDF after a deploy would otherwise wait 1.5 s more for
    # WeasyPrint to be imported; the worker pays that once, as it starts.
    from evaluations.reports import pdf

    pdf.warm_up()
