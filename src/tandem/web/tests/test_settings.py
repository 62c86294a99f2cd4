"""Production settings refuse to start without secrets, and pass Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from django.test import Client

PROD_ENV = {
    "TANDEM_ENV": "prod",
    "SECRET_KEY": "kq3Vf9-Zp2Lr8Xw5Nc1Bt7Hy4Jd6Ms0Ge2Ru9Ia5Oe3Tb8Yc1Wn4Qh7Dl6Fj0Sx",
    "ALLOWED_HOSTS": "tandem.example.org",
    "TANDEM_ENCRYPTION_KEYS": "q8mH0m3Wv3Zm2k9wFh3d8v6a1lYb0pQ2r4s6t8u0w2E=",
    "EMAIL_HOST": "smtp.example.org",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"TANDEM_ENV", "DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean["TANDEM_DATA_DIR"] = os.path.join(tempfile.gettempdir(), "tandem-settings-test")
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "tandem.manage", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_checks() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "TANDEM_ENCRYPTION_KEYS", "EMAIL_HOST"]
)
def test_production_refuses_to_start_without_a_secret(missing: str) -> None:
    env = {key: value for key, value in PROD_ENV.items() if key != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_refuses_the_dev_secret_key() -> None:
    result = _manage("check", env={**PROD_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a long random value" in result.stderr


def test_demo_data_is_refused_in_production() -> None:
    result = _manage("seed_demo", env=PROD_ENV)
    assert result.returncode != 0
    assert "refuses to run" in result.stderr


@pytest.mark.django_db
def test_readyz_reports_the_database(client: Client) -> None:
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_readyz_says_degraded_when_redis_is_unreachable(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    # Redis is optional at run time: a proxy health check must not take the site out for it.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "redis": "degraded"},
    }


@pytest.mark.django_db
def test_readyz_says_unavailable_when_redis_is_required(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.TANDEM_REDIS_REQUIRED = True
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"


def test_a_sqlite_file_named_in_database_url_gets_wal_and_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without these, a server on a SQLite file given by URL answered "database is locked"."""
    path = tmp_path / "named.sqlite3"
    script = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = _manage("shell", "-c", script, env={"DATABASE_URL": f"sqlite:///{path}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["wal", "20000"]


@pytest.mark.parametrize(("switch", "expected"), [("", "True 5"), ("off", "None None")])
def test_postgresql_plans_each_query_once_per_connection_unless_switched_off(
    switch: str, expected: str
) -> None:
    """Prepared statements: planning cost PostgreSQL more than running the forum's queries.
    Only the settings are read here; no database is contacted."""
    script = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    env = {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    if switch:
        env["DATABASE_PREPARED_STATEMENTS"] = switch
    result = _manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_the_redis_channel_layer_fans_out_per_process_and_keeps_idle_connections() -> None:
    """Pub/Sub: one delivery per process for a group, not one per socket. redis-py 8 reads
    with a 5 s timeout unless told otherwise, which made idle sockets fail every few seconds."""
    from channels_redis.pubsub import RedisPubSubChannelLayer  # type: ignore[import-untyped]
    from django.utils.module_loading import import_string

    from tandem.settings import redis_channel_layer

    config = redis_channel_layer("redis://127.0.0.1:6379/0")
    (host,) = config["CONFIG"]["hosts"]
    # channels-redis's Pub/Sub layer, whose subscriptions survive Redis being away.
    assert config["BACKEND"] == "tandem.messaging.layer.RedisLayer"
    assert issubclass(import_string(config["BACKEND"]), RedisPubSubChannelLayer)
    assert host["socket_timeout"] >= 30
