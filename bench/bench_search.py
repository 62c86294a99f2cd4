"""Forum search under load, through the server on loopback: one request at a time and N at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench_search \\
        .venv/bin/python bench/bench_search.py [--label after] [--src DIR] \\
        [--connections 1,16] [--duration 15] [--query "panic attack" --query '"panic attack" -sleep']

The data come from bench/forum_data.py (run it first on the same database; the database's name
must contain "bench"). The script serves Tandem as bench/forum_load.sh does (granian WSGI, 2
workers of one Python thread, 127.0.0.1, TANDEM_ENV=prod with throwaway secrets, plain HTTP),
from ``--src`` (default: this tree's src/; give an exported copy of another commit to measure
"before"), logs the benchmark user in (bench/forum_probe.py login), then for each query and each
connection count: waits until the server is idle, notes the load average, runs a 3 s warm-up
(discarded) when more than one connection, then ``wrk -t1 -cN -dDURATION --latency``. Every
run is bounded by wrk's -d; only the server started here is stopped, by its PID.

The per-person search limit is switched off (TANDEM_SEARCHES_PER_MINUTE=0) unless
``--searches-per-minute`` is given: the load comes from one account (the limit itself is tested
in forum/tests/test_search_limits.py). The statement timeout
is the default unless TANDEM_SEARCH_TIMEOUT_MS is set. Each response is checked: 429s and
"Search is busy" pages (the timeout fired) are counted apart.

Results: WORKDIR/logs/search-LABEL-DATE/ (table.md, facts.txt, raw wrk output, granian.log).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable

# wrk: latency percentiles (p95 above all) and what the answers said, in one line after the run.
LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) busy = 0; limited = 0; other = 0 end
function response(status, headers, body)
  if status == 429 then limited = limited + 1
  elseif status ~= 200 then other = other + 1
  elseif body and string.find(body, "Search is busy", 1, true) then busy = busy + 1 end
end
function done(summary, latency, requests)
  local b, l, o = 0, 0, 0
  for _, t in ipairs(threads) do b = b + t:get("busy"); l = l + t:get("limited"); o = o + t:get("other") end
  local function ms(p) return latency:percentile(p) / 1000 end
  io.write(string.format("PCTL p50=%.1f p90=%.1f p95=%.1f p99=%.1f max=%.1f requests=%d busy=%d limited=%d other=%d\n",
    ms(50), ms(90), ms(95), ms(99), latency.max / 1000, summary.requests, b, l, o))
end
"""


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def server_env(database_url: str, src: Path, static: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tandem.settings",
        TANDEM_ENV="prod",
        DEBUG="0",
        SECRET_KEY="bench-throwaway-" + secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EMAIL_HOST="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        TANDEM_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        STATIC_ROOT=str(static),
        TANDEM_SEARCHES_PER_MINUTE="0",
        PYTHONPATH=str(src),
    )
    return env


def get(url: str, cookie: str = "", timeout: float = 30.0) -> tuple[int, str, float]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    return status, body, (time.perf_counter() - start) * 1000


def drain(base: str, most: float = 120.0) -> None:
    """Wait until /healthz answers within a second: the previous run's queue is empty."""
    until = time.monotonic() + most
    while time.monotonic() < until:
        try:
            if get(base + "/healthz", timeout=1.0)[0] == 200:
                return
        except OSError:
            pass
    log(f"WARNING: the server was still busy after {most:.0f} s")


def parse(raw: str) -> dict[str, float]:
    found = re.search(r"^PCTL (.*)$", raw, re.MULTILINE)
    if not found:
        return {}
    figures = {k: float(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", raw, re.MULTILINE)
    figures["rps"] = float(rps.group(1)) if rps else 0.0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", raw)
    figures["socket_errors"] = float(sum(int(n) for n in errors.groups())) if errors else 0.0
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="run")
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--connections", default="1,16")
    parser.add_argument("--duration", type=int, default=15, help="seconds per run")
    parser.add_argument("--query", action="append", dest="queries")
    parser.add_argument("--port", type=int, default=8096)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--searches-per-minute", default="0", help="TANDEM_SEARCHES_PER_MINUTE (0: no limit)"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tandem-search-bench"))  # noqa: S108
    args = parser.parse_args()
    queries = args.queries or ["panic attack"]
    connections = [int(n) for n in args.connections.split(",")]
    database_url = os.environ.get("DATABASE_URL", "")
    if "bench" not in urlsplit(database_url).path:
        sys.exit("DATABASE_URL must name a benchmark database (its name contains 'bench')")
    wrk = shutil.which("wrk")
    if not wrk:
        sys.exit("wrk is missing (Debian package wrk)")
    out = args.workdir / "logs" / f"search-{args.label}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    out.mkdir(parents=True)
    lua = out / "search.lua"
    lua.write_text(LUA)
    env = server_env(database_url, args.src.resolve(), args.workdir / "static")
    env["TANDEM_SEARCHES_PER_MINUTE"] = args.searches_per_minute
    subprocess.run(  # noqa: S603
        [PYTHON, "-m", "tandem.manage", "collectstatic", "--noinput", "-v0"], env=env, check=True
    )
    base = f"http://127.0.0.1:{args.port}"
    log(f"tandem from {args.src}: granian WSGI ({args.workers} workers) on {base}")
    with (out / "granian.log").open("w") as granian_log:
        server = subprocess.Popen(  # noqa: S603
            [
                *(PYTHON, "-m", "granian", "--interface", "wsgi", "--workers", str(args.workers)),
                *("--host", "127.0.0.1", "--port", str(args.port), "--blocking-threads", "1"),
                "tandem.wsgi:application",
            ],
            env=env,
            cwd=args.src.resolve().parent,
            stdout=granian_log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(120):
            try:
                if get(base + "/healthz", timeout=1.0)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                sys.exit(f"Tandem stopped (see {out}/granian.log)")
            time.sleep(0.5)
        probe = [PYTHON, str(HERE / "forum_probe.py"), "login", str(out), base]
        subprocess.run(probe, env=env, check=True)  # noqa: S603
        cookie = (out / "tandem-session.txt").read_text().strip()
        facts = [
            f"date: {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
            f"host: {os.cpu_count()} cores; load average before: {load_average()}",
            f"src: {args.src}; server: granian --interface wsgi --workers {args.workers} "
            "--blocking-threads 1 (TANDEM_ENV=prod, "
            f"TANDEM_SEARCHES_PER_MINUTE={args.searches_per_minute}, "
            f"TANDEM_SEARCH_TIMEOUT_MS={env.get('TANDEM_SEARCH_TIMEOUT_MS', 'default')})",
            f"database: {urlsplit(database_url).path.lstrip('/')}",
            f"load: per query and connection count wrk -t1 -cN -d{args.duration}s --timeout 10s "
            "--latency (3 s warm-up first when N > 1)",
        ]
        rows = [
            "| query | connections | req/s | p50 ms | p95 ms | p99 ms | requests | busy / 429 / "
            "other / socket errors | load average before |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for query in queries:
            url = f"{base}/communities/search/?{urlencode({'q': query})}"
            status, body, ms = get(url, cookie)
            found = re.search(r"(At least )?[\d,]+ posts? found", body)
            if status != 200 or 'action="/accounts/logout/"' not in body or not found:
                sys.exit(f"search for {query!r}: {status}, not logged in or nothing found")
            facts.append(f"query {query!r}: {found.group(0)}; first request {ms:.0f} ms")
            for n in connections:
                drain(base)
                load = load_average()
                log(f"{query!r}: {n} connection(s) for {args.duration} s (load {load})")
                command = [wrk, "-t1", f"-c{n}", "--timeout", "10s", "-H", f"Cookie: {cookie}"]
                if n > 1:
                    subprocess.run(  # noqa: S603
                        [*command, "-d3s", url], capture_output=True, check=False
                    )
                raw = subprocess.run(  # noqa: S603
                    [*command, f"-d{args.duration}s", "--latency", "-s", str(lua), url],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                slug = re.sub(r"\W+", "-", query).strip("-")
                (out / f"wrk-{slug}-c{n}.txt").write_text(raw)
                f = parse(raw)
                if not f:
                    rows.append(f"| {query} | {n} | none finished | | | | | | {load} |")
                    continue
                rows.append(
                    f"| {query} | {n} | {f['rps']:.1f} | {f['p50']:.0f} | {f['p95']:.0f} | "
                    f"{f['p99']:.0f} | {f['requests']:.0f} | {f['busy']:.0f} / "
                    f"{f['limited']:.0f} / {f['other']:.0f} / {f['socket_errors']:.0f} | {load} |"
                )
        facts.append(f"load average after: {load_average()}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    (out / "facts.txt").write_text("\n".join(facts) + "\n")
    (out / "table.md").write_text("\n".join(rows) + "\n")
    print("\n".join(facts))
    print("\n".join(rows))
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
