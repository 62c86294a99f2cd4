"""The module sources other apps register with care (care.modules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from tandem.accounts.models import User
from tandem.care import modules
from tandem.care.models import Module

EARLY = datetime(2025, 1, 1, tzinfo=UTC)
LATE = datetime(2025, 6, 1, tzinfo=UTC)
# Passed through to the sources only; these tests need no database row.
VIEWER = User(pk=1)


def _source(name: str, found: modules.Changes) -> modules.ModuleSource:
    return modules.ModuleSource(name=name, latest_changes=lambda owner_ids, provider: found)


def test_the_toolbox_registers_itself_at_start_up() -> None:
    assert "toolbox" in modules._sources


def test_with_no_source_registered_care_shows_no_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modules, "_sources", {})
    assert modules.latest_changes([1, 2], viewer=VIEWER) is None


def test_changes_from_several_sources_merge_keeping_the_latest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(modules, "_sources", {})
    modules.register_module_source(_source("a", {1: {Module.GOALS: EARLY}}))
    modules.register_module_source(
        _source("b", {1: {Module.GOALS: LATE, Module.STATUS: EARLY}, 2: {Module.STATUS: LATE}})
    )
    assert modules.latest_changes([1, 2], viewer=VIEWER) == {
        1: {Module.GOALS: LATE, Module.STATUS: EARLY},
        2: {Module.STATUS: LATE},
    }
    assert modules.latest_changes([], viewer=VIEWER) == {}


def test_a_second_different_source_under_a_taken_name_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(modules, "_sources", {})
    source = _source("a", {})
    modules.register_module_source(source)
    modules.register_module_source(source)
    with pytest.raises(ImproperlyConfigured):
        modules.register_module_source(_source("a", {}))
