from django.urls import path

from tandem.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.ThreadListView.as_view(), name="thread-list"),
    path("messages/new/", views.ThreadCreateView.as_view(), name="thread-create"),
    path("messages/away/", views.AwayEditView.as_view(), name="away-edit"),
    path("messages/<id:thread_id>/", views.ThreadDetailView.as_view(), name="thread-detail"),
    path(
        "messages/<id:thread_id>/reply/", views.MessageCreateView.as_view(), name="message-create"
    ),
    path(
        "messages/<id:thread_id>/<id:message_id>/edit/",
        views.MessageEditView.as_view(),
        name="message-edit",
    ),
    path(
        "messages/<id:thread_id>/<id:message_id>/withdraw/",
        views.MessageWithdrawView.as_view(),
        name="message-withdraw",
    ),
]
