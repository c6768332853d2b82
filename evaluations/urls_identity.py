"""Each municipality's identity: the reform office's page (/office/identity/…) and the public
logo and accent stylesheet its pages link."""

from django.urls import include, path

from evaluations.views import identity

identity_patterns = [
    path("office/identity/", identity.office_identity_list, name="list"),
    path("office/identity/<slug:slug>/", identity.office_identity, name="edit"),
    path("municipalities/<slug:slug>/logo/<str:name>", identity.logo, name="logo"),
    path(
        "municipalities/<slug:slug>/accent-<str:colour>.css",
        identity.accent_css,
        name="accent_css",
    ),
]

urlpatterns = [path("", include((identity_patterns, "identity")))]
