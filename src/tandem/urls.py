"""Tandem's URL map. Every route needs login unless its view is marked login_not_required."""

from django.urls import include, path

from tandem.accounts.views import LogoutView

urlpatterns = [
    # Our logout first, so it shadows allauth's and adds Clear-Site-Data.
    path("accounts/logout/", LogoutView.as_view(), name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("", include("tandem.accounts.urls")),
    path("", include("tandem.care.urls")),
    path("", include("tandem.toolbox.urls")),
    path("", include("tandem.forum.urls")),
    path("", include("tandem.notifications.urls")),
    path("", include("tandem.moderation.urls")),
    path("", include("tandem.messaging.urls")),
    path("", include("tandem.questionnaires.urls")),
    path("", include("tandem.research.urls")),
    path("", include("tandem.courses.urls")),
    path("", include("tandem.datarights.urls")),
    path("", include("tandem.api.urls")),
    path("", include("tandem.web.urls")),
]
