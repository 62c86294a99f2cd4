"""How much the moderation screen adds to posting a 2,000-character reply.

Run: ``TANDEM_ENV=test .venv/bin/python bench/bench_screening.py [repeats]`` (a throwaway
SQLite test database is created and dropped). Prints, as medians:

1. ``screen()`` alone on a 2,000-character reply: benign, one that fires a reminder rule, one
   written with letter-spacing and leetspeak (the slower normalisation paths), and a Norwegian
   one (every language's rules run on every post), as median and 99th percentile;
2. the time spent inside the moderation hooks of ``reply_to_topic`` (the one-query snapshot
   for limits, mutes and slow mode; watched words; the screen; its ScreeningDecision rows),
   which is what moderation adds to posting, and ``reply_to_topic`` end to end with the hooks
   and with pass-throughs (noisier: it includes the rest of posting).

Not part of the test suite: the figures depend on the machine. Budget: under 5 ms added.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
os.environ.setdefault("TANDEM_ENV", "test")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from tandem.moderation import posting, screening  # noqa: E402

_BENIGN = (
    "Tonight was hard again but I tried the breathing exercise and walked to the shop with my "
    "sister. I could kill for a coffee now, this week is killing me, but small steps count. "
)
_RISKY = _BENIGN + "I used to self-harm and some nights I still think about it. "
_OBFUSCATED = _BENIGN + "i w a n t  t o  d i e, k1ll mys3lf tonite, @Otter says hi!! sooo tired. "
_NORWEGIAN = (
    "I kveld var det tungt igjen, men jeg gikk en tur med søsteren min og pustet rolig. "
    "Denne uka tar livet av meg, men små steg teller. Jeg skadet meg selv før, ikke nå. "
)


def text_of(seed: str, length: int = 2000) -> str:
    return (seed * (length // len(seed) + 1))[:length]


def timings_ms(run: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def median_ms(run: Callable[[], object], repeats: int) -> float:
    return statistics.median(timings_ms(run, repeats))


def bench_screen(repeats: int) -> None:
    screening.screen("warm up")  # rules load once per process; not part of a post's cost
    cases = (
        ("benign", _BENIGN),
        ("fires a rule", _RISKY),
        ("letter-spaced and leetspeak", _OBFUSCATED),
        ("Norwegian", _NORWEGIAN),
    )
    for name, seed in cases:
        times = timings_ms(functools.partial(screening.screen, text_of(seed)), repeats)
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        print(
            f"screen() on a 2,000-character reply ({name}): "
            f"median {statistics.median(times) * 1000:.0f} µs, p99 {p99 * 1000:.0f} µs"
        )


def bench_reply(repeats: int) -> None:
    from tandem.accounts.models import Membership, Organisation, Role, User
    from tandem.forum import services
    from tandem.forum.models import Category, Community
    from tandem.moderation.models import CommunitySettings, PreModeration

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    community = Community.objects.create(
        organisation=organisation, name="Bench", slug="bench", code_of_conduct="Be kind."
    )
    CommunitySettings.objects.create(
        community=community,
        premoderation=PreModeration.NONE,
        new_member_replies_per_day=10_000,
        replies_per_hour=10_000,
        new_member_topics_per_day=100,
    )
    category = Category.objects.create(community=community, name="Bench")
    people = []
    for n in range(2):
        user = User.objects.create_user(f"bench{n}@example.org", pseudonym=f"Bench{n}")
        Membership.objects.create(user=user, organisation=organisation, role=Role.SERVICE_USER)
        services.join_community(user=user, community=community, accepted_version=1)
        people.append(user)
    topic = services.create_topic(
        author=people[0], community=community, category=category, title="Bench", body="Hello"
    )
    topic.community = community
    body = text_of(_RISKY)

    def post(text: str) -> None:
        # The topic's author replies, so no watcher is notified: the figure is about posting.
        services.reply_to_topic(author=people[0], topic=topic, body=text)

    real = (posting.check_before_publish, posting.screen_published_post)
    inside: list[float] = []

    def timed(hook: Callable[..., Any]) -> Callable[..., Any]:
        def run(**kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return hook(**kwargs)
            finally:
                inside[-1] += (time.perf_counter() - start) * 1000

        return run

    def passthrough_check(**kwargs: Any) -> posting.Prepared:
        return posting.Prepared(body=str(kwargs["body"]))

    def passthrough_screen(**kwargs: Any) -> posting.ScreenOutcome:
        return posting.ScreenOutcome(held=False, high_risk=False, remind=False)

    for name, seed in (("benign", _BENIGN), ("fires a reminder rule", _RISKY)):
        body = text_of(seed)
        inside.clear()
        with_hooks: list[float] = []
        without: list[float] = []
        for _ in range(repeats):  # interleaved, so a growing topic weighs on both alike
            posting.check_before_publish = timed(real[0])
            posting.screen_published_post = timed(real[1])
            inside.append(0.0)
            with_hooks.append(median_ms(functools.partial(post, body), 1))
            posting.check_before_publish = passthrough_check
            posting.screen_published_post = passthrough_screen
            without.append(median_ms(functools.partial(post, body), 1))
        posting.check_before_publish, posting.screen_published_post = real
        a, b = statistics.median(with_hooks), statistics.median(without)
        print(f"2,000-character reply, {name}:")
        print(f"  time inside the moderation hooks (median): {statistics.median(inside):.2f} ms")
        print(f"  reply_to_topic with / without the hooks:   {a:.2f} / {b:.2f} ms")
    print("Budget: moderation adds under 5 ms to a reply.")


def main() -> None:
    import logging

    logging.disable(logging.INFO)
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    bench_screen(repeats * 5)
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bench_reply(repeats)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
