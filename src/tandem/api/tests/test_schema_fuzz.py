"""Schemathesis against the generated OpenAPI schema, in-process through Django's WSGI
application (no network): for every operation, generated requests (valid and not) never get a
5xx, and every answer matches the schema (status codes, content type, body).

Bounded for CI: 300 requests over all operations (about 20 s), no shrinking, no example
database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import token_for
from tandem.care.models import CareRelationship, Level, Module
from tandem.forum.models import Category
from tandem.forum.tests.conftest import join, make_topic
from tandem.messaging.tests.factories import MessageFactory, thread_between
from tandem.notifications.services import notify
from tandem.toolbox.tests.factories import GoalFactory, JournalEntryFactory

EXAMPLES = 300


@pytest.fixture
def _connection_kept_open() -> Iterator[None]:
    """As Django's test client does for its requests: the WSGI handler's request signals would
    close the test's database connection (it is inside the test's transaction, so it looks
    unusable to them), and on PostgreSQL every later request then finds it closed."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def _no_rate_limit() -> Iterator[None]:
    """Hundreds of requests a minute with one token: the API's own limit would answer most of
    them 429 (in the schema, but nothing learnt). ``test_throttling.py`` tests the limit."""
    with override_settings(TANDEM_API_REQUESTS_PER_MINUTE=0):
        yield


@pytest.fixture
def secret(
    _connection_kept_open: None,
    _no_rate_limit: None,
    relationship: CareRelationship,
    grant: Callable[..., Any],
    member: Callable[..., User],
    category: Category,
) -> str:
    """A service user with something in each part, so generated ids sometimes find data."""
    owner = relationship.service_user
    grant(relationship, Module.GOALS, Level.COMMENT)
    GoalFactory.create(owner=owner)
    JournalEntryFactory.create(owner=owner)
    thread = thread_between(owner, relationship.provider)
    MessageFactory.create(thread=thread, body="Hello")
    notify(recipient=owner, kind="test", url="/toolbox/", title="Hi")
    make_topic(member(Role.SERVICE_USER), category)
    join(owner, category.community)
    return token_for(owner)


# Loaded when the module is collected (the schema view reads no database). Schemathesis's
# fixture-based loader does not work with pytest 9, hence not ``from_fixture``.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# What the issue asks of the API: no 5xx, and answers as the schema says; and requests the
# schema forbids are refused (4xx). Not "every schema-valid request is accepted": domain rules
# (a body of only spaces, a missing questionnaire item, an id that is not yours) are 4xx by
# design and are not all expressible in a schema.
CHECKS = [
    getattr(st_checks, name)
    for name in (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    )
]

# One test over all operations (valid and invalid requests mixed), so the data it needs is set
# up once: a test per operation paid that setup twenty times over.
ANY_REQUEST = st.one_of(
    schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
)


@pytest.mark.django_db
@given(case=ANY_REQUEST)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_without_5xx_and_as_its_schema_says(
    case: Any, secret: str
) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)


def test_keys_are_uuids_in_the_schema() -> None:
    """Idempotency keys are typed, so a client learns their form from the schema."""
    from tandem.api.main import api

    document = api.get_openapi_schema()
    message_in = document["components"]["schemas"]["MessageIn"]["properties"]["client_key"]
    assert message_in["format"] == "uuid"
