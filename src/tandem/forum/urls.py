from django.urls import path

from tandem.forum import views

app_name = "forum"

urlpatterns = [
    path("communities/", views.community_list, name="community-list"),
    path("communities/search/", views.search, name="search"),
    path("communities/drafts/", views.draft_list, name="draft-list"),
    path("communities/boundaries/", views.boundaries, name="boundaries"),
    path(
        "communities/boundaries/mutes/<int:mute_id>/delete/",
        views.mute_delete,
        name="mute-delete",
    ),
    path("communities/<int:community_id>/", views.community_detail, name="community-detail"),
    path("communities/<int:community_id>/join/", views.community_join, name="community-join"),
    path("communities/<int:community_id>/leave/", views.community_leave, name="community-leave"),
    path(
        "communities/<int:community_id>/topics/create/",
        views.topic_create,
        name="topic-create",
    ),
    path(
        "communities/<int:community_id>/topics/draft/",
        views.topic_draft_save,
        name="topic-draft-save",
    ),
    path("communities/<int:community_id>/circles/", views.circle_list, name="circle-list"),
    path("categories/<int:category_id>/", views.category_detail, name="category-detail"),
    path("categories/<int:category_id>/watch/", views.category_watch, name="category-watch"),
    path("topics/<int:topic_id>/", views.topic_detail, name="topic-detail"),
    path("topics/<int:topic_id>/reply/", views.topic_reply, name="topic-reply"),
    path("topics/<int:topic_id>/draft/", views.reply_draft_save, name="reply-draft-save"),
    path("topics/<int:topic_id>/watch/", views.topic_watch, name="topic-watch"),
    path("topics/<int:topic_id>/feature/", views.topic_feature, name="topic-feature"),
    path("topics/<int:topic_id>/visibility/", views.topic_visibility, name="topic-visibility"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post-delete"),
    path("posts/<int:post_id>/discard/", views.draft_discard, name="draft-discard"),
    path("posts/<int:post_id>/history/", views.post_history, name="post-history"),
    path("posts/<int:post_id>/react/", views.post_react, name="post-react"),
    path("posts/<int:post_id>/mute-author/", views.post_mute_author, name="post-mute-author"),
    path("circles/<int:circle_id>/", views.circle_detail, name="circle-detail"),
    path("circles/<int:circle_id>/add/", views.circle_add, name="circle-add"),
    path("circles/<int:circle_id>/leave/", views.circle_leave, name="circle-leave"),
]
