from django.urls import path

from tandem.web import avatar, pwa, styleguide, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("crisis/", views.crisis, name="crisis"),
    path("account/avatar/", avatar.avatar_edit, name="avatar-edit"),
    path("style/", styleguide.style_guide, name="style-guide"),
    # The installable app (docs/pwa.md): the worker sits at the root so its scope can be "/".
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("device/", pwa.device, name="device"),
]
