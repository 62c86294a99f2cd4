"""Where Tandem runs: the mode (``TANDEM_ENV``), its folders, and the helpers that read the
environment for every other settings module."""

from __future__ import annotations

import os
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets Django's generic classes (ModelForm[X], QuerySet[X]) be subscripted at run time.
django_stubs_ext.monkeypatch()

# settings/ is a package inside src/tandem: BASE_DIR is still the tandem package's folder.
BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent.parent

TANDEM_ENV = os.environ.get("TANDEM_ENV", "dev")
if TANDEM_ENV not in {"dev", "test", "prod"}:
    raise ImproperlyConfigured("TANDEM_ENV must be one of dev, test, prod.")
IS_PROD = TANDEM_ENV == "prod"
IS_TEST = TANDEM_ENV == "test"
# Where the SQLite file, collected static files and the crisis contacts' saved copy live.
DATA_DIR = Path(os.environ.get("TANDEM_DATA_DIR", PROJECT_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def required_in_prod(name: str, dev_default: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if IS_PROD:
        raise ImproperlyConfigured(f"{name} must be set when TANDEM_ENV=prod.")
    return dev_default
