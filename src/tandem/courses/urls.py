from django.urls import path

from tandem.courses import views

app_name = "courses"

urlpatterns = [
    path("courses/", views.course_list, name="course-list"),
    path("courses/create/", views.CourseCreateView.as_view(), name="course-create"),
    path("courses/calendar/", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("courses/feed/<str:token>.ics", views.feed, name="feed"),
    path("courses/<id:course_id>/", views.course_detail, name="course-detail"),
    path("courses/<id:course_id>/edit/", views.CourseEditView.as_view(), name="course-edit"),
    path("courses/<id:course_id>/enrol/", views.course_enrol, name="course-enrol"),
    path("courses/<id:course_id>/leave/", views.course_leave, name="course-leave"),
    path("courses/<id:course_id>/invite/", views.course_invite, name="course-invite"),
    path(
        "courses/<id:course_id>/requests/<id:enrolment_id>/",
        views.enrolment_answer,
        name="enrolment-answer",
    ),
    path(
        "courses/<id:course_id>/sessions/<str:session>/",
        views.session_cancel,
        name="session-cancel",
    ),
    path("courses/<id:course_id>/facilitators/", views.facilitator_add, name="facilitator-add"),
    path(
        "courses/<id:course_id>/topics/<id:topic_id>/delete/",
        views.topic_delete,
        name="topic-delete",
    ),
    path("courses/<id:course_id>/topics/add/", views.TopicEditView.as_view(), name="topic-add"),
    path(
        "courses/<id:course_id>/topics/<id:topic_id>/edit/",
        views.TopicEditView.as_view(),
        name="topic-edit",
    ),
    path("courses/<id:course_id>/dashboard/", views.course_dashboard, name="course-dashboard"),
    path("courses/<id:course_id>/calendar.ics", views.course_calendar, name="course-calendar"),
]
