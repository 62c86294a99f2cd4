"""The live-messaging fault tests' seeded SQLite folder (migrating is slow, so each module makes
it once and each test works on a copy)."""

from __future__ import annotations

import pytest

from tandem.messaging.tests.live_faults.helpers import Seeded
from tandem.messaging.tests.servers import manage, seed, server_env


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """A migrated and seeded data folder (Skylark, Pat, a thread) that each test copies."""
    folder = tmp_path_factory.mktemp("live-faults")
    env = server_env(
        TANDEM_DATA_DIR=str(folder / "data"),
        TANDEM_CRISIS_CACHE_FILE=str(folder / "crisis-contacts.json"),
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    data = seed(env)
    sessions = data["sessions"]
    assert isinstance(sessions, dict)
    return Seeded(
        folder / "data", int(str(data["thread"])), {k: str(v) for k, v in sessions.items()}
    )
