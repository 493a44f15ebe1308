"""IT's managed config: it wins over the user's file, Save never writes it, and a bad one is one
sentence naming the managed file (whatever its values: Hypothesis tries the worst)."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.config import (
    _UI_KEYS,
    ConfigError,
    ManagedConfigError,
    load_config,
    save_config,
)
from kiosk.core.managed import managed_config_path
from kiosk.core.models import PauseReason
from kiosk.core.pin import hash_pin

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
OTHER = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"

USER = f"""
poll_interval_seconds = 20
[[stores]]
id = "{STORE}"
name = "Mine"
[ui]
sound_volume = 40
language = "he"
[ui.reason_minutes]
too_busy = 45
"""


def files(tmp_path: Path, user: str, managed: str | None) -> tuple[Path, dict[str, str]]:
    user_path = tmp_path / "config.toml"
    user_path.write_text(user, encoding="utf-8")
    managed_path = tmp_path / "managed.toml"
    if managed is not None:
        managed_path.write_text(managed, encoding="utf-8")
    return user_path, {"KIOSK_MANAGED_CONFIG": str(managed_path)}


def test_managed_values_win_and_are_listed(tmp_path: Path) -> None:
    pin = hash_pin("4826", n=2)
    managed = f"""
poll_interval_seconds = 60
[[stores]]
id = "{OTHER}"
name = "IT's"
[ui]
sound = false
pin_hash = "{pin}"
[ui.reason_minutes]
other = 10
"""
    path, env = files(tmp_path, USER, managed)
    config = load_config(path, env)
    assert config.poll_interval_seconds == 60
    assert [s.name for s in config.stores] == ["IT's"]
    assert config.ui.sound is False and config.ui.pin_hash == pin
    # The whole reason table is IT's: the user's 45 minutes for too_busy is not mixed in.
    assert config.ui.reason_minutes[PauseReason.OTHER] == 10
    assert config.ui.reason_minutes[PauseReason.TOO_BUSY] == 30
    # What IT did not set is the user's.
    assert config.ui.sound_volume == 40 and config.ui.language == "he"
    assert config.managed == {
        "poll_interval_seconds",
        "stores",
        "ui.sound",
        "ui.pin_hash",
        "ui.reason_minutes",
    }
    assert config.managed_source == tmp_path / "managed.toml"


def test_no_managed_file_manages_nothing(tmp_path: Path) -> None:
    path, env = files(tmp_path, USER, None)
    config = load_config(path, env)
    assert config.managed == frozenset() and config.managed_source is None
    assert config.poll_interval_seconds == 20


def test_environment_still_wins_over_managed(tmp_path: Path) -> None:
    path, env = files(tmp_path, USER, 'api_url = "https://managed.example.com"\n')
    env["KIOSK_API_URL"] = "http://127.0.0.1:9"
    assert load_config(path, env).api_url == "http://127.0.0.1:9"


def test_save_writes_only_the_users_own_values(tmp_path: Path) -> None:
    pin = hash_pin("4826", n=2)
    managed = f"""
poll_interval_seconds = 60
api_url = "https://managed.example.com"
[ui]
pin_hash = "{pin}"
sound = false
"""
    path, env = files(tmp_path, USER, managed)
    config = load_config(path, env)
    # Settings' Save: the manager changed an unmanaged value; the managed ones came along.
    edited = replace(config, ui=replace(config.ui, sound_volume=70))
    save_config(edited, path)
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    assert written["poll_interval_seconds"] == 20  # the user's own, kept
    assert written["api_url"] == "https://api.gett-tech.com"  # never IT's
    assert "pin_hash" not in written["ui"]
    assert written["ui"]["sound"] is True
    assert written["ui"]["sound_volume"] == 70  # the manager's change is saved
    # And reading again, IT still wins: the Save undid nothing.
    again = load_config(path, env)
    assert again.poll_interval_seconds == 60 and again.ui.pin_hash == pin
    assert again.api_url == "https://managed.example.com" and again.ui.sound_volume == 70
    # When IT stops managing, the user's own choice is back.
    (tmp_path / "managed.toml").unlink()
    assert load_config(path, env).poll_interval_seconds == 20


def test_save_keeps_a_user_pin_under_a_managed_one(tmp_path: Path) -> None:
    mine, its = hash_pin("4826", n=2), hash_pin("9051", n=2)
    user = USER.replace("[ui]\n", f'[ui]\npin_hash = "{mine}"\n')
    path, env = files(tmp_path, user, f'[ui]\npin_hash = "{its}"\n')
    save_config(load_config(path, env), path)
    assert tomllib.loads(path.read_text(encoding="utf-8"))["ui"]["pin_hash"] == mine


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("poll_interval_seconds = [", "is not valid TOML"),
        ('poll_interval_seconds = "x"', "field 'poll_interval_seconds'"),
        ("[ui]\nbogus = 1", "field 'ui.bogus'"),
        ('[[stores]]\nid = "nope"', "field 'stores[0].id'"),
        ("[ui]\npin_hash = 'plain'", "field 'ui.pin_hash'"),
    ],
)
def test_a_bad_managed_file_names_itself(tmp_path: Path, text: str, words: str) -> None:
    path, env = files(tmp_path, USER, text)
    with pytest.raises(ManagedConfigError) as caught:
        load_config(path, env)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'managed.toml'} (the managed config from IT)")
    assert words in message and "\n" not in message


def test_an_unreadable_managed_file_is_an_error_not_ignored(tmp_path: Path) -> None:
    path, env = files(tmp_path, USER, None)
    (tmp_path / "managed.toml").mkdir()  # a folder where the file should be
    with pytest.raises(ManagedConfigError, match="cannot be read"):
        load_config(path, env)


def test_managed_path_per_platform() -> None:
    assert managed_config_path({}, platform="linux") == Path("/etc/gett-store-kiosk/managed.toml")
    win = managed_config_path({"ProgramData": "D:\\PD"}, platform="win32")
    assert str(win).startswith("D:\\PD") and str(win).endswith("managed.toml")
    assert "gett-store-kiosk" in str(win)
    assert managed_config_path({"KIOSK_MANAGED_CONFIG": "/x/m.toml"}) == Path("/x/m.toml")


# -- Hypothesis: the worst values IT's tool could push (HOSTILE.md: wrong types, NaN/inf, huge
# numbers, non-UUID ids, control characters, URLs with spaces or user:password@) ----------------

_scalars = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(
        [
            "http://user:pw@example.com",
            "https://exa mple.com",
            "https://[::1",
            "\x1b[31mred",
            "a\x00b",
            STORE.upper(),
            "23:00-07:00",
            "he",
            "system",
        ]
    ),
)
_values = st.one_of(_scalars, st.lists(_scalars, max_size=3))
_TOP = ["api_url", "poll_interval_seconds", "data_dir"]
#: Every [ui] key of the config's own table but the nested reason table (drawn on its own), so
#: a new setting is fuzzed here without being listed twice.
_UI = sorted(_UI_KEYS - {"reason_minutes"})


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string (a lone surrogate makes it invalid TOML)
    return "[" + ", ".join(_toml(v) for v in value) + "]"


_PIN = hash_pin("4826", n=2)
#: Values each key accepts, so that documents with at most one hostile value are often valid.
_VALID: dict[str, st.SearchStrategy[Any]] = {
    "api_url": st.sampled_from(["https://api.example.com", "http://127.0.0.1:8080"]),
    "poll_interval_seconds": st.one_of(st.integers(5, 3600), st.floats(5, 3600)),
    "data_dir": st.just("/tmp/kiosk-data"),
    "fullscreen": st.booleans(),
    "sound": st.booleans(),
    "forgotten_pause_minutes": st.integers(1, 1440),
    "idle_return_seconds": st.integers(5, 600),
    "night_dim_minutes": st.integers(0, 240),
    "sound_volume": st.integers(0, 100),
    "pin_hash": st.just(_PIN),
    "support_phone": st.just("+44 20 7946 0000"),
    "quiet_hours": st.just("23:00-07:00"),
    "language": st.sampled_from(["system", "en", "he", "ar", "ru"]),
}


@st.composite
def managed_documents(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any]]:
    top_keys = draw(st.lists(st.sampled_from(_TOP), max_size=3, unique=True))
    ui_keys = draw(st.lists(st.sampled_from(_UI), max_size=4, unique=True))
    hostile = draw(st.sampled_from([None, *top_keys, *ui_keys]))
    top = {k: draw(_values if k == hostile else _VALID[k]) for k in top_keys}
    ui = {k: draw(_values if k == hostile else _VALID[k]) for k in ui_keys}
    reasons = draw(
        st.dictionaries(
            st.sampled_from([r.value for r in PauseReason] + ["bogus"]),
            st.one_of(st.integers(0, 1440), _values),
            max_size=2,
        )
    )
    lines = [f"{k} = {_toml(v)}" for k, v in top.items()]
    if draw(st.booleans()):
        lines += ["[[stores]]", f"id = {_toml(draw(st.sampled_from([STORE, OTHER, 'x'])))}"]
        lines.append(f"name = {_toml(draw(_scalars))}")
    lines += ["[ui]"] + [f"{k} = {_toml(v)}" for k, v in ui.items()]
    if reasons:
        lines += ["[ui.reason_minutes]"] + [f"{k} = {_toml(v)}" for k, v in reasons.items()]
    return "\n".join(lines) + "\n", top, ui


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=managed_documents())
def test_any_managed_file_wins_or_is_one_sentence(
    tmp_path: Path, doc: tuple[str, dict[str, Any], dict[str, Any]]
) -> None:
    text, top, ui = doc
    path, env = files(tmp_path, USER, text)
    try:
        config = load_config(path, env)
    except ManagedConfigError as exc:
        message = str(exc)
        assert message.startswith(str(tmp_path / "managed.toml"))
        assert "\n" not in message and len(message) < 600
        return
    except ConfigError as exc:  # pragma: no cover - the user's file is fine: a bug
        pytest.fail(f"the user's file was blamed for IT's: {exc}")
    # Accepted: every key IT set is managed, and IT's value is the one in force.
    assert {f"ui.{k}" for k in ui} | set(top) <= config.managed
    if "poll_interval_seconds" in top:
        assert config.poll_interval_seconds == float(top["poll_interval_seconds"])
    if "sound_volume" in ui:
        assert config.ui.sound_volume == ui["sound_volume"]
    if "fullscreen" in ui:
        assert config.ui.fullscreen is ui["fullscreen"]
    # Saving never writes a managed value, and the user's file still loads as the user wrote it.
    save_config(config, path)
    own = load_config(path, {"KIOSK_MANAGED_CONFIG": str(tmp_path / "none.toml")})
    assert own.poll_interval_seconds == 20 and own.ui.sound_volume == 40


@pytest.mark.parametrize(
    ("variable", "words"),
    [
        ("a\x00b", "holds a NUL character"),
        ("x" * 5000, "cannot be read"),
    ],
)
def test_a_hostile_managed_path_is_one_short_sentence(
    tmp_path: Path, variable: str, words: str
) -> None:
    path, _env = files(tmp_path, USER, None)
    with pytest.raises(ConfigError) as caught:
        load_config(path, {"KIOSK_MANAGED_CONFIG": variable})
    assert words in str(caught.value) and len(str(caught.value)) < 300
