from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.core.config import (
    Config,
    ConfigError,
    Store,
    UiSettings,
    load_config,
    parse_config,
    save_config,
)
from kiosk.core.models import PauseReason
from kiosk.core.pin import hash_pin

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
OTHER = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_default_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(None, {"KIOSK_CONFIG": str(tmp_path / "nope.toml")})
    assert config.api_url == "https://api.gett-tech.com"
    assert config.stores == ()
    assert config.poll_interval_seconds == 30


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", {})


def test_full_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""
api_url = "https://api.example.test/"
poll_interval_seconds = 15
[[stores]]
id = "{STORE.upper()}"
name = "Main Street"
[ui]
fullscreen = false
forgotten_pause_minutes = 45
[ui.reason_minutes]
too_busy = 15
maintenance = 0
""",
    )
    config = load_config(path, {})
    assert config.api_url == "https://api.example.test"
    assert config.stores == (Store(STORE, "Main Street"),)
    assert config.poll_interval_seconds == 15.0
    assert config.ui.fullscreen is False and config.ui.forgotten_pause_minutes == 45
    assert config.ui.reason_minutes[PauseReason.TOO_BUSY] == 15
    assert config.ui.reason_minutes[PauseReason.MAINTENANCE] is None
    assert config.source == path


@pytest.mark.parametrize(
    ("text", "field", "fix"),
    [
        ('api_urll = "https://x.test"', "api_urll", "not a known setting"),
        ("poll_interval_seconds = 'fast'", "poll_interval_seconds", "number of seconds"),
        ("poll_interval_seconds = 1", "poll_interval_seconds", "between 5 and 3600"),
        ('api_url = "http://api.gett-tech.com"', "api_url", "plain http"),
        ('api_url = "ftp://x"', "api_url", "not a URL"),
        ('[[stores]]\nid = "1234"', "stores[0].id", "copy it from the Gett partner portal"),
        ("[[stores]]\nname = 'x'", "stores[0].id", "is missing"),
        (f'[[stores]]\nid = "{STORE}"\nname = ""', "stores[0].name", "non-empty"),
        (f'[[stores]]\nid = "{STORE}"\ncolour = "red"', "stores[0].colour", "not a known"),
        (f'[[stores]]\nid = "{STORE}"\n[[stores]]\nid = "{STORE}"', "stores[1].id", "twice"),
        ("[ui]\nfullscreen = 'yes'", "ui.fullscreen", "true or false"),
        ("[ui.reason_minutes]\nbored = 5", "ui.reason_minutes.bored", "too_busy"),
        ("[ui.reason_minutes]\ntoo_busy = -5", "ui.reason_minutes.too_busy", "0 to 1440"),
        ('[ui]\npin_hash = "scrypt$abc$def"', "ui.pin_hash", "choose a new PIN"),
    ],
)
def test_bad_config_names_file_field_and_fix(
    tmp_path: Path, text: str, field: str, fix: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    message = str(info.value)
    assert str(path) in message
    assert f"field '{field}'" in message
    assert fix in message


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "api_url = ")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(path, {})
    assert str(path) in str(info.value)


def test_http_allowed_only_for_loopback() -> None:
    for url in ("http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:8080"):
        assert parse_config({"api_url": url}).api_url == url


def test_environment_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, f'[[stores]]\nid = "{STORE}"\nname = "Main Street"')
    env = {
        "KIOSK_API_URL": "http://127.0.0.1:9999",
        "KIOSK_STORE_ID": f"{STORE}, {OTHER}",
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
    }
    config = load_config(path, env)
    assert config.api_url == "http://127.0.0.1:9999"
    assert config.stores == (Store(STORE, "Main Street"), Store(OTHER, "Store 2"))
    assert config.data_dir == tmp_path / "data"


def test_environment_overrides_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KIOSK_STORE_ID"):
        load_config(None, {"KIOSK_CONFIG": str(tmp_path / "x"), "KIOSK_STORE_ID": "main"})
    with pytest.raises(ConfigError, match="KIOSK_API_URL"):
        load_config(
            None, {"KIOSK_CONFIG": str(tmp_path / "x"), "KIOSK_API_URL": "http://evil.test"}
        )


def test_store_selection() -> None:
    one = Config(stores=(Store(STORE, "Main Street"),))
    assert one.store(None).id == STORE
    assert one.store("main street").id == STORE
    two = Config(stores=(Store(STORE, "Main Street"), Store(OTHER, "Harbour")))
    with pytest.raises(ConfigError, match="pick one with --store"):
        two.store(None)
    assert two.store(OTHER.upper()).name == "Harbour"
    with pytest.raises(ConfigError, match="no store is configured"):
        Config().store(None)
    with pytest.raises(ConfigError, match="neither"):
        one.store("Harbour")


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    config = Config(
        api_url="https://api.gett-tech.com",
        stores=(Store(STORE, 'Joe\'s "Best" Pizza \\ Grill'),),
        poll_interval_seconds=20,
        data_dir=tmp_path / "data",
        ui=UiSettings(
            fullscreen=False,
            forgotten_pause_minutes=40,
            reason_minutes={r: (10 if r is PauseReason.OTHER else None) for r in PauseReason},
            pin_hash=hash_pin("2468", n=16),
        ),
    )
    path = tmp_path / "sub" / "config.toml"
    save_config(config, path)
    loaded = load_config(path, {})
    assert loaded.stores == config.stores
    assert loaded.ui == config.ui
    assert loaded.data_dir == config.data_dir
    assert loaded.poll_interval_seconds == 20
    assert not list(path.parent.glob("*.tmp"))
    assert path.stat().st_mode & 0o777 == 0o600  # it holds the PIN hash


def test_saving_never_writes_values_that_came_from_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f'api_url = "https://api.gett-tech.com"\n'
        f'[[stores]]\nid = "{STORE}"\nname = "Main Street"\n',
    )
    env = {
        "KIOSK_API_URL": "http://127.0.0.1:9999",
        "KIOSK_STORE_ID": OTHER,
        "KIOSK_DATA_DIR": str(tmp_path / "scratch"),
    }
    loaded = load_config(path, env)
    assert loaded.api_url == "http://127.0.0.1:9999"
    # A manager changes only the poll interval in Settings and saves.
    save_config(replace(loaded, poll_interval_seconds=20), path)
    saved = load_config(path, {})
    assert saved.api_url == "https://api.gett-tech.com"
    assert saved.stores == (Store(STORE, "Main Street"),)
    assert saved.data_dir != tmp_path / "scratch"
    assert saved.poll_interval_seconds == 20
    # A field changed on purpose is written, even if it was overridden.
    save_config(replace(loaded, api_url="https://other.example.test"), path)
    assert load_config(path, {}).api_url == "https://other.example.test"
