from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from reformtracker.views import healthz, readyz

# Django tries the patterns in order, and an include that does not match costs an exception
# listing what it tried. Behind the six includes without a prefix of their own (staff, reports,
# onboarding, office editing, indicators, identity), a public page took 0.08–0.17 ms to resolve;
# in front of them, 0.03–0.04 ms. The public pages are most of the requests; the signed-in
# pages behind them (about 30 ms each) now pay 0.03–0.04 ms more for the public patterns. An
# include with a prefix of its own fails at its prefix, so those stay in front. No public
# address begins as a staff, office or admin one does, so the order changes no match
# (tests/access/test_permission_matrix_complete.py resolves every signed-in page to its view).
# Japanese at the unprefixed URLs, English under /en/: the language is part of the address, so
# English links can be shared and a cached page is keyed by its path (docs/architecture.md,
# "Public pages cache exactly by publication").
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("office/meetings/", include("xmeetings.urls_office")),
    path("i18n/", include("django.conf.urls.i18n")),
    *i18n_patterns(
        path("", include("evaluations.urls")),
        path("meetings/", include("xmeetings.urls")),
        path("open-data/", include("xmeetings.urls_open_data")),
        prefix_default_language=False,
    ),
    path("", include("evaluations.urls_staff")),
    path("", include("evaluations.urls_reports")),
    path("", include("evaluations.urls_onboarding")),
    path("", include("evaluations.urls_office_edit")),
    path("", include("evaluations.urls_indicators")),
    path("", include("evaluations.urls_identity")),
]

# Error pages in the site's language and layout (reformtracker/views.py).
handler400 = "reformtracker.views.bad_request"
handler403 = "reformtracker.views.permission_denied"
handler404 = "reformtracker.views.page_not_found"
handler500 = "reformtracker.views.server_error"
