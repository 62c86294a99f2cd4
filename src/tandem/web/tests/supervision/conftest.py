"""The supervision tests' seeded SQLite template (migrating is slow, so each module makes it once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.messaging.tests.servers import manage, seed, server_env


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A migrated SQLite data folder with Skylark (a service user), Pat (their provider) and a
    thread between them, logged in; each test copies it (migrating is slow)."""
    folder = tmp_path_factory.mktemp("supervision-template")
    env = server_env(
        TANDEM_DATA_DIR=str(folder / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(folder / "state" / "crisis-contacts.json"),
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    return folder / "data", seed(env)
