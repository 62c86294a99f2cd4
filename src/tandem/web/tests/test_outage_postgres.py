"""A PostgreSQL outage for real: a granian WSGI server in a subprocess loses its database.

A throwaway cluster (``initdb``/``pg_ctl`` from /usr/lib/postgresql/*/bin) on a free loopback
port is stopped with ``pg_ctl stop -m immediate`` (a crash) and started again. Skipped, saying
why, when the binaries are absent. The shared server on 5432 is never used.

Every test is bounded in time (SIGALRM) and stops everything it started.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tandem.messaging.tests.servers import free_port, granian, server_env
from tandem.web.tests.helpers_outage import (
    EDIT_SCRIPT,
    before_outage,
    check_outage,
    check_recovered,
    prepare,
    run_script,
    saved_file,
)

pytestmark = pytest.mark.fault


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            return Path(folder)
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    return None


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int
    user: str | None  # run the server as this user (initdb refuses to run as root)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/tandem"

    def run(self, tool: str, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 - fixed argv
            [str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            user=self.user,
            cwd=self.folder,
        )
        if result.returncode != 0:
            log = self.folder / "postgres.log"
            detail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{result.stderr}\n{detail}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self.run(
            "pg_ctl",
            *("-D", str(self.folder / "data"), "-l", str(self.folder / "postgres.log")),
            *("-o", options, "-w", "-t", "60", "start"),
        )

    def stop(self) -> None:
        # immediate: the way a crash or a pulled cable looks to the page workers.
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: PostgreSQL outage skipped")
    user = None
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user: initdb cannot run")
        user = "postgres"
    # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="tandem-outage-pg-"))
    if user is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
    cluster = Cluster(binaries, folder, free_port(), user)
    started = False
    try:
        cluster.run(
            "initdb",
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        cluster.start()
        started = True
        import psycopg

        admin = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute("CREATE DATABASE tandem")
        yield cluster
    finally:
        if started:
            with_status = subprocess.run(  # noqa: S603 - fixed argv
                [str(binaries / "pg_ctl"), "-D", str(folder / "data"), "status"],
                capture_output=True,
                timeout=30,
                check=False,
                user=user,
            )
            if with_status.returncode == 0:
                cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_postgres_stopped_crisis_page_200_other_pages_503(tmp_path: Path) -> None:
    with postgres_cluster() as cluster:
        env = server_env(
            DATABASE_URL=cluster.url,
            TANDEM_DATA_DIR=str(tmp_path / "data"),
            TANDEM_CRISIS_CACHE_FILE=str(tmp_path / "state" / "crisis-contacts.json"),
        )
        seeded = prepare(env)
        with granian("wsgi", free_port(), env, tmp_path / "server.log") as host:
            visitor = before_outage(host, str(seeded["session"]))
            run_script(env, EDIT_SCRIPT)
            assert "Northside night line" in json.dumps(saved_file(env))

            cluster.stop()
            check_outage(host, visitor, first="person")

            cluster.start()
            check_recovered(host, visitor)
