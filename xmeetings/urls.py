from django.urls import path

from xmeetings import views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("<slug:slug>/schedule/", views.schedule_detail, name="schedule_list"),
    path("<slug:slug>/schedule/<int:fiscal_year>/", views.schedule_detail, name="schedule_detail"),
]

# The read API (mounted under /open-data/ by reformtracker/urls.py; README "Read API").
open_data_urlpatterns = [
    path("meetings.json", views.meetings_json, name="api_meetings"),
    path("schedules/<slug:slug>.json", views.schedule_json, name="api_schedule"),
]
