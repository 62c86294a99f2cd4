"""The owner's toolbox under /toolbox/, the care team's read-only pages under
/people/<owner_id>/<module>/ (the module part is the ``care.Module`` value, which the care app's
overview links to), and the crisis plan's service worker at the site root."""

from django.urls import path

from tandem.toolbox import views

app_name = "toolbox"

urlpatterns = [
    path("toolbox/", views.home, name="home"),
    path("toolbox/domains/", views.domain_list, name="domain-list"),
    path("toolbox/domains/<id:domain_id>/", views.domain_detail, name="domain-detail"),
    path("toolbox/domains/<id:domain_id>/remove/", views.domain_remove, name="domain-remove"),
    path("toolbox/status/", views.status, name="status"),
    path("toolbox/status/<id:rating_id>/delete/", views.rating_delete, name="rating-delete"),
    path("toolbox/deleted/<slug:kind>/<id:item_id>/", views.deleted, name="deleted"),
    path(
        "toolbox/deleted/<slug:kind>/<id:item_id>/undo/",
        views.deleted_undo,
        name="deleted-undo",
    ),
    path("toolbox/goals/", views.goal_list, name="goal-list"),
    path("toolbox/goals/create/", views.goal_create, name="goal-create"),
    path("toolbox/goals/<id:goal_id>/", views.goal_detail, name="goal-detail"),
    path("toolbox/goals/<id:goal_id>/edit/", views.goal_edit, name="goal-edit"),
    path("toolbox/goals/<id:goal_id>/delete/", views.goal_delete, name="goal-delete"),
    path("toolbox/goals/<id:goal_id>/comments/", views.goal_comment, name="goal-comment"),
    path("toolbox/steps/<id:step_id>/toggle/", views.step_toggle, name="step-toggle"),
    path("toolbox/steps/<id:step_id>/move/", views.step_move, name="step-move"),
    path("toolbox/steps/<id:step_id>/delete/", views.step_delete, name="step-delete"),
    path("toolbox/activities/", views.activity_list, name="activity-list"),
    path("toolbox/activities/<id:activity_id>/edit/", views.activity_edit, name="activity-edit"),
    path(
        "toolbox/activities/<id:activity_id>/delete/",
        views.activity_delete,
        name="activity-delete",
    ),
    path("toolbox/medications/", views.medication_list, name="medication-list"),
    path("toolbox/medications/create/", views.medication_create, name="medication-create"),
    path(
        "toolbox/medications/<id:medication_id>/edit/",
        views.medication_edit,
        name="medication-edit",
    ),
    path(
        "toolbox/medications/<id:medication_id>/stop/",
        views.medication_stop,
        name="medication-stop",
    ),
    path(
        "toolbox/medications/<id:medication_id>/delete/",
        views.medication_delete,
        name="medication-delete",
    ),
    path("toolbox/network/", views.network, name="network"),
    path("toolbox/network/<id:member_id>/edit/", views.network_edit, name="network-edit"),
    path("toolbox/network/<id:member_id>/delete/", views.network_delete, name="network-delete"),
    path("toolbox/crisis-plan/", views.crisis_plan, name="crisis-plan"),
    path("toolbox/crisis-plan/edit/", views.crisis_plan_edit, name="crisis-plan-edit"),
    path("toolbox/crisis-plan/print/", views.crisis_plan_print, name="crisis-plan-print"),
    path("toolbox/crisis-plan/offline/", views.crisis_plan_offline, name="crisis-plan-offline"),
    path(
        "crisis-plan-sw.js",
        views.crisis_plan_service_worker,
        name="crisis-plan-service-worker",
    ),
    path("toolbox/exercises/", views.exercise_list, name="exercise-list"),
    path(
        "toolbox/exercises/practice/<id:practice_id>/delete/",
        views.practice_delete,
        name="practice-delete",
    ),
    path("toolbox/exercises/<slug:slug>/", views.exercise_detail, name="exercise-detail"),
    path("toolbox/journal/", views.journal_list, name="journal-list"),
    path("toolbox/journal/create/", views.journal_create, name="journal-create"),
    path("toolbox/journal/<id:entry_id>/", views.journal_detail, name="journal-detail"),
    path("toolbox/journal/<id:entry_id>/edit/", views.journal_edit, name="journal-edit"),
    path("toolbox/journal/<id:entry_id>/delete/", views.journal_delete, name="journal-delete"),
    path("toolbox/journal/<id:entry_id>/share/", views.journal_share, name="journal-share"),
    path(
        "toolbox/journal/<id:entry_id>/unshare/<id:relationship_id>/",
        views.journal_unshare,
        name="journal-unshare",
    ),
    path("toolbox/journal/<id:entry_id>/comments/", views.journal_comment, name="journal-comment"),
    path(
        "toolbox/organisations/<id:org_id>/domains/",
        views.organisation_domains,
        name="organisation-domains",
    ),
    # The care team's read-only pages.
    path("people/<id:owner_id>/status/", views.shared_status, name="shared-status"),
    path("people/<id:owner_id>/goals/", views.shared_goals, name="shared-goals"),
    path(
        "people/<id:owner_id>/goals/<id:goal_id>/",
        views.shared_goal_detail,
        name="shared-goal-detail",
    ),
    path(
        "people/<id:owner_id>/goals/<id:goal_id>/comments/",
        views.shared_goal_comment,
        name="shared-goal-comment",
    ),
    path("people/<id:owner_id>/activities/", views.shared_activities, name="shared-activities"),
    path("people/<id:owner_id>/medications/", views.shared_medications, name="shared-medications"),
    path("people/<id:owner_id>/network/", views.shared_network, name="shared-network"),
    path("people/<id:owner_id>/crisis_plan/", views.shared_crisis_plan, name="shared-crisis-plan"),
    path("people/<id:owner_id>/exercises/", views.shared_exercises, name="shared-exercises"),
    path("people/<id:owner_id>/journal/", views.shared_journal, name="shared-journal"),
    path(
        "people/<id:owner_id>/journal/<id:entry_id>/",
        views.shared_journal_detail,
        name="shared-journal-detail",
    ),
    path(
        "people/<id:owner_id>/journal/<id:entry_id>/comments/",
        views.shared_journal_comment,
        name="shared-journal-comment",
    ),
]
