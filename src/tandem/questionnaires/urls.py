"""The person's questionnaires under /questionnaires/, and the care team's read under
/people/<owner_id>/questionnaires/ (the ``care.Module`` value, which care's overview links to)."""

from django.urls import path

from tandem.questionnaires import views

app_name = "questionnaires"

urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="list"),
    path("questionnaires/export/fhir/", views.fhir_export, name="fhir-export"),
    # Before "<instrument_key>/": "custom" is never an instrument's key.
    path("questionnaires/custom/", views.custom_list, name="custom-list"),
    path("questionnaires/custom/new/", views.CustomCreateView.as_view(), name="custom-create"),
    path(
        "questionnaires/custom/<id:instrument_id>/",
        views.CustomEditView.as_view(),
        name="custom-edit",
    ),
    path(
        "questionnaires/custom/<id:instrument_id>/archive/",
        views.custom_archive,
        name="custom-archive",
    ),
    path(
        "questionnaires/proposals/<id:proposal_id>/accept/",
        views.proposal_answer,
        {"answer": "accept"},
        name="proposal-accept",
    ),
    path(
        "questionnaires/proposals/<id:proposal_id>/decline/",
        views.proposal_answer,
        {"answer": "decline"},
        name="proposal-decline",
    ),
    path(
        "questionnaires/responses/<id:response_id>/",
        views.response_detail,
        name="response-detail",
    ),
    path(
        "questionnaires/responses/<id:response_id>/note/",
        views.response_note,
        name="response-note",
    ),
    path(
        "questionnaires/responses/<id:response_id>/fhir/",
        views.fhir_response_export,
        name="response-fhir-export",
    ),
    path(
        "questionnaires/responses/<id:response_id>/follow-up/plan/",
        views.follow_up_plan,
        name="follow-up-plan",
    ),
    path(
        "questionnaires/responses/<id:response_id>/follow-up/call/<id:contact_id>/",
        views.follow_up_call,
        name="follow-up-call",
    ),
    path(
        "questionnaires/<slug:instrument_key>/",
        views.ResponseCreateView.as_view(),
        name="response-create",
    ),
    path("questionnaires/<slug:instrument_key>/trends/", views.trends, name="trends"),
    path(
        "questionnaires/<slug:instrument_key>/schedule/",
        views.ScheduleEditView.as_view(),
        name="schedule-edit",
    ),
    path(
        "questionnaires/<slug:instrument_key>/schedule/delete/",
        views.schedule_delete,
        name="schedule-delete",
    ),
    path(
        "people/<id:owner_id>/questionnaires/",
        views.shared_questionnaires,
        name="shared-questionnaires",
    ),
    path(
        "people/<id:owner_id>/questionnaires/schedule/propose/",
        views.ScheduleProposeView.as_view(),
        name="schedule-propose",
    ),
    path(
        "people/<id:owner_id>/questionnaires/responses/<id:response_id>/",
        views.shared_response_detail,
        name="shared-response-detail",
    ),
]
