from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("initiatives.urls")),
    path("", include("evaluations.urls")),
    path("meetings/", include("xmeetings.urls")),
]
