from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from reformtracker.views import healthz, readyz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("evaluations.urls_staff")),
    path("", include("evaluations.urls_reports")),
    path("office/meetings/", include("xmeetings.urls_office")),
    path("", include("evaluations.urls_onboarding")),
    path("", include("evaluations.urls_office_edit")),
    path("", include("evaluations.urls_indicators")),
    path("", include("evaluations.urls_identity")),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Japanese at the unprefixed URLs, English under /en/: the language is part of the address, so
# English links can be shared and a cached page is keyed by its path (docs/architecture.md,
# "Public pages cache exactly by publication").
urlpatterns += i18n_patterns(
    path("meetings/", include("xmeetings.urls")),
    path("open-data/", include("xmeetings.urls_open_data")),
    path("", include("evaluations.urls")),
    prefix_default_language=False,
)

# Error pages in the site's language and layout (reformtracker/views.py).
handler400 = "reformtracker.views.bad_request"
handler403 = "reformtracker.views.permission_denied"
handler404 = "reformtracker.views.page_not_found"
handler500 = "reformtracker.views.server_error"
