"""Generate a Tandem forum community the size of the peer benchmark, fast, on PostgreSQL.

    .venv/bin/python bench/forum_data.py --posts 100000 --topics 2000 --users 5000
    .venv/bin/python bench/forum_data.py --reset ...        # drop the bench database first

It writes with ``bulk_create`` (and a few set-based UPDATEs), never through the services one
post at a time, but every row has the shape the services give it:

* users with a verified primary email (allauth), a ``service_user`` role in one organisation,
  a membership of the community with the current code of conduct accepted;
* topics in 10 categories, posts with ``body_html = render_markdown(body)`` stored at write
  time, ``published_at``, ``reply_count`` and ``last_posted_at`` kept as publishing keeps them;
* the full-text index: ``Post.search_vector`` with the SQL expression ``forum/search.py``
  writes (title weight A for opening posts, body weight B);
* what publishing and reading leave behind: a topic watch for every author in a topic, a
  "last read" marker per author at their last post, a community visit per author per posting
  day, reactions (0-5 per post, never on one's own post), and for the benchmark user
  (``user00001``) read markers on half of the topics and the reply notifications their watches
  produced (all read but the newest twelve). Notifications of the other 4,999 people are not
  generated (about 2.4 million rows that only the recipient's own index ever reaches).
* Risk screening: the text comes from the peer seed's vocabulary, which fires no rule. A sample
  of posts is screened (``--screen``) and the run stops if any rule fires, since services would
  then record decisions or hold posts. Pre-moderation of new members' first posts (the default
  community settings) is taken as done: every post is visible, as after moderators approved
  them; that moderation trail (decisions, resolved review items) is not generated, and no
  forum page reads it.

Sizes follow the peer seed (``/work/shared/bench/spirit/seed.py``): posts spread evenly over
topics, the same words and text length (gaussian, mean 400 characters, sd 40 %), topics
dated over 300 days of the past year, replies 1-600 minutes apart. One deviation: the first
topic has ``--short-topic-posts`` posts (20, the peer's page size; Tandem shows 50 per page)
and the second topic takes the posts it gives up, so the totals are unchanged.

Database: ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/tandem_bench``),
created if missing and migrated. Running again does nothing when the data are there; a
partly filled database needs ``--reset`` (which only drops databases whose name contains
"bench"). Prints ``TANDEM_SEED ...`` on success.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("TANDEM_ENV", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
os.environ.setdefault("SECRET_KEY", "tandem-forum-bench-not-secret-" + "x" * 40)

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - synthetic accounts on a local bench
ORG_SLUG = "bench"
COMMUNITY_SLUG = "peer-support"
BATCH = 2000

# The peer seed's vocabulary and category names (copied: importing seed.py sets Spirit up).
_VOCABULARY = (
    "the a and to of I it that is was for on in with my me but not have this so "
    "just be at like what do feel feeling felt today week day night sleep tired "
    "anxious anxiety worry worried calm breathe breathing talk talked friend family "
    "therapist therapy session group support thanks thank you really helped help "
    "hard difficult better worse again still trying try small steps walk outside "
    "journal writing morning evening work school job stress stressed panic attack "
    "low mood energy motivation routine eat meal water medication doctor appointment "
    "remember kind yourself proud progress setback okay alright hope hopeful lonely "
    "alone together listen heard understand same here too know how much time "
    "because when then after before about think thought maybe sometimes often never "
    "always people someone everyone nobody myself honest share sharing post reply "
    "advice tips grounding exercise five things see hear touch smell taste music"
)
WORDS = _VOCABULARY.split()
CATEGORY_NAMES = [
    "Anxiety", "Depression", "Loneliness", "Sleep", "Stress at work",
    "Relationships", "Grief and loss", "Self-care", "Recovery stories", "General chat",
    "Parenting", "Students", "Trauma", "Eating", "Mindfulness",
]  # fmt: skip
CODE_OF_CONDUCT = (
    "1. Be kind. Everyone here is finding their own way.\n"
    "2. Use your display name only.\n"
    "3. Talk about your own experience; no medical advice.\n"
    '4. If you are worried about your safety, use "Need help now?" at the top of every page.\n'
)


def log(message: str, started: float) -> None:
    print(f"  {message} ({time.time() - started:.1f}s)", flush=True)


def ensure_database(url: str, reset: bool) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if not cfg["ENGINE"].endswith("postgresql"):
        sys.exit("forum_data.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    admin = psycopg.connect(
        host=cfg.get("HOST") or "127.0.0.1",
        port=int(cfg.get("PORT") or 5432),
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            if "bench" not in name:
                sys.exit(f"--reset only drops databases whose name contains 'bench', not {name!r}")
            print(f"dropping database {name}", flush=True)
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            print(f"creating database {name}", flush=True)
            admin.execute(f'CREATE DATABASE "{name}"')


# --- text, as the peer seed makes it ---------------------------------------------------------


def make_text(rng: random.Random, text_mean: int) -> str:
    def sentence(lo: int = 4, hi: int = 16) -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice(".....?!")

    target = max(60, min(3 * text_mean, int(rng.gauss(text_mean, 0.4 * text_mean))))
    paras: list[str] = []
    cur: list[str] = []
    length = 0
    while length < target:
        s = sentence()
        cur.append(s)
        length += len(s) + 1
        if len(cur) >= rng.randint(3, 6):
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return "\n\n".join(paras)


def make_title(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 10))]
    words[0] = words[0].capitalize()
    return " ".join(words)[:150]


def _render(texts: list[str]) -> list[str]:
    from tandem.core.markdown import render_markdown

    return [str(render_markdown(text)) for text in texts]


# --- the generator ---------------------------------------------------------------------------


def seeded_state(posts_wanted: int) -> str:
    from tandem.accounts.models import Organisation
    from tandem.forum.models import Post

    if not Organisation.objects.filter(slug=ORG_SLUG).exists():
        return "empty"
    count = Post.objects.filter(topic__community__organisation__slug=ORG_SLUG).count()
    return "complete" if count == posts_wanted else f"partial ({count} posts)"


def generate(args: argparse.Namespace) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.postgres.search import SearchVector
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery, TextField, Value
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from tandem.accounts.models import Membership, Organisation, Role, User
    from tandem.forum.models import (
        Audience,
        Category,
        Community,
        CommunityMember,
        Post,
        Reaction,
        ReactionKind,
        Topic,
        TopicRead,
        Visibility,
        Watch,
    )
    from tandem.forum.selectors import COMMUNITY_SCOPE
    from tandem.moderation import screening
    from tandem.moderation.models import CommunityVisit
    from tandem.notifications.models import Notification

    # Historical dates: auto_now_add would stamp every row "now" (this process only).
    for model, name in (
        (Post, "created_at"),
        (Topic, "created_at"),
        (CommunityMember, "joined_at"),
        (Reaction, "created_at"),
        (Membership, "created_at"),
        (Notification, "created_at"),
    ):
        model._meta.get_field(name).auto_now_add = False  # type: ignore[union-attr]

    t0 = time.time()
    rng = random.Random(args.seed)
    now = timezone.now()
    start = now - timedelta(days=365)
    n_users, n_topics, n_posts = args.users, args.topics, args.posts
    if n_posts < n_topics:
        sys.exit("--posts must be at least --topics (every topic has its opening post)")

    # People --------------------------------------------------------------------------------
    password = make_password(BENCH_PASSWORD)  # hashed once (Argon2), shared by every account
    with transaction.atomic():
        organisation = Organisation.objects.create(name="Bench Trust", slug=ORG_SLUG)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"user{i:05d}@bench.tandem.test",
                    pseudonym=f"user{i:05d}",
                    password=password,
                    date_joined=start + timedelta(minutes=i),
                )
                for i in range(n_users)
            ],
            batch_size=BATCH,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=u,
                    organisation=organisation,
                    role=Role.SERVICE_USER,
                    created_at=u.date_joined,
                )
                for u in users
            ],
            batch_size=BATCH,
        )
        community = Community.objects.create(
            organisation=organisation,
            name="Peer support",
            slug=COMMUNITY_SLUG,
            description="Peer support for people who use the Bench Trust's services.",
            audience=Audience.MIXED,
            code_of_conduct=CODE_OF_CONDUCT,
        )
        CommunityMember.objects.bulk_create(
            [
                CommunityMember(
                    community=community,
                    user=u,
                    accepted_conduct_version=community.code_of_conduct_version,
                    joined_at=u.date_joined,
                )
                for u in users
            ],
            batch_size=BATCH,
        )
        names = [
            CATEGORY_NAMES[i % len(CATEGORY_NAMES)] + ("" if i < len(CATEGORY_NAMES) else f" {i}")
            for i in range(args.categories)
        ]
        categories = Category.objects.bulk_create(
            [
                Category(
                    community=community,
                    name=name,
                    description=f"Peer support: {name.lower()}",
                    position=i,
                )
                for i, name in enumerate(names)
            ]
        )
    log(f"people: {n_users} users, members of '{community.name}'", t0)
    user_ids = [u.pk for u in users]
    pseudonym = {u.pk: u.pseudonym for u in users}
    bench_user = users[1] if n_users > 1 else users[0]

    # Posts per topic: the peer's even spread, but topic 0 is short (the 20-post page).
    base, extra = divmod(n_posts, n_topics)
    per_topic = [base + (1 if i < extra else 0) for i in range(n_topics)]
    short = args.short_topic_posts
    if short and n_topics > 1 and per_topic[0] > short:
        per_topic[1] += per_topic[0] - short
        per_topic[0] = short

    pool = ProcessPoolExecutor(max_workers=args.jobs) if args.jobs > 1 else None
    reply_title = _("%(name)s replied to “%(topic)s”")
    counts: dict[str, int] = defaultdict(int)
    bench_watch_since: dict[int, datetime] = {}  # topic id -> when the bench user began watching
    bench_notifications: list[Notification] = []
    screened = 0
    chunk = max(1, args.chunk_topics)
    for first in range(0, n_topics, chunk):
        idx = range(first, min(first + chunk, n_topics))
        topics: list[Topic] = []
        texts: list[list[str]] = []
        dates: list[list[datetime]] = []
        authors: list[list[int]] = []
        for i in idx:
            t_date = start + timedelta(seconds=rng.randint(0, 300 * 24 * 3600))
            author = rng.choice(user_ids)
            d = t_date
            t_dates, t_texts, t_authors = [], [], []
            for j in range(per_topic[i]):
                if j:
                    d = d + timedelta(minutes=rng.randint(1, 600))
                t_dates.append(d)
                t_texts.append(make_text(rng, args.text_mean))
                t_authors.append(author if j == 0 else rng.choice(user_ids))
            topics.append(
                Topic(
                    community=community,
                    category=categories[i % len(categories)],
                    author_id=author,
                    title=make_title(rng),
                    visibility=Visibility.COMMUNITY,
                    created_at=t_date,
                    last_posted_at=d,
                    reply_count=per_topic[i] - 1,
                )
            )
            texts.append(t_texts)
            dates.append(t_dates)
            authors.append(t_authors)
        flat = [text for t_texts in texts for text in t_texts]
        # Screening: services screen every post (an opening post with its title); this
        # vocabulary fires no rule, which a sample (or --screen all) confirms.
        if args.screen != "none":
            screen_texts = [
                f"{topic.title}\n{text}" if j == 0 else text
                for topic, t_texts in zip(topics, texts, strict=True)
                for j, text in enumerate(t_texts)
            ]
            left = len(screen_texts) if args.screen == "all" else args.screen_sample - screened
            sample = screen_texts[: max(0, left)]
            for text in sample:
                fired = screening.screen(text).fired
                if fired:
                    sys.exit(
                        f"screening rule {fired[0].id} fired on generated text; services would "
                        "record it (or hold the post): change the vocabulary"
                    )
            screened += len(sample)
        if pool is not None:
            size = max(1, len(flat) // (args.jobs * 4))
            parts = [flat[k : k + size] for k in range(0, len(flat), size)]
            html = [h for part in pool.map(_render, parts) for h in part]
        else:
            html = _render(flat)

        with transaction.atomic():
            Topic.objects.bulk_create(topics, batch_size=BATCH)
            posts: list[Post] = []
            k = 0
            for topic, t_texts, t_dates, t_authors in zip(
                topics, texts, dates, authors, strict=True
            ):
                for j, (text, d, author) in enumerate(
                    zip(t_texts, t_dates, t_authors, strict=True)
                ):
                    posts.append(
                        Post(
                            topic=topic,
                            author_id=author,
                            is_opening=j == 0,
                            body=text,
                            body_html=html[k],
                            created_at=d,
                            published_at=d,
                        )
                    )
                    k += 1
            Post.objects.bulk_create(posts, batch_size=BATCH)

            reactions: list[Reaction] = []
            watches: dict[tuple[int, int], None] = {}
            reads: dict[tuple[int, int], datetime] = {}
            visits: set[tuple[int, date]] = set()
            kinds = list(ReactionKind)
            for post in posts:
                topic_id, author = post.topic_id, post.author_id
                published = post.published_at
                assert published is not None  # noqa: S101 - set above
                given: set[tuple[int, str]] = set()
                for _n in range(rng.randint(0, 5)):
                    who = rng.choice(user_ids)
                    kind = rng.choice(kinds)
                    if who == author or (who, kind) in given:
                        continue
                    given.add((who, kind))
                    reactions.append(
                        Reaction(
                            post=post,
                            user_id=who,
                            kind=kind,
                            created_at=published + timedelta(minutes=rng.randint(1, 2880)),
                        )
                    )
                # create_topic / reply_to_topic: the author watches the topic; the page they
                # are sent to afterwards marks it read; the visit counts towards trust.
                watches[(author, topic_id)] = None
                reads[(author, topic_id)] = published
                visits.add((author, published.date()))
                # _notify_reply: watchers other than the author hear of a reply.
                if (
                    not post.is_opening
                    and topic_id in bench_watch_since
                    and author != bench_user.pk
                ):
                    bench_notifications.append(
                        Notification(
                            recipient=bench_user,
                            actor_id=author,
                            kind="forum.reply",
                            title=(
                                reply_title % {"name": pseudonym[author], "topic": post.topic.title}
                            )[:200],
                            url=reverse("forum:topic-detail", kwargs={"topic_id": topic_id})
                            + f"#post-{post.pk}",
                            scope_type=COMMUNITY_SCOPE,
                            scope_id=community.pk,
                            created_at=published,
                        )
                    )
                if author == bench_user.pk and topic_id not in bench_watch_since:
                    bench_watch_since[topic_id] = published
            # The benchmark user has read half of the topics, some before their last replies.
            for topic, t_dates in zip(topics, dates, strict=True):
                if rng.random() < 0.5 and (bench_user.pk, topic.pk) not in reads:
                    reads[(bench_user.pk, topic.pk)] = rng.choice(t_dates)
            Reaction.objects.bulk_create(reactions, batch_size=BATCH)
            Watch.objects.bulk_create(
                [Watch(user_id=u, topic_id=t) for (u, t) in watches], batch_size=BATCH
            )
            TopicRead.objects.bulk_create(
                [TopicRead(user_id=u, topic_id=t, last_read_at=at) for (u, t), at in reads.items()],
                batch_size=BATCH,
            )
            CommunityVisit.objects.bulk_create(
                [CommunityVisit(community=community, user_id=u, day=day) for u, day in visits],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
        counts["topics"] += len(topics)
        counts["posts"] += len(posts)
        counts["reactions"] += len(reactions)
        counts["watches"] += len(watches)
        counts["reads"] += len(reads)
        log(f"topics {counts['topics']}/{n_topics}, posts {counts['posts']}", t0)
    if pool is not None:
        pool.shutdown()

    # Notifications of the benchmark user: read, except the newest twelve.
    bench_notifications.sort(key=lambda n: n.created_at)
    for notification in bench_notifications[:-12]:
        notification.read_at = notification.created_at + timedelta(hours=1)
    Notification.objects.bulk_create(bench_notifications, batch_size=BATCH)
    log(f"notifications of {bench_user.pseudonym}: {len(bench_notifications)}", t0)

    # The search index, with the expression forum/search.py's index_post writes.
    body_vector = SearchVector("body", weight="B", config="english")
    in_community = Post.objects.filter(topic__community=community, is_draft=False)
    in_community.filter(is_opening=False).update(
        search_vector=SearchVector(
            Value("", output_field=TextField()), weight="A", config="english"
        )
        + body_vector
    )
    title = Subquery(Topic.objects.filter(pk=OuterRef("topic_id")).values("title")[:1])
    in_community.filter(is_opening=True).update(
        search_vector=SearchVector(title, weight="A", config="english") + body_vector
    )
    log("search index filled", t0)

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    log("vacuum analyze + checkpoint", t0)
    print(
        f"TANDEM_SEED users={n_users} topics={counts['topics']} categories={len(categories)} "
        f"posts={counts['posts']} reactions={counts['reactions']} watches={counts['watches']} "
        f"reads={counts['reads']} bench_user={bench_user.email} seconds={time.time() - t0:.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=100000, help="including opening posts")
    parser.add_argument("--categories", type=int, default=10)
    parser.add_argument("--text-mean", type=int, default=400)
    parser.add_argument("--short-topic-posts", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--jobs", type=int, default=2, help="processes rendering Markdown")
    parser.add_argument("--chunk-topics", type=int, default=200)
    parser.add_argument("--screen", choices=["sample", "all", "none"], default="sample")
    parser.add_argument("--screen-sample", type=int, default=2000)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"], args.reset)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    state = seeded_state(args.posts)
    if state == "complete":
        print("TANDEM_SEED already there (use --reset to generate again)", flush=True)
        return
    if state != "empty":
        sys.exit(f"the bench database is {state}: run again with --reset")
    generate(args)


if __name__ == "__main__":
    main()
