from django.urls import path

from tandem.forum import views
from tandem.forum.views.circles import circle_end
from tandem.forum.views.profiles import member_profile

app_name = "forum"

urlpatterns = [
    path("communities/", views.community_list, name="community-list"),
    path("communities/search/", views.search, name="search"),
    path("communities/drafts/", views.draft_list, name="draft-list"),
    path("communities/boundaries/", views.BoundariesView.as_view(), name="boundaries"),
    path(
        "communities/boundaries/mutes/<id:mute_id>/delete/",
        views.mute_delete,
        name="mute-delete",
    ),
    path("communities/<id:community_id>/", views.community_detail, name="community-detail"),
    path(
        "communities/<id:community_id>/join/",
        views.CommunityJoinView.as_view(),
        name="community-join",
    ),
    path("communities/<id:community_id>/leave/", views.community_leave, name="community-leave"),
    path(
        "communities/<id:community_id>/people/<str:key>/",
        member_profile,
        name="member-profile",
    ),
    path(
        "communities/<id:community_id>/topics/create/",
        views.TopicCreateView.as_view(),
        name="topic-create",
    ),
    path(
        "communities/<id:community_id>/topics/draft/",
        views.topic_draft_save,
        name="topic-draft-save",
    ),
    path(
        "communities/<id:community_id>/circles/", views.CircleListView.as_view(), name="circle-list"
    ),
    path("categories/<id:category_id>/", views.category_detail, name="category-detail"),
    path("categories/<id:category_id>/watch/", views.category_watch, name="category-watch"),
    path("topics/<id:topic_id>/", views.topic_detail, name="topic-detail"),
    path("topics/<id:topic_id>/reply/", views.topic_reply, name="topic-reply"),
    path("topics/<id:topic_id>/draft/", views.reply_draft_save, name="reply-draft-save"),
    path("topics/<id:topic_id>/watch/", views.topic_watch, name="topic-watch"),
    path("topics/<id:topic_id>/feature/", views.topic_feature, name="topic-feature"),
    path("topics/<id:topic_id>/visibility/", views.topic_visibility, name="topic-visibility"),
    path("posts/<id:post_id>/edit/", views.PostEditView.as_view(), name="post-edit"),
    path("posts/<id:post_id>/delete/", views.post_delete, name="post-delete"),
    path("posts/<id:post_id>/discard/", views.draft_discard, name="draft-discard"),
    path("posts/<id:post_id>/history/", views.post_history, name="post-history"),
    path("posts/<id:post_id>/react/", views.post_react, name="post-react"),
    path("posts/<id:post_id>/mute-author/", views.post_mute_author, name="post-mute-author"),
    path("circles/<id:circle_id>/", views.circle_detail, name="circle-detail"),
    path("circles/<id:circle_id>/add/", views.circle_add, name="circle-add"),
    path("circles/<id:circle_id>/leave/", views.circle_leave, name="circle-leave"),
    path("circles/<id:circle_id>/end/", circle_end, name="circle-end"),
]
