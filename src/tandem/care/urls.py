from django.urls import path

from tandem.care import views
from tandem.care.views import caseload as caseload_views
from tandem.care.views import team as team_views

app_name = "care"

urlpatterns = [
    # The service user's side.
    path("care/team/", views.CareTeamView.as_view(), name="team"),
    path(
        "care/requests/<id:relationship_id>/accept/",
        views.request_accept,
        name="request-accept",
    ),
    path(
        "care/requests/<id:relationship_id>/decline/",
        views.request_decline,
        name="request-decline",
    ),
    path("care/team/ask/", team_views.ask_provider, name="team-ask"),
    path(
        "care/team/asks/<id:relationship_id>/withdraw/",
        team_views.ask_withdraw,
        name="ask-withdraw",
    ),
    path("care/sharing/", views.SharingView.as_view(), name="sharing"),
    path("care/access-log/", views.access_log, name="access-log"),
    # The organisation admin's side.
    path(
        "organisations/<id:org_id>/security-events/",
        views.security_events,
        name="security-events",
    ),
    # Both sides.
    path(
        "care/relationships/<id:relationship_id>/",
        views.relationship_detail,
        name="relationship-detail",
    ),
    path(
        "care/relationships/<id:relationship_id>/end/",
        views.relationship_end,
        name="relationship-end",
    ),
    path(
        "care/relationships/<id:relationship_id>/agreement/propose/",
        views.AgreementProposeView.as_view(),
        name="agreement-propose",
    ),
    path(
        "care/relationships/<id:relationship_id>/agreement/history/",
        views.agreement_history,
        name="agreement-history",
    ),
    path(
        "care/relationships/<id:relationship_id>/agreement/<id:version_id>/<str:decision>/",
        views.agreement_decide,
        name="agreement-decide",
    ),
    path(
        "care/relationships/<id:relationship_id>/sessions/start/",
        views.joint_session_start,
        name="joint-session-start",
    ),
    path(
        "care/sessions/<id:session_id>/",
        views.JointSessionDetailView.as_view(),
        name="joint-session-detail",
    ),
    path(
        "care/sessions/<id:session_id>/modules/",
        views.joint_session_modules,
        name="joint-session-modules",
    ),
    path("care/sessions/<id:session_id>/end/", views.joint_session_end, name="joint-session-end"),
    # The provider's side.
    path("care/caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("care/caseload/code/", views.link_code_regenerate, name="link-code-regenerate"),
    path(
        "care/caseload/requests/<id:request_id>/withdraw/",
        views.care_request_withdraw,
        name="care-request-withdraw",
    ),
    path(
        "care/caseload/asks/<id:relationship_id>/accept/",
        caseload_views.ask_accept,
        name="ask-accept",
    ),
    path(
        "care/caseload/asks/<id:relationship_id>/decline/",
        caseload_views.ask_decline,
        name="ask-decline",
    ),
    path("people/<id:owner_id>/", views.person_detail, name="person-detail"),
    path(
        "people/<id:owner_id>/confirm-age/",
        views.person_confirm_age,
        name="person-confirm-age",
    ),
]
