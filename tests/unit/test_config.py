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
    assert path.parent.stat().st_mode & 0o777 == 0o700  # a folder made for it: owner-only


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


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("https://api.gett\ttech.com", "spaces or control characters"),
        ("https://api gett.com", "spaces or control characters"),
        ("https://[::1", "does not parse"),
        ("https://[%]", "does not parse"),
        ("https://user:secret@api.gett-tech.com", "user name or password"),
        ("https://key@api.gett-tech.com", "user name or password"),
        ("https://api.gett-tech.com:0", "port"),
        ("https://api.gett-tech.com:65536", "port"),
        ("https://api.gett-tech.com:-1", "port"),
        ("https://api.gett-tech.com:http", "port"),
        ("https://api.gett-tech.com:", "no port"),
        ("https://a..b", "does not name a host"),
        ("https://%41.example", "does not name a host"),
        ("https://xn--zz.example", "can use"),
    ],
)
def test_api_url_must_be_one_the_client_can_use(url: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as caught:
        parse_config({"api_url": url})
    assert "secret" not in str(caught.value)  # a password in the URL is never repeated


@pytest.mark.parametrize(
    "url", ["https://api.gett-tech.com:443/v1", "https://b\u00fccher.example", "http://[::1]:1"]
)
def test_odd_but_valid_api_urls_are_kept(url: str) -> None:
    assert parse_config({"api_url": url}).api_url == url


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("/srv/kiosk\x00/data", "NUL"), ("", "empty"), ("   ", "empty"), ("data", "full path")],
)
def test_data_dir_must_be_a_usable_absolute_path(value: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        parse_config({"data_dir": value})
    if value.strip():  # an empty variable means "not set", as for every KIOSK_* variable
        with pytest.raises(ConfigError, match=fragment):
            load_config(None, {"KIOSK_CONFIG": "/nonexistent/kiosk.toml", "KIOSK_DATA_DIR": value})


def test_a_config_path_with_a_nul_is_an_error_not_the_defaults(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="NUL"):
        load_config(None, {"KIOSK_CONFIG": f"{tmp_path}/a\x00b.toml"})
    with pytest.raises(ConfigError, match="NUL"):
        load_config(f"{tmp_path}/a\x00b.toml", {})


def test_a_config_that_is_a_folder_or_not_utf8_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path, {})
    path = tmp_path / "latin1.toml"
    path.write_bytes('[[stores]]\nname = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(path, {})


def test_long_values_are_clipped_in_messages() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"stores": [{"id": "x" * 5000}]})
    assert len(str(caught.value)) < 300
    with pytest.raises(ConfigError) as unknown:
        parse_config({"k" * 5000: 1})
    assert len(str(unknown.value)) < 300


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**30])
def test_poll_interval_rejects_nan_inf_and_huge(value: float) -> None:
    with pytest.raises(ConfigError, match="between 5 and 3600"):
        parse_config({"poll_interval_seconds": value})
