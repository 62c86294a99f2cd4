from django.urls import path

from tandem.moderation import views
from tandem.moderation.community_admin import views as admin_views
from tandem.moderation.escalation import views as escalation_views
from tandem.moderation.identity import views as identity_views

app_name = "moderation"

urlpatterns = [
    path("moderation/", views.home, name="home"),
    path("moderation/about-me/", views.about_me, name="about-me"),
    path("moderation/about-me/trust/", views.my_trust, name="my-trust"),
    path("moderation/organisations/<id:organisation_id>/duty/", views.duty, name="duty"),
    path(
        "moderation/organisations/<id:organisation_id>/audit/",
        views.audit_log,
        name="audit-log",
    ),
    path(
        "moderation/organisations/<id:organisation_id>/communities/",
        admin_views.community_list,
        name="community-admin-list",
    ),
    path(
        "moderation/organisations/<id:organisation_id>/communities/create/",
        admin_views.CommunityCreateView.as_view(),
        name="community-create",
    ),
    path(
        "moderation/communities/<id:community_id>/manage/",
        admin_views.CommunityManageView.as_view(),
        name="community-manage",
    ),
    path(
        "moderation/communities/<id:community_id>/manage/state/",
        admin_views.community_state,
        name="community-state",
    ),
    path(
        "moderation/communities/<id:community_id>/manage/conduct/",
        admin_views.ConductView.as_view(),
        name="community-conduct",
    ),
    path(
        "moderation/communities/<id:community_id>/manage/limits/",
        admin_views.LimitsView.as_view(),
        name="community-limits",
    ),
    path(
        "moderation/communities/<id:community_id>/manage/categories/",
        admin_views.category_create,
        name="category-create",
    ),
    path(
        "moderation/categories/<id:category_id>/edit/",
        admin_views.CategoryEditView.as_view(),
        name="category-edit",
    ),
    path(
        "moderation/categories/<id:category_id>/state/",
        admin_views.category_state,
        name="category-state",
    ),
    path("moderation/communities/<id:community_id>/queue/", views.queue, name="queue"),
    path("moderation/communities/<id:community_id>/rules/", views.rule_stats, name="rule-stats"),
    path(
        "moderation/communities/<id:community_id>/settings/",
        views.CommunitySettingsView.as_view(),
        name="community-settings",
    ),
    path(
        "moderation/communities/<id:community_id>/watched-words/",
        views.watched_word_create,
        name="watched-word-create",
    ),
    path(
        "moderation/communities/<id:community_id>/people/<id:user_id>/",
        views.person_detail,
        name="person",
    ),
    path(
        "moderation/communities/<id:community_id>/people/<id:user_id>/trust/",
        views.trust_set,
        name="trust-set",
    ),
    path(
        "moderation/communities/<id:community_id>/people/<id:user_id>/notes/",
        views.note_create,
        name="note-create",
    ),
    path(
        "moderation/communities/<id:community_id>/people/<id:user_id>/reveal/",
        identity_views.reveal_request_create,
        name="reveal",
    ),
    path("moderation/reveals/<id:reveal_id>/", identity_views.reveal_detail, name="reveal-detail"),
    path(
        "moderation/reveals/<id:reveal_id>/approve/",
        identity_views.reveal_approve,
        name="reveal-approve",
    ),
    path(
        "moderation/reveals/<id:reveal_id>/decline/",
        identity_views.reveal_decline,
        name="reveal-decline",
    ),
    path("moderation/reveals/<id:reveal_id>/show/", identity_views.reveal_show, name="reveal-show"),
    path("moderation/items/<id:item_id>/", views.item_detail, name="item-detail"),
    path("moderation/items/<id:item_id>/act/", views.item_act, name="item-act"),
    path(
        "moderation/items/<id:item_id>/reach-out/",
        views.item_reach_out,
        name="item-reach-out",
    ),
    path(
        "moderation/items/<id:item_id>/escalate/",
        escalation_views.item_escalate,
        name="item-escalate",
    ),
    path(
        "moderation/escalations/<id:item_id>/",
        escalation_views.escalation_detail,
        name="escalation-detail",
    ),
    path(
        "moderation/escalations/<id:item_id>/take-on/",
        escalation_views.escalation_acknowledge,
        name="escalation-acknowledge",
    ),
    path(
        "moderation/organisations/<id:organisation_id>/rota/",
        escalation_views.rota,
        name="rota",
    ),
    path(
        "moderation/organisations/<id:organisation_id>/rota/escalate-after/",
        escalation_views.rota_escalate_after,
        name="rota-escalate-after",
    ),
    path(
        "moderation/rota/<id:contact_id>/remove/", escalation_views.rota_remove, name="rota-remove"
    ),
    path("moderation/rota/<id:contact_id>/move/", escalation_views.rota_move, name="rota-move"),
    path("moderation/sanctions/<id:sanction_id>/lift/", views.sanction_lift, name="sanction-lift"),
    path(
        "moderation/watched-words/<id:word_id>/delete/",
        views.watched_word_delete,
        name="watched-word-delete",
    ),
    path("moderation/topics/<id:topic_id>/slow-mode/", views.slow_mode, name="slow-mode"),
    path(
        "moderation/posts/<id:post_id>/report/", views.PostReportView.as_view(), name="post-report"
    ),
    path("moderation/posts/<id:post_id>/outcome/", views.post_outcome, name="post-outcome"),
    path("moderation/messages/<id:message_id>/", views.message_detail, name="message-detail"),
]
