"""The managed file's last good copy (real files): kept only when good and changed, private,
never the user's file; a damaged copy is ignored, whatever its bytes; `kiosk health` says when
the app runs on it."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core import health, last_good
from kiosk.core import heartbeat as hb
from kiosk.core.config import ConfigError, ManagedConfigError, load_config, parse_config
from tests.unit.test_health import beat, verdict

STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
MANAGED = 'poll_interval_seconds = 45\n[ui]\nsupport_phone = "+972 3 555 0100"\n'


def setup(tmp_path: Path, managed: str | None) -> dict[str, str]:
    user = tmp_path / "config.toml"
    user.write_text(
        f'poll_interval_seconds = 20\ndata_dir = "{tmp_path / "data"}"\n\n'
        f'[[stores]]\nid = "{STORE}"\nname = "Main Street"\n',
        encoding="utf-8",
    )
    if managed is not None:
        (tmp_path / "managed.toml").write_text(managed, encoding="utf-8")
    return {"KIOSK_CONFIG": str(user), "KIOSK_MANAGED_CONFIG": str(tmp_path / "managed.toml")}


def test_a_good_managed_file_is_kept_privately_and_rewritten_only_when_it_changed(
    tmp_path: Path,
) -> None:
    env = setup(tmp_path, MANAGED)
    copy = tmp_path / "data" / last_good.FILENAME
    last_good.remember(load_config(None, env), env)
    assert copy.read_text(encoding="utf-8") == MANAGED
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    before = copy.stat()
    last_good.remember(load_config(None, env), env)
    assert copy.stat().st_ino == before.st_ino  # unchanged: not written again
    (tmp_path / "managed.toml").write_text("poll_interval_seconds = 50\n", encoding="utf-8")
    last_good.remember(load_config(None, env), env)
    assert copy.read_text(encoding="utf-8") == "poll_interval_seconds = 50\n"


def test_without_a_managed_file_nothing_is_kept(tmp_path: Path) -> None:
    env = setup(tmp_path, None)
    last_good.remember(load_config(None, env), env)
    assert not (tmp_path / "data" / last_good.FILENAME).exists()


def test_the_app_starts_on_the_copy_and_commands_still_fail(tmp_path: Path) -> None:
    env = setup(tmp_path, MANAGED)
    last_good.remember(load_config(None, env), env)
    (tmp_path / "managed.toml").write_text("poll_interval_seconds = -1\n", encoding="utf-8")
    with pytest.raises(ManagedConfigError):
        load_config(None, env)  # what every script sees
    config = last_good.load_for_app(None, env)
    assert config.poll_interval_seconds == 45
    assert config.ui.support_phone == "+972 3 555 0100"
    assert config.managed == {"poll_interval_seconds", "ui.support_phone"}
    assert isinstance(config.managed_problem, ManagedConfigError)
    assert config.managed_text is None  # nothing to keep: the copy stays as it was


def test_a_broken_user_file_still_raises(tmp_path: Path) -> None:
    env = setup(tmp_path, "stores = [\n")
    Path(env["KIOSK_CONFIG"]).write_text("poll_interval_seconds = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        last_good.load_for_app(None, env)
    assert not isinstance(raised.value, ManagedConfigError)


def test_a_copy_in_a_folder_that_cannot_be_written_is_only_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = setup(tmp_path, MANAGED)
    (tmp_path / "data").write_text("a file where the folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kiosk.core.last_good"):
        last_good.remember(load_config(None, env), env)
    assert "could not keep the managed config's last good copy" in caplog.text


_TOML_ISH = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"stores = 3\n",
            b'api_url = "http://example.com"\n',
            b"poll_interval_seconds = 1e999\n",
            b"[ui]\npin_hash = 4\n",
            b"data_dir = 'relative'\n",
            b"[" * 5000,
            b'poll_interval_seconds = 60\n[ui]\nsupport_phone = "\xe2\x80\xae1"\n',
        ]
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=_TOML_ISH)
def test_a_garbage_copy_is_ignored_or_used_never_a_crash(tmp_path: Path, raw: bytes) -> None:
    """The copy is outside input too (a disk fault, a hand edit): the app still starts."""
    env = setup(tmp_path, "stores = [\n")
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / last_good.FILENAME).write_bytes(raw)
    recalled = last_good.recall(tmp_path / "data")
    if recalled is not None:
        parse_config(recalled)  # only a copy that checks out is used
    config = last_good.load_for_app(None, env)
    assert config.managed_problem is not None
    assert config.stores  # the user's store is still there (a copy's stores would be too)


def test_health_says_the_app_runs_on_the_last_good_copy() -> None:
    parsed = hb.parse(json.loads(json.dumps(beat(managed_last_good=True).to_json())))
    assert parsed.managed_last_good
    report = verdict(parsed)
    assert report.code is health.Code.WARNING
    assert "IT's managed config has an error; the app runs on its last good copy." in (
        report.line()
    )
    assert verdict(beat()).code is health.Code.OK
    old = beat().to_json()
    del old["managed_last_good"]  # an older app's heartbeat
    assert not hb.parse(old).managed_last_good
    with pytest.raises(hb.HeartbeatError):
        hb.parse({**old, "managed_last_good": "yes"})
