"""The meetings' part of the read API, mounted under /open-data/ by the root URLconf (README
"Read API")."""

from django.urls import path

from xmeetings import views

urlpatterns = [
    path("meetings.json", views.meetings_json, name="api_meetings"),
    path("schedules/<slug:slug>.json", views.schedule_json, name="api_schedule"),
]
