from django.urls import path

from tandem.accounts import age_views, language_views, views

app_name = "accounts"

urlpatterns = [
    path("invitations/accept/<str:token>/", views.invitation_open, name="invitation-open"),
    path("invitations/accept/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("account/", views.ProfileView.as_view(), name="profile"),
    path("account/language/", language_views.language_edit, name="language-edit"),
    path(
        "organisations/<id:org_id>/language/",
        language_views.organisation_language_edit,
        name="organisation-language-edit",
    ),
    path("account/two-step-required/", views.two_step_required, name="two-step-required"),
    path("organisations/", views.organisation_index, name="organisation-index"),
    path(
        "organisations/<id:org_id>/members/",
        views.OrganisationMembersView.as_view(),
        name="organisation-members",
    ),
    path(
        "organisations/<id:org_id>/settings/",
        views.OrganisationSettingsView.as_view(),
        name="organisation-settings",
    ),
    path(
        "memberships/<id:membership_id>/verify/",
        views.membership_verify,
        name="membership-verify",
    ),
    path(
        "memberships/<id:membership_id>/confirm-age/",
        age_views.membership_confirm_age,
        name="membership-confirm-age",
    ),
    path(
        "memberships/<id:membership_id>/deactivate/",
        views.membership_deactivate,
        name="membership-deactivate",
    ),
    path(
        "invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
]
