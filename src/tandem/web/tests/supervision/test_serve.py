"""``manage.py serve`` supervises its children (issue 12): its escalation sweep, task worker and
pages server are killed; each comes back within seconds while the pages keep answering; a child
that keeps dying is stopped instead of spinning; SIGTERM stops everything; every documented
granian server respawns failed workers.

SQLite in a temporary folder (a migrated, seeded template copied per test), loopback only,
every test bounded in time (SIGALRM and timeouts); only processes started here are signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path

import pytest

from tandem.web.management.commands.serve import CrashLoop, Supervisor
from tandem.web.tests.servers import (
    alive,
    children,
    command_line,
    descendants,
    free_port_pair,
    started,
    wait_for_http,
    wait_until,
)
from tandem.web.tests.supervision.helpers import (
    assert_still_serving,
    copy_env,
    sessions,
)

ROOT = Path(__file__).resolve().parents[5]


# --- manage.py serve: supervision ------------------------------------------------------------

MARKERS = {
    "pages (WSGI)": "tandem.wsgi:application",
    "websockets (ASGI)": "tandem.asgi:application",
    "background tasks": " db_worker ",
    "escalation sweep": " escalate_overdue ",
}


def serve_children(serve: int) -> dict[str, int] | None:
    """serve's four children by name, once they are all there."""
    found = {}
    for pid in children(serve):
        line = command_line(pid) + " "
        for name, marker in MARKERS.items():
            if marker in line:
                found[name] = pid
    return found if len(found) == len(MARKERS) else None


def all_gone(pids: Iterable[int]) -> bool:
    return not any(alive(pid) for pid in pids)


def replaced(
    serve: subprocess.Popen[bytes], log: Path, name: str, old: int
) -> dict[str, int] | None:
    """serve's children once ``name`` runs again in a process other than ``old``."""
    if serve.poll() is not None:
        raise AssertionError(f"serve stopped (exit {serve.returncode}):\n{log.read_text()[-3000:]}")
    found = serve_children(serve.pid)
    return found if found and found[name] != old else None


@pytest.mark.fault
def test_serve_restarts_a_child_that_dies_and_keeps_serving(
    tmp_path: Path, template: tuple[Path, dict[str, object]]
) -> None:
    data, seeded = template
    # Development mode, as `make run`: the task worker needs the database task backend (test
    # mode runs tasks at once and db_worker refuses to start).
    env = copy_env(tmp_path, data, TANDEM_ENV="dev")
    session = sessions(seeded)["skylark"]
    port = free_port_pair()
    host = f"127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "tandem.manage", "serve", "--port", str(port)]
    with started(command, env, log) as serve:
        wait_for_http("127.0.0.1", port, serve, log)
        first: dict[str, int] = wait_until(
            lambda: serve_children(serve.pid), timeout=30, what="serve's four children"
        )

        timings = {}
        for name in ("escalation sweep", "background tasks", "pages (WSGI)"):
            victim = first[name]
            orphans = children(victim)  # granian's workers, for the pages
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            back: dict[str, int] = wait_until(
                partial(replaced, serve, log, name, victim),
                timeout=20,
                what=f"serve to start {name} again",
            )
            timings[name] = time.monotonic() - killed_at
            # A killed granian main process leaves its workers behind: serve kills them, so
            # that no stale worker keeps serving beside the new server.
            wait_until(
                partial(all_gone, orphans),
                timeout=10,
                what=f"the workers left behind by {name}",
            )
            wait_for_http("127.0.0.1", port, serve, log)
            assert_still_serving(host, session)
            assert serve.poll() is None
            first = back
        assert all(seconds < 15 for seconds in timings.values()), timings
        text = log.read_text()
        for name in timings:
            assert f"serve: {name} stopped unexpectedly (killed by SIGKILL)" in text, text[-3000:]
            assert f"serve: {name} started again" in text

        # SIGTERM (what a process manager sends; Ctrl-C is the same) stops everything.
        everything = descendants(serve.pid)
        assert len(everything) >= 4 + 2  # four children, granian's workers
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0, log.read_text()[-3000:]
        wait_until(
            partial(all_gone, everything),
            timeout=10,
            what="every process serve started to stop",
        )
    assert "Tandem stopped." in log.read_text()
    print(f"restart times: {timings}")  # noqa: T201 - timings for the report


def test_serve_stops_a_child_that_keeps_dying_instead_of_spinning() -> None:
    lines: list[str] = []
    supervisor = Supervisor(
        {
            "flaky": [sys.executable, "-c", "import sys; sys.exit(3)"],
            "steady": [sys.executable, "-c", "import time; time.sleep(120)"],
        },
        env=dict(os.environ),
        log=lines.append,
        first_delay=0.05,
        loop_exits=5,
        loop_seconds=60,
    )
    supervisor.start()
    steady = supervisor.pids()["steady"]
    try:
        with pytest.raises(CrashLoop, match=r"flaky stopped 5 times within 60 s \(last: exit 3\)"):
            supervisor.run(lambda: False)
    finally:
        supervisor.stop(timeout=5)
    assert not alive(steady)
    restarts = [line for line in lines if "stopped unexpectedly" in line]
    assert [line.rsplit(" in ", 1)[1] for line in restarts] == [
        "0.05 s.",
        "0.1 s.",
        "0.2 s.",
        "0.4 s.",
    ]
    assert sum("flaky started again" in line for line in lines) == 4
    assert not any("steady" in line for line in lines)


def test_every_documented_granian_server_respawns_failed_workers() -> None:
    """The commands an operator copies (docs/operations.md, the Procfile) respawn workers, and
    the Procfile shown in the docs is the one in the repository."""
    operations = (ROOT / "docs" / "operations.md").read_text()
    procfile = (ROOT / "Procfile").read_text()
    for name, text in (("operations.md", operations), ("Procfile", procfile)):
        commands = [line for line in text.splitlines() if "-m granian " in line]
        assert commands, name
        for line in commands:
            assert "--respawn-failed-workers" in line, f"{name}: {line}"
    processes = [line for line in procfile.splitlines() if line and not line.startswith("#")]
    assert [line.split(":", 1)[0] for line in processes] == [
        "web",
        "websockets",
        "tasks",
        "sweep",
        "datarights",
        "retention",
        "reviews",
        "checkins",
        "purge",
        "courses",
        "unanswered",
    ]
    for line in processes:
        assert f"\n{line}\n" in operations, f"docs/operations.md does not show: {line}"
