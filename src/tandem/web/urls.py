from django.urls import path

from tandem.web import avatar, styleguide, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("crisis/", views.crisis, name="crisis"),
    path("account/avatar/", avatar.avatar_edit, name="avatar-edit"),
    path("style/", styleguide.style_guide, name="style-guide"),
]
