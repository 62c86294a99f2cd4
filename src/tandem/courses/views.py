"""Course pages: the list, a course and its schedule, enrolling and leaving, the facilitator's
forms and dashboard, and the calendars. Each view passes a gate (``courses.access``), calls
one service or selector, and responds."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from tandem.accounts.requests import current_user
from tandem.core.forms import attach_service_error
from tandem.courses import access, calendar, charts, selectors, services
from tandem.courses.access import CourseAccess
from tandem.courses.forms import CourseForm, FacilitatorForm, InviteForm, TopicForm
from tandem.courses.models import Course, CourseTopic


def course_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    context = {
        "lines": selectors.course_list(user),
        "can_create": bool(access.organisations_for_facilitator(user)),
    }
    return render(request, "courses/course_list.html", context)


def _render_course(
    request: HttpRequest, found: CourseAccess, *, status: int = 200, **extra: object
) -> HttpResponse:
    page = selectors.course_page(found)
    invite_form = extra.pop("invite_form", None)
    facilitator_form = extra.pop("facilitator_form", None)
    if found.is_facilitator and invite_form is None:
        invite_form = InviteForm(people=selectors.people_to_invite(found.course))
    if found.is_facilitator and facilitator_form is None:
        facilitator_form = FacilitatorForm(people=selectors.possible_facilitators(found.course))
    context = {
        "page": page,
        "course": found.course,
        "now": timezone.now(),
        "zone": found.course.zone.key,
        "invite_form": invite_form,
        "facilitator_form": facilitator_form,
        **extra,
    }
    return render(request, "courses/course_detail.html", context, status=status)


def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    return _render_course(request, access.get_course_access(current_user(request), course_id))


class CourseCreateView(View):
    """A new course: its schedule, places and moderation; topics come next."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        organisation = access.organisation_for_new_course(current_user(request))
        form = CourseForm(zone=ZoneInfo(organisation.time_zone))
        return _render_course_form(request, form, None)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        organisation = access.organisation_for_new_course(user)
        form = CourseForm(request.POST, zone=ZoneInfo(organisation.time_zone))
        if form.is_valid():
            try:
                course = services.create_course(
                    facilitator=user, organisation=organisation, schedule=form.schedule()
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Course created. Now add its topics."))
                return redirect("courses:course-detail", course_id=course.pk)
        return _render_course_form(request, form, None, status=400)


class CourseEditView(View):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = access.get_course_for_facilitator(current_user(request), course_id).course
        form = CourseForm(initial=CourseForm.initial_for(course), zone=course.zone)
        return _render_course_form(request, form, course)

    def post(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = access.get_course_for_facilitator(current_user(request), course_id).course
        form = CourseForm(request.POST, zone=course.zone)
        if form.is_valid():
            try:
                services.update_course(course=course, schedule=form.schedule())
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Course saved."))
                return redirect("courses:course-detail", course_id=course.pk)
        return _render_course_form(request, form, course, status=400)


def _render_course_form(
    request: HttpRequest, form: CourseForm, course: Course | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "courses/course_form.html", {"form": form, "course": course}, status=status
    )


@require_POST
def course_enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    user = current_user(request)
    found = access.get_course_access(user, course_id)
    try:
        enrolment = services.enrol(user=user, course=found.course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("courses:course-detail", course_id=course_id)
    messages.success(
        request,
        {
            "enrolled": _("You are enrolled. The course board is open to you."),
            "waiting": _("The course is full: you are on the waiting list."),
            "requested": _("Your request was sent to the facilitators."),
        }.get(enrolment.state, _("Saved.")),
    )
    return redirect("courses:course-detail", course_id=course_id)


@require_POST
def course_leave(request: HttpRequest, course_id: int) -> HttpResponse:
    user = current_user(request)
    found = access.get_course_access(user, course_id)
    services.leave(user=user, course=found.course)
    messages.success(request, _("You have left the course."))
    return redirect("courses:course-detail", course_id=course_id)


@require_POST
def course_invite(request: HttpRequest, course_id: int) -> HttpResponse:
    user = current_user(request)
    found = access.get_course_for_facilitator(user, course_id)
    form = InviteForm(request.POST, people=selectors.people_to_invite(found.course))
    if form.is_valid():
        try:
            services.invite(course=found.course, facilitator=user, user=form.cleaned_data["person"])
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Invitation sent."))
            return redirect("courses:course-detail", course_id=course_id)
    return _render_course(request, found, status=400, invite_form=form)


@require_POST
def facilitator_add(request: HttpRequest, course_id: int) -> HttpResponse:
    found = access.get_course_for_facilitator(current_user(request), course_id)
    form = FacilitatorForm(request.POST, people=selectors.possible_facilitators(found.course))
    if form.is_valid():
        try:
            services.add_facilitator(course=found.course, user=form.cleaned_data["person"])
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Facilitator added."))
            return redirect("courses:course-detail", course_id=course_id)
    return _render_course(request, found, status=400, facilitator_form=form)


@require_POST
def topic_delete(request: HttpRequest, course_id: int, topic_id: int) -> HttpResponse:
    course = access.get_course_for_facilitator(current_user(request), course_id).course
    try:
        services.delete_topic(topic=selectors.topic_on(course, topic_id))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Topic removed."))
    return redirect("courses:course-detail", course_id=course_id)


@require_POST
def enrolment_answer(request: HttpRequest, course_id: int, enrolment_id: int) -> HttpResponse:
    found = access.get_course_for_facilitator(current_user(request), course_id)
    enrolment = selectors.request_on(found.course, enrolment_id)
    try:
        if request.POST.get("answer") == "approve":
            services.approve(course=found.course, enrolment=enrolment)
        else:
            services.decline(course=found.course, enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("courses:course-detail", course_id=course_id)


@require_POST
def session_cancel(request: HttpRequest, course_id: int, session: str) -> HttpResponse:
    found = access.get_course_for_facilitator(current_user(request), course_id)
    if session not in ("opening", "closing"):
        raise Http404
    cancelled = request.POST.get("cancelled") == "1"
    services.set_session_cancelled(course=found.course, session=session, cancelled=cancelled)
    messages.success(request, _("Session cancelled.") if cancelled else _("Session restored."))
    return redirect("courses:course-detail", course_id=course_id)


class TopicEditView(View):
    """Add a day's topic, or change one (``topic_id``)."""

    http_method_names = ["get", "post"]

    def get(
        self, request: HttpRequest, course_id: int, topic_id: int | None = None
    ) -> HttpResponse:
        course = access.get_course_for_facilitator(current_user(request), course_id).course
        topic = selectors.topic_on(course, topic_id) if topic_id else None
        initial: dict[str, object] = {"day": selectors.next_free_day(course)}
        if topic is not None:
            initial = {
                "day": topic.day,
                "question": topic.question,
                "reading": topic.reading,
                "invited": list(topic.invited.all()),
            }
        form = TopicForm(initial=initial, professionals=selectors.professionals_for(course))
        return self._render(request, course, topic, form)

    def post(
        self, request: HttpRequest, course_id: int, topic_id: int | None = None
    ) -> HttpResponse:
        user = current_user(request)
        course = access.get_course_for_facilitator(user, course_id).course
        topic = selectors.topic_on(course, topic_id) if topic_id else None
        form = TopicForm(request.POST, professionals=selectors.professionals_for(course))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_topic(
                    course=course,
                    facilitator=user,
                    day=data["day"],
                    question=data["question"],
                    reading=data["reading"],
                    invited=list(data["invited"]),
                    topic=topic,
                )
            except ValidationError as error:
                attach_service_error(form, error)
            else:
                messages.success(request, _("Topic saved."))
                return redirect("courses:course-detail", course_id=course.pk)
        return self._render(request, course, topic, form, status=400)

    @staticmethod
    def _render(
        request: HttpRequest,
        course: Course,
        topic: CourseTopic | None,
        form: TopicForm,
        status: int = 200,
    ) -> HttpResponse:
        context = {"course": course, "topic": topic, "form": form}
        return render(request, "courses/topic_form.html", context, status=status)


def course_dashboard(request: HttpRequest, course_id: int) -> HttpResponse:
    found = access.get_course_for_facilitator(current_user(request), course_id)
    board = selectors.dashboard(found.course)
    context = {
        "course": found.course,
        "board": board,
        "chart": charts.participation_chart(board.days),
    }
    return render(request, "courses/course_dashboard.html", context)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A calendar is personal: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def course_calendar(request: HttpRequest, course_id: int) -> HttpResponse:
    found = access.get_course_for_participant(current_user(request), course_id)
    course = found.course
    url = request.build_absolute_uri(reverse("courses:course-detail", args=[course.pk]))
    body = calendar.build_calendar(
        [(course, selectors.topics_of(course), url)],
        domain=request.get_host(),
        name=_("Tandem course"),
    )
    return _ics(body, f"tandem-course-{course.pk}.ics")


class CalendarFeedView(View):
    """My secret calendar address: make a new one (shown once), or revoke it."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, token=None)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = current_user(request)
        if request.POST.get("action") == "revoke":
            services.revoke_feed(user=user)
            messages.success(request, _("Your calendar address no longer works."))
            return redirect("courses:calendar-feed")
        token = services.create_feed(user=user)
        # Shown in this response only (the address is not kept, only its hash); not a
        # redirect, so it never sits in a URL or the session.
        return self._render(request, token=token)

    @staticmethod
    def _render(request: HttpRequest, *, token: str | None) -> HttpResponse:
        user = current_user(request)
        address = (
            request.build_absolute_uri(reverse("courses:feed", kwargs={"token": token}))
            if token
            else None
        )
        context = {"address": address, "has_feed": selectors.has_feed(user)}
        response = render(request, "courses/calendar_feed.html", context)
        response["Cache-Control"] = "private, no-store"
        return response


@login_not_required
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal calendar at its secret address (no login: calendar apps cannot)."""
    user = selectors.feed_owner(token)
    if user is None:
        raise Http404
    courses = [
        (
            course,
            topics,
            request.build_absolute_uri(reverse("courses:course-detail", args=[course.pk])),
        )
        for course, topics in selectors.courses_for_feed(user)
    ]
    body = calendar.build_calendar(courses, domain=request.get_host(), name=_("Tandem courses"))
    return _ics(body, "tandem-courses.ics")
