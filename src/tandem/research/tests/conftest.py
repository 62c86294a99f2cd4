"""Research fixtures: a study open today in the shared test organisation, and helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.research import services
from tandem.research.models import Study


@pytest.fixture(autouse=True)
def _events_written_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``core.usage`` writes after the commit, and a test's transaction never commits: here
    the write happens at the call, as it does outside a transaction (a page view)."""
    monkeypatch.setattr(
        "tandem.core.usage.transaction",
        SimpleNamespace(on_commit=lambda callback, **_kwargs: callback()),
    )


@pytest.fixture
def study(organisation: Organisation) -> Study:
    today = timezone.localdate()
    return Study.objects.create(
        organisation=organisation,
        title="How people use Tandem",
        purpose="To learn which parts help.",
        ethics_reference="REC 2026/1",
        collected="Which part of Tandem you used, the kind of action and the hour.",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=30),
    )


@pytest.fixture
def researcher(make_member: Callable[..., User]) -> User:
    return make_member(Role.RESEARCHER, totp=True, full_name="Rita Research", pseudonym="Rita")


@pytest.fixture
def consenting(make_member: Callable[..., User], study: Study) -> Callable[..., User]:
    """A person of ``role`` who consented to ``study``."""

    def make(role: str = Role.SERVICE_USER, **fields: object) -> User:
        user = make_member(role, **fields)
        services.give_consent(user=user, study=study, role=role)
        return user

    return make


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL run, without the savepoints a test's own transaction adds around each event (a
    page view outside a transaction runs none)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
