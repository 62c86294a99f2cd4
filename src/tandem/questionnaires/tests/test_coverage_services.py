"""Questionnaire services at their edges: drafts kept once, double submits (one after the other
and at the same moment), notes over the limit, follow-ups recorded once, and schedules
removed."""

from __future__ import annotations

from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.questionnaires import services
from tandem.questionnaires.instruments import INSTRUMENTS
from tandem.questionnaires.models import (
    NOTE_MAX_LENGTH,
    FollowUpShown,
    Response,
    Schedule,
    Unit,
)
from tandem.questionnaires.tests.factories import answers_for, make_response

pytestmark = pytest.mark.django_db

PHQ9 = INSTRUMENTS["phq9"]


def test_a_draft_is_kept_once_and_only_with_the_instruments_items(service_user: User) -> None:
    services.save_draft(owner=service_user, instrument=PHQ9, answers={"1": 1, "nonsense": 3})
    draft = services.save_draft(owner=service_user, instrument=PHQ9, answers={"1": 2, "2": 0})
    assert Response.objects.get() == draft
    assert draft.submitted_at is None
    assert draft.answers == {"1": 2, "2": 0}


def test_submitting_turns_the_draft_into_the_response_and_a_resend_changes_nothing(
    service_user: User,
) -> None:
    draft = services.save_draft(owner=service_user, instrument=PHQ9, answers={"1": 1})
    answers = answers_for("phq9", 2)
    submitted = services.submit_response(
        owner=service_user, instrument=PHQ9, answers=answers, client_key="form-1"
    )
    again = services.submit_response(
        owner=service_user, instrument=PHQ9, answers=answers_for("phq9", 0), client_key="form-1"
    )
    assert submitted.pk == draft.pk
    assert again == submitted
    stored = Response.objects.get()
    assert stored.submitted_at is not None
    assert stored.answers == answers


def test_a_submit_racing_the_same_form_returns_the_response_the_other_stored(
    service_user: User,
) -> None:
    """Both requests found no response under the key; the second insert fails on the unique
    key (the database's constraint), and the one the first request stored is the answer."""
    answers = answers_for("phq9", 1)
    other = Response(
        owner=service_user,
        instrument="phq9",
        version=PHQ9.version,
        submitted_at=timezone.now(),
        client_key="form-1",
    )
    other.answers = answers

    def the_other_request_stores_it(*args: Any, **kwargs: Any) -> None:
        # Between this request's first look and its insert (full_clean runs in between).
        Response.objects.bulk_create([other])

    with mock.patch.object(Response, "full_clean", side_effect=the_other_request_stores_it):
        answer = services.submit_response(
            owner=service_user, instrument=PHQ9, answers=answers, client_key="form-1"
        )
    assert answer == Response.objects.get()
    assert answer.client_key == "form-1"


def test_an_over_long_note_is_refused_and_an_empty_one_is_never_shared(
    service_user: User,
) -> None:
    response = make_response(service_user)
    services.set_note(response=response, text="Slept badly all week", shared=True)
    with pytest.raises(ValidationError) as refused:
        services.set_note(response=response, text="x" * (NOTE_MAX_LENGTH + 1), shared=True)
    assert "note" in refused.value.message_dict
    response.refresh_from_db()
    assert (response.note, response.note_shared) == ("Slept badly all week", True)
    services.set_note(response=response, text="   ", shared=True)
    response.refresh_from_db()
    assert (response.note, response.note_shared) == ("", False)


def test_a_follow_up_is_recorded_once_and_each_action_only_the_first_time(
    service_user: User,
) -> None:
    response = make_response(service_user, value=3)
    first = services.record_follow_up(response=response, reasons=("item_9",))
    assert services.record_follow_up(response=response, reasons=("score",)) == first
    assert FollowUpShown.objects.get().reasons == "item_9"

    services.record_follow_up_action(response=response, action="plan")
    opened = FollowUpShown.objects.get().opened_plan_at
    services.record_follow_up_action(response=response, action="plan")
    services.record_follow_up_action(response=response, action="call")
    shown = FollowUpShown.objects.get()
    assert opened is not None
    assert shown.opened_plan_at == opened
    assert shown.called_at is not None


def test_an_action_on_a_response_without_a_follow_up_records_nothing(
    service_user: User,
) -> None:
    response = make_response(service_user)
    services.record_follow_up_action(response=response, action="call")
    assert not FollowUpShown.objects.exists()


def test_a_removed_schedule_sends_no_more_reminders(service_user: User) -> None:
    start = date(2026, 1, 5)
    services.set_schedule(
        owner=service_user, instrument=PHQ9, every=1, unit=Unit.WEEKS, starts_on=start
    )
    services.remove_schedule(owner=service_user, instrument=PHQ9)
    assert not Schedule.objects.exists()
    assert services.send_check_in_reminders(today=start) == 0
