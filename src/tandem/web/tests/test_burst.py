"""The 50-person burst stays at 0 errors (issue 12): 50 people post at once through the real
server, and nothing fails, nothing is lost and nothing is stored twice.

A migrated SQLite data folder is seeded (in a subprocess, with the project's services and
factories) with 50 service users, each in an active care relationship with one of 5 providers
and a thread with them, and one community with one topic that all 50 have joined; each person
is logged in with ``force_login`` (a Django test client on the same file) and their session
cookie handed to the HTTP clients. Granian then serves it as ``manage.py serve`` does (WSGI, 2
workers, 4 Python threads each, ``--respawn-failed-workers``), on loopback.

For ``BURST_SECONDS``, 50 threads (one per person, plain ``http.client``, a new connection per
request) each do what a browser does, alternately on the topic and in their care thread: GET
the page, read the form's ``csrfmiddlewaretoken`` and fresh ``client_key`` (keeping the cookies
it sets), POST the reply with them. A dropped connection is retried once with the same form,
so the same key. Then:

* every GET answered 200 and every POST 302, so no 5xx (a locked SQLite database would show as
  the 503 outage page) and no connection error;
* each accepted post and message is stored exactly once (rows counted by ``client_key``, and
  the id the redirect names is that row's), keys that were refused stored nothing, and the
  topic and threads hold no other new rows. A server that stored a post without its key, or
  twice under two keys (a retry that takes a fresh key: the browser that reloads the form
  before sending again), fails the totals; one that lost a write after answering 302 fails
  the per-key count;
* the crisis page and the home page still answer 200.

The POSTs' p50/p99 latency is printed (``-s``). Bounded in time (SIGALRM, socket timeouts);
only processes started here are signalled.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tandem.messaging.tests.servers import free_port, manage, server_env
from tandem.web.tests.helpers_burst import (
    REQUEST_TIMEOUT_SECONDS,
    Browser,
    Tally,
    count,
    get_status,
    percentile,
    person_at_work,
    rows_by_key,
)
from tandem.web.tests.servers import granian

pytestmark = pytest.mark.fault

PEOPLE = 50
PROVIDERS = 5
BURST_SECONDS = 20  # CI time is limited: enough for several posts per person

SEED_SCRIPT = """
import json, sys
import django
django.setup()
from django.test import Client
from tandem.accounts.models import Role
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tandem.care.models import Agreement
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.forum import services as forum
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.messaging.tests.factories import thread_between
from tandem.moderation.models import CommunitySettings, PreModeration

people, providers = int(sys.argv[1]), int(sys.argv[2])
organisation = OrganisationFactory.create(name="Northside Test", slug="northside-test")
staff = []
for n in range(providers):
    provider = UserFactory.create(email=f"provider{n}@example.org", pseudonym=f"Provider {n}")
    MembershipFactory.create(user=provider, organisation=organisation, role=Role.PROVIDER)
    staff.append(provider)
community = CommunityFactory.create(organisation=organisation, name="Peer support")
# Room for the burst: the default limits (30 replies an hour, 10 a day for a new member, their
# first posts held) are for people, not for this test.
CommunitySettings.objects.create(
    community=community,
    premoderation=PreModeration.NONE,
    new_member_replies_per_day=30000,
    replies_per_hour=30000,
)
category = CategoryFactory.create(community=community, name="Everyday")
seeded = {"people": []}
for n in range(people):
    person = UserFactory.create(email=f"person{n}@example.org", pseudonym=f"Walker {n}")
    MembershipFactory.create(user=person, organisation=organisation, role=Role.SERVICE_USER)
    provider = staff[n % providers]
    relationship = CareRelationshipFactory.create(
        service_user=person, provider=provider, organisation=organisation
    )
    Agreement.objects.create(relationship=relationship, reply_within_days=2)
    thread = thread_between(person, provider, subject="How this week went")
    forum.join_community(
        user=person, community=community, accepted_version=community.code_of_conduct_version
    )
    client = Client()
    client.force_login(person)
    seeded["people"].append(
        {"id": person.pk, "thread": thread.pk, "session": client.cookies["sessionid"].value}
    )
first = seeded["people"][0]["id"]
topic = forum.create_topic(
    author=type(person).objects.get(pk=first),
    community=community,
    category=category,
    title="What helped this week",
    body="Share one small thing that helped.",
)
seeded["topic"] = topic.pk
print(json.dumps(seeded))
"""


def burst_env(folder: Path) -> dict[str, str]:
    """Production's code paths on SQLite: the database task backend (a notification queues its
    email as a row; test mode's immediate backend would send every email inside the request),
    DEBUG off, static files from the collected manifest."""
    return server_env(
        TANDEM_ENV="dev",
        DEBUG="off",
        TANDEM_DATA_DIR=str(folder / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(folder / "state" / "crisis-contacts.json"),
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A migrated, seeded SQLite data folder (static files collected in it); the test works on
    a copy."""
    folder = tmp_path_factory.mktemp("burst-template")
    env = burst_env(folder)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", SEED_SCRIPT, str(PEOPLE), str(PROVIDERS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stderr[-3000:]}")
    seeded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return folder / "data", seeded


# --- The burst -------------------------------------------------------------------------------


def test_fifty_people_posting_at_once_get_no_errors_and_lose_or_duplicate_nothing(
    tmp_path: Path, template: tuple[Path, dict[str, object]]
) -> None:
    data, seeded = template
    shutil.copytree(data, tmp_path / "data")
    env = burst_env(tmp_path)
    database = tmp_path / "data" / "tandem.sqlite3"
    people = seeded["people"]
    assert isinstance(people, list) and len(people) == PEOPLE
    topic = int(str(seeded["topic"]))
    threads = [int(person["thread"]) for person in people]
    posts_before = count(database, "SELECT COUNT(*) FROM forum_post WHERE topic_id = ?", topic)
    messages_before = count(database, "SELECT COUNT(*) FROM messaging_message")
    log = tmp_path / "server.log"

    tally = Tally()
    with granian("wsgi", env, log, port=free_port(), workers=2, blocking_threads=4) as server:
        host = f"{server.host}:{server.port}"
        browsers = [Browser(host, person, topic, tally) for person in people]
        start = threading.Barrier(PEOPLE + 1)
        deadline = [0.0]
        workers = [
            threading.Thread(target=person_at_work, args=(browser, start, deadline), daemon=True)
            for browser in browsers
        ]
        for worker in workers:
            worker.start()
        deadline[0] = time.monotonic() + BURST_SECONDS
        began = time.monotonic()
        start.wait(timeout=60)
        for worker in workers:
            # The last requests started before the deadline may take their full timeout.
            worker.join(timeout=BURST_SECONDS + 2 * REQUEST_TIMEOUT_SECONDS + 10)
            assert not worker.is_alive(), "a client is still waiting for an answer"
        took = time.monotonic() - began

        assert get_status(host, "/crisis/") == 200
        assert get_status(host, "/", {"sessionid": str(people[0]["session"])}) == 200
    server_log = log.read_text()

    posts = [sent for sent in tally.sent if sent.kind == "post"]
    messages = [sent for sent in tally.sent if sent.kind == "message"]
    seconds = tally.post_seconds
    print(  # noqa: T201 - the figures for the report
        f"\nburst: {PEOPLE} people, {took:.1f} s; requests {sum(tally.statuses.values())} "
        f"({len(tally.sent)} POSTs: {len(posts)} forum replies, {len(messages)} messages); "
        f"statuses {dict(sorted(tally.statuses.items()))}; dropped and retried {tally.dropped}; "
        f"failures {len(tally.failures)}; POST p50 {percentile(seconds, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(seconds, 0.99) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms"
    )

    assert "database is locked" not in server_log, server_log[-3000:]
    assert tally.failures == [], tally.failures[:10]
    assert set(tally.statuses) <= {("GET", 200), ("POST", 302)}, (
        tally.statuses,
        server_log[-3000:],
    )
    assert len(posts) >= PEOPLE and len(messages) >= PEOPLE, "the burst did not get going"

    for kind, table, anchor in (
        ("post", "forum_post", "#post-"),
        ("message", "messaging_message", "#message-"),
    ):
        stored = rows_by_key(database, table)
        for sent in (sent for sent in tally.sent if sent.kind == kind):
            ids = stored.get(sent.client_key, [])
            if sent.location is None:
                assert ids == [], f"a refused {kind} was stored: {sent}"
                continue
            assert len(ids) == 1, f"{kind} {sent.client_key} stored {len(ids)} times: {ids}"
            assert sent.location.endswith(f"{anchor}{ids[0]}"), (sent, ids)
    accepted_posts = len({sent.client_key for sent in posts if sent.location})
    accepted_messages = len({sent.client_key for sent in messages if sent.location})
    assert accepted_posts == len(posts) and accepted_messages == len(messages)
    # Nothing else was stored (a copy under another key, or without one).
    posts_after = count(database, "SELECT COUNT(*) FROM forum_post WHERE topic_id = ?", topic)
    assert posts_after - posts_before == accepted_posts
    messages_after = count(
        database,
        f"SELECT COUNT(*) FROM messaging_message WHERE thread_id IN ({','.join('?' * len(threads))})",  # noqa: S608 - placeholders only
        *threads,
    )
    assert messages_after - messages_before == accepted_messages
