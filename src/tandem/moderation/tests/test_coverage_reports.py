"""Reporting a post: a regular's report of harm weighs more, and a double click that races
past the check for an earlier report still leaves one report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest

from tandem.accounts.models import User
from tandem.forum.models import Topic
from tandem.forum.tests.conftest import reply
from tandem.moderation import services
from tandem.moderation.models import Report, ReportReason, ReviewItem, Risk
from tandem.moderation.tests.conftest import trusted
from tandem.moderation.trust import TrustLevel

pytestmark = pytest.mark.django_db


def test_a_regulars_report_of_harm_goes_one_step_higher_but_not_their_spam_report(
    member: Callable[..., User], otter: User, topic: Topic
) -> None:
    regular = trusted(member(), topic.community, TrustLevel.REGULAR)
    harmful = reply(otter, topic, "Something unkind.")
    services.report_post(reporter=regular, post=harmful, reason=ReportReason.HARMFUL)
    assert ReviewItem.objects.get(post=harmful).risk == Risk.HIGH  # medium, one step up
    spam = reply(otter, topic, "Buy my things.")
    services.report_post(reporter=regular, post=spam, reason=ReportReason.SPAM)
    assert ReviewItem.objects.get(post=spam).risk == Risk.LOW
    # A newcomer's report of the same kind stays where the reason puts it.
    other = reply(otter, topic, "Something else unkind.")
    services.report_post(reporter=member(), post=other, reason=ReportReason.HARMFUL)
    assert ReviewItem.objects.get(post=other).risk == Risk.MEDIUM


def test_a_double_click_that_races_the_first_report_keeps_one_report(
    skylark: User, otter: User, topic: Topic
) -> None:
    post = reply(otter, topic, "Something unkind.")
    validate = Report.full_clean

    def first_click_lands_meanwhile(report: Report, *args: Any, **kwargs: Any) -> None:
        # The other request's report is saved between this one's checks and its save.
        validate(report, *args, **kwargs)
        Report.objects.create(
            item=report.item, post=post, reporter=skylark, reason=ReportReason.SPAM
        )

    with mock.patch.object(
        Report, "full_clean", autospec=True, side_effect=first_click_lands_meanwhile
    ):
        result = services.report_post(
            reporter=skylark, post=post, reason=ReportReason.HARASSMENT, text="Again"
        )
    assert result.updated is True
    assert result.report.pk == Report.objects.get(post=post, reporter=skylark).pk
    assert Report.objects.filter(post=post).count() == 1
