"""The site's URLs plus a view that fails, for the 500 page and its log line."""

from django.urls import path

from reformtracker.urls import (  # noqa: F401 (the error handlers are read from here)
    handler400,
    handler403,
    handler404,
    handler500,
    urlpatterns,
)


def boom(request):
    raise RuntimeError("the database went away")


urlpatterns = [path("boom/", boom), *urlpatterns]
