"""Pages, session, SQL per page and a profile for Tandem's forum benchmark (forum_vs_peer.sh).

    .venv/bin/python bench/forum_probe.py pages   OUT_DIR
    .venv/bin/python bench/forum_probe.py login   OUT_DIR BASE_URL
    .venv/bin/python bench/forum_probe.py queries OUT_DIR [--profile]

Run with the same environment as the server (the script exports it). ``pages`` writes
OUT_DIR/tandem-pages.tsv (name<TAB>path) for the data bench/forum_data.py made. ``login`` posts
allauth's login form (with its CSRF token) to the running server as the benchmark user and
writes the session cookie (``name=value``) to OUT_DIR/tandem-session.txt. ``queries`` counts the
SQL of each page with Django's test client and ``CaptureQueriesContext`` (the second visit: the
first one also records the day's visit), times 20 requests in-process, writes
OUT_DIR/tandem-queries.tsv (page, status, queries, bytes, median ms in-process) and
OUT_DIR/tandem-queries-sql.txt; with --profile, one cProfile per page in
OUT_DIR/tandem-profile-PAGE.txt.
"""

from __future__ import annotations

import cProfile
import http.client
import io
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

BENCH_EMAIL = "user00001@bench.tandem.test"
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - the synthetic account of forum_data.py
PAGES_FILE = "tandem-pages.tsv"


def _setup() -> None:
    import django

    django.setup()


def pages(out: Path) -> list[tuple[str, str]]:
    _setup()
    from tandem.forum.models import Category, Community, Topic

    community = Community.objects.get(organisation__slug="bench", slug="peer-support")
    category = Category.objects.filter(community=community, name="Anxiety").first() or (
        Category.objects.filter(community=community).order_by("pk").first()
    )
    short = Topic.objects.filter(community=community, reply_count=19).order_by("pk").first()
    usual = Topic.objects.filter(community=community, reply_count=49).order_by("pk").first()
    assert category and short and usual, "run bench/forum_data.py first"  # noqa: S101
    rows = [
        ("topic-20", f"/topics/{short.pk}/"),  # the peer's page size: a 20-post topic
        ("topic-50", f"/topics/{usual.pk}/"),  # Tandem's page size (50): a 50-post topic
        ("category", f"/categories/{category.pk}/"),  # 30 topics a page
        ("community", f"/communities/{community.pk}/"),  # categories + 10 recent topics
    ]
    (out / PAGES_FILE).write_text("".join(f"{n}\t{p}\n" for n, p in rows))
    return rows


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(out: Path, base: str) -> None:
    """Log in over HTTP exactly as a browser does: GET the form, POST it with the token."""
    split = urlsplit(base)
    conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=30)
    host = f"{split.hostname}:{split.port}"
    conn.request("GET", "/accounts/login/", headers={"Host": host})
    response = conn.getresponse()
    page = response.read().decode()
    assert response.status == 200, f"login page answered {response.status}"  # noqa: S101
    jar = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"  # noqa: S101
    body = urlencode(
        {"csrfmiddlewaretoken": token.group(1), "login": BENCH_EMAIL, "password": BENCH_PASSWORD}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Host": host,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"{base}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    jar.update(_cookies(response))
    session = [k for k in jar if "session" in k]
    assert response.status == 302 and session, (  # noqa: S101
        f"login failed: {response.status} {response.headers.get('Location')}"
    )
    cookie = f"{session[0]}={jar[session[0]]}"
    # The session must open a forum page logged in (anonymous visitors are sent to log in).
    conn.request("GET", "/communities/", headers={"Host": host, "Cookie": cookie})
    response = conn.getresponse()
    html = response.read().decode()
    logged_in = 'action="/accounts/logout/"' in html and "Peer support" in html
    assert response.status == 200 and logged_in, "session not accepted"  # noqa: S101
    (out / "tandem-session.txt").write_text(cookie + "\n")
    print(f"LOGIN ok cookie={session[0]}")


def queries(out: Path, profile: bool) -> None:
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tandem.accounts.models import User

    rows = [line.split("\t") for line in (out / PAGES_FILE).read_text().splitlines()]
    user = User.objects.get(email=BENCH_EMAIL)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    results = []
    with (out / "tandem-queries-sql.txt").open("w") as sql_file:
        for name, path in rows:
            client.get(path)  # warm-up: the first visit of the day also records it
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            # Read now: the next request resets the connection's query log.
            captured = list(ctx.captured_queries)
            assert response.status_code == 200, (name, response.status_code)  # noqa: S101
            timings = []
            for _n in range(20):
                t = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - t) * 1000)
            median_ms = statistics.median(timings)
            results.append(
                (name, response.status_code, len(captured), len(response.content), median_ms)
            )
            sql_file.write(f"### {name} {path} -> {len(captured)} queries\n")
            for query in captured:
                sql_file.write(f"[{query['time']}s] {query['sql'][:600]}\n")
            sql_file.write("\n")
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _n in range(5):
                    client.get(path)
                profiler.disable()
                text = io.StringIO()
                stats = pstats.Stats(profiler, stream=text).strip_dirs()
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(25)
                (out / f"tandem-profile-{name}.txt").write_text(
                    f"# 5 requests of {path}, in-process (test client)\n" + text.getvalue()
                )
    with (out / "tandem-queries.tsv").open("w") as f:
        for row in results:
            f.write("\t".join(str(x) for x in row[:4]) + f"\t{row[4]:.1f}\n")
    for name, status, count, size, ms in results:
        print(f"QUERIES page={name} status={status} queries={count} bytes={size} ms={ms:.1f}")


def main() -> None:
    command, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    if command == "pages":
        for name, path in pages(out):
            print(f"PAGE {name} {path}")
    elif command == "login":
        login(out, sys.argv[3].rstrip("/"))
    elif command == "queries":
        queries(out, "--profile" in sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
