from django.urls import path

from xmeetings import views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("materials/<id:pk>/", views.material_download, name="meeting_material"),
    path("<slug:slug>/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("<slug:slug>/schedule/", views.schedule_detail, name="schedule_list"),
    path("<slug:slug>/schedule/<fy:fiscal_year>/", views.schedule_detail, name="schedule_detail"),
]
