from django.contrib import admin
from django.urls import include, path

from reformtracker.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("evaluations.urls_staff")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("meetings/", include("xmeetings.urls")),
    path("", include("evaluations.urls")),
]
