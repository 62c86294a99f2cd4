from django.urls import path

from tandem.research import admin_views, views

app_name = "research"

urlpatterns = [
    # Service users and providers: the studies they may answer.
    path("research/studies/", views.study_list, name="study-list"),
    path("research/studies/<id:study_id>/", views.StudyConsentView.as_view(), name="study-consent"),
    path(
        "research/studies/<id:study_id>/withdraw/",
        views.StudyWithdrawView.as_view(),
        name="study-withdraw",
    ),
    # Organisation admins: their organisation's studies, set up and changed.
    path(
        "research/organisations/<id:org_id>/studies/",
        admin_views.study_admin_list,
        name="study-admin-list",
    ),
    path(
        "research/organisations/<id:org_id>/studies/create/",
        admin_views.StudyCreateView.as_view(),
        name="study-create",
    ),
    path(
        "research/organisations/<id:org_id>/studies/<id:study_id>/edit/",
        admin_views.StudyEditView.as_view(),
        name="study-edit",
    ),
    # Researchers: their organisation's studies, figures and exports.
    path("research/", views.dashboard_list, name="dashboard-list"),
    path("research/<id:study_id>/", views.dashboard, name="dashboard"),
    path("research/<id:study_id>/export.zip", views.export_csv, name="export-csv"),
    path("research/<id:study_id>/export.json", views.export_json, name="export-json"),
]
