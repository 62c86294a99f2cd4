"""What the research event log costs a page view (issue 20).

Serves Tandem over HTTP on loopback (one thread, a throwaway SQLite file) and times the same
toolbox page (``/toolbox/goals/``) for three people, round after round in turns:

- *not taking part*: a service user who never consented (the session says so, no query);
- *taking part*: a service user who consented to an open study (one ``INSERT … SELECT``);

each with research's writer registered and, as if research were not installed, without it
("no sink"): the difference for the same person is what logging costs them.

It also times the writer alone (``research.sink.write_event``), without HTTP. Prints the median
and the 90th percentile of each, and checks that each page view of the person taking part
wrote exactly one event. Bounded: at most 2,000 rounds, 30 s a request.

Run: ``TANDEM_ENV=test .venv/bin/python bench/bench_usage.py [--rounds 300]``. Not part of the
test suite: the figures depend on the machine (docs/performance.md, "Research event log").
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

_TMP = tempfile.mkdtemp(prefix="bench-usage-")
os.environ.setdefault("TANDEM_ENV", "test")
os.environ["DATABASE_URL"] = f"sqlite:///{Path(_TMP) / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from tandem.accounts.models import Membership, Organisation, Role, User  # noqa: E402
from tandem.core import usage  # noqa: E402
from tandem.research import services, sink  # noqa: E402
from tandem.research.models import ResearchEvent, Study  # noqa: E402

PAGE = "/toolbox/goals/"
MAX_ROUNDS = 2000


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _setup() -> tuple[User, User, Study]:
    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench", slug="bench")
    people = []
    for name in ("absent", "present"):
        user = User.objects.create_user(email=f"{name}@example.org", password=None, pseudonym=name)
        Membership.objects.create(user=user, organisation=organisation, role=Role.SERVICE_USER)
        people.append(user)
    today = timezone.localdate()
    study = Study.objects.create(
        organisation=organisation,
        title="Bench",
        purpose="Timing.",
        ethics_reference="none",
        collected="The hour.",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    services.give_consent(user=people[1], study=study, role=Role.SERVICE_USER)
    return people[0], people[1], study


def _session_cookie(user: User) -> str:
    """Sign in as the portal does (``user_logged_in`` marks whether they take part)."""
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def _timer(port: int, cookie: str) -> Callable[[], float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get() -> float:
        start = time.perf_counter()
        connection.request("GET", PAGE, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            sys.exit(f"{PAGE} answered {response.status}")
        connection.close()  # wsgiref answers HTTP/1.0: one connection a request
        return elapsed

    return get


def _summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p90 = statistics.quantiles(ms, n=10, method="inclusive")[-1]
    return f"{name:<26} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms   n={len(ms)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    rounds = max(10, min(args.rounds, MAX_ROUNDS))
    absent, present, _study = _setup()

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    cases = {
        "not taking part, no sink": _timer(port, _session_cookie(absent)),
        "not taking part": _timer(port, _session_cookie(absent)),
        "taking part, no sink": _timer(port, _session_cookie(present)),
        "taking part": _timer(port, _session_cookie(present)),
    }
    for get in cases.values():  # warm up: templates, caches, the first connection
        for _ in range(5):
            get()
    before = ResearchEvent.objects.count()
    times: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases)
    rng = random.Random(args.seed)
    for _ in range(rounds):
        rng.shuffle(order)  # in turns, so drift on a busy machine falls on every case alike
        for name in order:
            if name.endswith("no sink"):
                usage.unregister_sink(sink.write_event)
            try:
                times[name].append(cases[name]())
            finally:
                usage.register_sink(sink.write_event)
    written = ResearchEvent.objects.count() - before  # the sink was off for half of them
    server.shutdown()

    writes = []
    before = ResearchEvent.objects.count()
    event = usage.UsageEvent(
        user_id=present.pk, module="toolbox", action=usage.Action.VISIT, page="goal-list"
    )
    for _ in range(rounds):
        start = time.perf_counter()
        sink.write_event(event)
        writes.append(time.perf_counter() - start)

    if ResearchEvent.objects.count() - before != rounds:
        sys.exit("write_event did not write one event a call")
    print(
        f"{rounds} rounds of GET {PAGE}, loopback, SQLite ({settings.DATABASES['default']['NAME']})"
    )
    for name in cases:
        print(_summary(name, times[name]))
    print(_summary("write_event alone", writes))

    def cost(name: str) -> float:
        return statistics.median(times[name]) - statistics.median(times[f"{name}, no sink"])

    print(f"logging costs, taking part:     {cost('taking part') * 1000:+.2f} ms (median)")
    print(f"logging costs, not taking part: {cost('not taking part') * 1000:+.2f} ms (median)")
    print(
        f"events written by the page views of the person taking part: {written} (expected {rounds})"
    )
    if written != rounds:
        sys.exit("not one event per page view")
    shutil.rmtree(_TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
