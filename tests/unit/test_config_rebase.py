"""Settings' Save applies only what the manager changed, on top of the config as it is now."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kiosk.core.config import Config, UiSettings
from kiosk.core.config_rebase import read_own, rebase
from kiosk.core.models import PauseReason


def test_only_the_fields_changed_on_the_page_replace_the_current_ones() -> None:
    opened = Config(poll_interval_seconds=20, ui=UiSettings(pin_hash="old", sound_volume=50))
    edited = replace(opened, ui=replace(opened.ui, sound_volume=70))
    minutes = {**opened.ui.reason_minutes, PauseReason.TOO_BUSY: 15}
    current = replace(
        opened,
        poll_interval_seconds=45,
        ui=replace(opened.ui, pin_hash=None, reason_minutes=minutes),
    )
    result = rebase(edited, opened, current)
    assert result.ui.sound_volume == 70  # the manager's
    assert result.ui.pin_hash is None  # IT's `pin clear`
    assert result.poll_interval_seconds == 45  # IT's push
    assert result.ui.reason_minutes[PauseReason.TOO_BUSY] == 15


def test_a_key_it_manages_now_keeps_its_value() -> None:
    opened = Config(poll_interval_seconds=20)
    edited = replace(opened, poll_interval_seconds=60)
    current = replace(
        opened, poll_interval_seconds=90, managed=frozenset({"poll_interval_seconds"})
    )
    assert rebase(edited, opened, current).poll_interval_seconds == 90


def test_an_unreadable_own_file_falls_back(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("poll_interval_seconds = [", encoding="utf-8")
    fallback = Config(poll_interval_seconds=33)
    assert read_own(bad, fallback) is fallback
    assert read_own(tmp_path / "deleted.toml", fallback) is fallback  # never empty settings
    bad.write_text("poll_interval_seconds = 40\n", encoding="utf-8")
    assert read_own(bad, fallback).poll_interval_seconds == 40
