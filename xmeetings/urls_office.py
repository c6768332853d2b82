"""The reform office's X会議 pages, mounted at /office/meetings/ by the root URLconf under the
"meetings_office" namespace."""

from django.urls import path

from xmeetings import views_office as views

app_name = "meetings_office"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/<slug:slug>/", views.plan_meetings, name="plan"),
    path("<id:pk>/", views.meeting_detail, name="meeting"),
    path("<id:pk>/held/", views.meeting_held, name="held"),
    path("<id:pk>/delete/", views.meeting_delete, name="delete"),
    path("<id:pk>/topics/", views.topic_add, name="topic_add"),
    path("topics/<id:topic_id>/", views.topic_change, name="topic"),
    path("<id:pk>/materials/", views.material_add, name="material_add"),
    path("materials/<id:material_id>/", views.material_change, name="material"),
    path("materials/<id:material_id>/file/", views.material_file, name="material_file"),
    path("<id:pk>/initiatives/", views.link_add, name="link_add"),
    path(
        "<id:pk>/initiatives/<id:initiative_id>/remove/",
        views.link_remove,
        name="link_remove",
    ),
]
