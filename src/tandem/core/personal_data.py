"""Where each app says what personal data it holds: for a person's export and for erasure.

An app registers one ``PersonalDataSource`` from its ``AppConfig.ready()``. The data rights
app (``tandem.datarights``) reads the registry when it builds an export (one JSON file per
source, described in the export's README) and when it erases an account (each source's
``erase`` runs, in ``order``, before the person's row is deleted and its foreign keys
cascade). It lives in core so that any app, at any layer, can register without importing the
app that uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

# What an exporter returns: plain JSON values (dicts, lists, strings, numbers, booleans).
ExportData = dict[str, Any]


@dataclass(frozen=True)
class Erasure:
    """One account being erased, as the erasers see it.

    ``keep_forum_posts``: the person chose to leave their forum posts, anonymised, as
    ``replacement_name``. ``pseudonym`` and ``email`` are what must not remain anywhere.
    """

    user: AbstractBaseUser
    pseudonym: str
    email: str
    keep_forum_posts: bool
    replacement_name: str


@dataclass(frozen=True)
class PersonalDataSource:
    """One app's share of a person's data.

    ``name`` becomes the export's file name (``<name>.json``); ``description`` its line in
    the README. ``export`` returns the person's data as JSON values, every field included
    (encrypted fields decrypted, since it is their own data). ``erase`` removes or
    anonymises what the person's row deletion would not cascade to, or what others' rows
    say about them; ``None`` when the cascade is the whole story. Lower ``order`` runs first.
    """

    name: str
    description: str
    export: Callable[[AbstractBaseUser], ExportData]
    erase: Callable[[Erasure], None] | None = None
    order: int = 100


_sources: dict[str, PersonalDataSource] = {}


def register_personal_data(source: PersonalDataSource) -> None:
    """Add ``source``; registering the same name twice replaces it (``ready()`` may rerun)."""
    _sources[source.name] = source


def personal_data_sources() -> list[PersonalDataSource]:
    """Every registered source, in erasure order (then by name, so exports are stable)."""
    return sorted(_sources.values(), key=lambda source: (source.order, source.name))
