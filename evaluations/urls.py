from django.urls import path

from evaluations.views import opendata, public

urlpatterns = [
    path("", public.home, name="home"),
    path("plans/<slug:slug>/", public.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/pillars/<int:order>/", public.pillar_detail, name="pillar_detail"),
    path(
        "plans/<slug:slug>/initiatives/<str:code>/",
        public.initiative_detail,
        name="initiative_detail",
    ),
    path("open-data/", opendata.index, name="open_data"),
    path("open-data/plans.json", opendata.plans_json, name="open_data_plans"),
]
