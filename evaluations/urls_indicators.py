"""The reform office's indicator pages (/office/indicators/…)."""

from django.urls import include, path

from evaluations.views import indicators

patterns = [
    path(
        "office/indicators/initiatives/<id:pk>/",
        indicators.initiative_indicators,
        name="initiative",
    ),
    path("office/indicators/rounds/<id:pk>/", indicators.round_actuals, name="round"),
]

urlpatterns = [path("", include((patterns, "indicators")))]
