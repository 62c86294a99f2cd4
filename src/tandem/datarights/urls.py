from django.urls import path

from tandem.datarights import views

app_name = "datarights"

urlpatterns = [
    path("account/data/", views.DataRightsView.as_view(), name="index"),
    path("account/data/exports/<uuid:export_id>/", views.export_status, name="export-status"),
    path(
        "account/data/exports/<uuid:export_id>/progress/",
        views.export_progress,
        name="export-progress",
    ),
    path(
        "account/data/exports/<uuid:export_id>/download/",
        views.export_download,
        name="export-download",
    ),
    path("account/delete/", views.DeletionView.as_view(), name="delete"),
    path("account/data/changes/", views.change_list, name="changes"),
]
