"""The heartbeat file (written and read back, garbage refused) and the health verdict."""

from __future__ import annotations

import io
import json
import os
import socket
import struct
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import __version__
from kiosk.cli.main import Cli
from kiosk.core import health, journal, metrics
from kiosk.core import heartbeat as hb
from kiosk.core.config import ConfigError, MonitoringSettings, parse_config, to_toml

NOW = 1_800_000_000.0
STORE = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"


def beat(**changes: object) -> hb.Heartbeat:
    base = hb.Heartbeat(
        pid=4242,
        token="gui-heartbeat.0123456789abcdef",
        version=__version__,
        started_at=NOW - 3600,
        written_at=NOW - 10,
        state=hb.AppState.RUNNING,
        state_at=NOW - 3600,
        stores=(hb.StoreBeat(STORE, "Main Street", "online", 5.0),),
        clock_offset_seconds=1.5,
        keyring=hb.KeyringState.OK,
        boot_id="boot-1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def verdict(b: hb.Heartbeat | None, *, alive: bool | None = True, **kw: object) -> health.Report:
    return health.evaluate(
        b,
        data_dir=Path("/data"),
        now=NOW,
        is_alive=lambda _b: alive,
        installed_version=kw.pop("installed", __version__),  # type: ignore[arg-type]
        boot_id=kw.pop("boot_id", "boot-1"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


# -- the file -------------------------------------------------------------------------------


def test_written_heartbeat_reads_back_the_same_and_is_private(tmp_path: Path) -> None:
    original = beat(
        stores=(
            hb.StoreBeat(STORE, "Main Street", "paused", 12.0, hb.Waiting("pending", 30.0)),
            hb.StoreBeat("other", "Side", None, None, None, "store_unknown"),
        )
    )
    hb.write(tmp_path, original)
    assert hb.read(tmp_path) == original
    if os.name == "posix":
        assert (tmp_path / hb.FILENAME).stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob("*.tmp"))


def test_no_heartbeat_file_is_none(tmp_path: Path) -> None:
    assert hb.read(tmp_path) is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe not utf-8",
        b"[1, 2]",
        b'{"format": 2}',
        b"[" * 100_000,
        b" " * (hb.MAX_BYTES + 1),
    ],
)
def test_garbage_files_are_refused_with_a_reason(tmp_path: Path, content: bytes) -> None:
    (tmp_path / hb.FILENAME).write_bytes(content)
    with pytest.raises(hb.HeartbeatError):
        hb.read(tmp_path)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
_FIELDS = list(beat().to_json())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(_FIELDS),
    value=_JSON,
    store_field=st.sampled_from(["id", "name", "status", "confirmed_age_seconds", "waiting"]),
)
def test_any_field_of_any_type_is_either_valid_or_refused(
    field: str, value: object, store_field: str
) -> None:
    """A hand-edited or hostile file: one field replaced by any JSON value, at the top or in a
    store. Only HeartbeatError may come out, and what is accepted is sane."""
    for where in ("top", "store"):
        data = beat().to_json()
        if where == "top":
            data[field] = value
        else:
            data["stores"][0][store_field] = value
        try:
            parsed = hb.parse(json.loads(json.dumps(data)))
        except hb.HeartbeatError:
            continue
        assert 0 < parsed.pid < 2**31
        assert parsed.written_at >= 0 and 1 <= parsed.interval_seconds <= 86400
        report = verdict(parsed)
        assert report.code in set(health.Code)
        assert "\n" not in report.line()


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_random_bytes_never_escape_as_anything_but_heartbeat_error(raw: bytes) -> None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return
    with pytest.raises(hb.HeartbeatError):
        hb.parse(data)


def test_kiosk_health_on_a_garbage_file_is_unknown(tmp_path: Path) -> None:
    (tmp_path / hb.FILENAME).write_text('{"format": 1, "pid": "x"}', encoding="utf-8")
    code, line = _health_cli(tmp_path)
    assert code == 3
    assert line.startswith("KIOSK UNKNOWN - Cannot tell whether the kiosk works: ")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder")
def test_kiosk_health_on_an_unreadable_data_folder_is_unknown(tmp_path: Path) -> None:
    hb.write(tmp_path, beat())
    tmp_path.chmod(0)
    try:
        assert _health_cli(tmp_path)[0] == 3
    finally:
        tmp_path.chmod(0o700)


def test_kiosk_health_where_the_data_folder_is_a_file_is_unknown(tmp_path: Path) -> None:
    """Works as root too: a "folder" that is a file, a heartbeat that is a folder."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, line = _health_cli(tmp_path / "file")
    assert code == 3 and "cannot be read" in line
    (tmp_path / "data" / hb.FILENAME).mkdir(parents=True)
    assert _health_cli(tmp_path / "data")[0] == 3


def _health_cli(data_dir: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    env = {"KIOSK_DATA_DIR": str(data_dir), "KIOSK_CONFIG": str(data_dir / "none.toml")}
    code = Cli(env=env, stdout=out, stderr=io.StringIO()).run(["health", *args])
    return code, out.getvalue()


def test_kiosk_health_usage_error_is_unknown_and_a_bad_config_is_a_warning(
    tmp_path: Path,
) -> None:
    assert _health_cli(tmp_path, "--max-wait", "soon")[0] == 3
    assert _health_cli(tmp_path, "--no-such-option")[0] == 3
    bad = tmp_path / "config.toml"
    bad.write_text("poll_interval_seconds = 1\n", encoding="utf-8")
    hb.write(tmp_path, beat(written_at=__import__("time").time(), token="nobody.x"))
    out = io.StringIO()
    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_CONFIG": str(bad)}
    Cli(env=env, stdout=out, stderr=io.StringIO()).run(["health", "--json"])
    body = json.loads(out.getvalue())
    kinds = {f["kind"] for f in body["findings"]}
    assert "config" in kinds  # said, next to whatever the heartbeat says (here: not running)


# -- the verdict ----------------------------------------------------------------------------


def test_a_fresh_heartbeat_of_a_live_app_is_ok_with_perfdata() -> None:
    report = verdict(beat())
    assert report.code is health.Code.OK
    line = report.line()
    assert line.startswith(f"KIOSK OK - The kiosk app {__version__} is running (pid 4242).")
    assert "Main Street: online, confirmed by Gett 15 seconds ago." in line
    assert line.count("|") == 1 and "waiting=0" in line.split("|")[1]


def test_no_heartbeat_is_critical() -> None:
    report = verdict(None)
    assert report.code is health.Code.CRITICAL
    assert report.to_json()["running"] is False


def test_a_stale_heartbeat_of_a_live_process_is_critical_not_responding() -> None:
    report = verdict(beat(written_at=NOW - 91))
    assert report.code is health.Code.CRITICAL
    assert "not responding: its last heartbeat is 91 seconds old" in report.line()
    assert verdict(beat(written_at=NOW - 89)).code is health.Code.OK


def test_a_dead_owner_is_critical_even_with_a_fresh_heartbeat() -> None:
    report = verdict(beat(), alive=False)
    assert report.code is health.Code.CRITICAL
    assert "ended without stopping cleanly" in report.line()


def test_closed_on_purpose_is_a_warning_until_the_pc_restarts() -> None:
    closed = beat(state=hb.AppState.CLOSED_BY_MANAGER, state_at=NOW - 600, written_at=NOW - 600)
    report = verdict(closed, alive=False)
    assert report.code is health.Code.WARNING
    assert "A manager closed the kiosk app on purpose at " in report.line()
    assert report.to_json()["findings"][0]["kind"] == "closed_by_manager"
    # After a reboot the autostart should have started it again: not running is CRITICAL.
    assert verdict(closed, alive=False, boot_id="boot-2").code is health.Code.CRITICAL


def test_a_stopped_app_is_critical() -> None:
    stopped = beat(state=hb.AppState.STOPPED, state_at=NOW - 5)
    assert verdict(stopped, alive=False).code is health.Code.CRITICAL


def test_a_change_waiting_too_long_is_critical_and_the_limit_is_configurable() -> None:
    waiting = beat(
        stores=(hb.StoreBeat(STORE, "Main Street", "online", 5.0, hb.Waiting("pending", 590.0)),)
    )
    report = verdict(waiting)  # 590 s + the heartbeat's 10 s age = 600 s: not over 10 min
    assert report.code is health.Code.OK
    late = verdict(waiting, limits=health.Limits(max_wait_s=300))
    assert late.code is health.Code.CRITICAL
    assert "Main Street: a change has waited 10 minutes to reach Gett." in late.line()
    assert "waiting=1" in late.line() and "oldest_wait=600s;;300" in late.line()
    stale = verdict(replace(waiting, written_at=NOW - 30))
    assert stale.code is health.Code.CRITICAL  # 620 s


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"stores": (hb.StoreBeat(STORE, "Main Street", "online", 600.0),)}, "stale_status"),
        ({"stores": (hb.StoreBeat(STORE, "Main Street", None, None),)}, "no_status"),
        ({"clock_offset_seconds": -600.0}, "clock_offset"),
        ({"keyring": hb.KeyringState.UNAVAILABLE}, "keyring_unavailable"),
        ({"keyring": hb.KeyringState.REJECTED}, "keyring_rejected"),
        ({"written_at": NOW + 600}, "future_heartbeat"),
        (
            {"stores": (hb.StoreBeat(STORE, "Main Street", "online", 1.0, None, "store_unknown"),)},
            "store_problem",
        ),
    ],
)
def test_warnings(changes: dict[str, object], kind: str) -> None:
    report = verdict(beat(**changes))
    assert report.code is health.Code.WARNING, report.line()
    assert kind in {f["kind"] for f in report.to_json()["findings"]}


def test_a_pending_upgrade_says_both_versions() -> None:
    report = verdict(beat(version="0.0.9"), installed="0.1.0")
    assert report.code is health.Code.WARNING
    assert "Version 0.1.0 is installed, but the app still runs 0.0.9" in report.line()
    body = report.to_json()
    assert (body["running_version"], body["installed_version"]) == ("0.0.9", "0.1.0")


def test_store_filter_and_a_hostile_store_name_stay_on_one_line() -> None:
    b = beat(
        stores=(
            hb.StoreBeat(STORE, "Evil\nKIOSK OK - all fine", "online", 1.0),
            hb.StoreBeat("other", "Other", "online", 900.0),
        )
    )
    assert verdict(b).code is health.Code.WARNING  # "Other" is stale
    only = verdict(b, store_id=STORE)
    assert only.code is health.Code.OK
    assert "\n" not in only.line()
    assert [s["id"] for s in only.to_json()["stores"]] == [STORE]


def test_json_keys_are_stable_and_english() -> None:
    body = verdict(beat()).to_json()
    assert list(body)[:3] == ["status", "exit_code", "summary"]
    for key in ("running", "running_version", "installed_version", "heartbeat_age_seconds",
                "clock_offset_seconds", "keyring", "stores", "findings"):  # fmt: skip
        assert key in body


def test_throttle_writes_on_change_or_after_the_interval() -> None:
    t = hb.Throttle(30.0)
    assert t.due("a", 0.0)
    t.written("a", 0.0)
    assert not t.due("a", 29.0)
    assert t.due("b", 1.0)  # what it says changed
    assert t.due("a", 30.0)
    assert t.due("a", -5.0)  # the PC clock went back


# -- the textfile and the journal -----------------------------------------------------------


def test_prometheus_textfile_is_well_formed_and_escapes_labels(tmp_path: Path) -> None:
    b = beat(stores=(hb.StoreBeat(STORE, 'Sam\'s "Grill"\\\n', "paused", 4.0),))
    text = metrics.render(b, 0)
    for line in text.splitlines():
        assert line.startswith(("# HELP kiosk_", "# TYPE kiosk_", "kiosk_"))
    assert 'name="Sam\'s \\"Grill\\"\\\\\\n"' in text
    assert f'kiosk_store_paused{{store="{STORE}",' in text
    assert f"kiosk_heartbeat_time_seconds {int(NOW - 10)}" in text
    target = tmp_path / "kiosk.prom"
    metrics.write(target, text)
    assert target.read_text(encoding="utf-8") == text
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o644  # node_exporter's user reads it
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.prom"]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets")
def test_journal_lines_go_out_in_the_native_protocol(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        assert journal.send("kiosk 0.1.0 started\nsecond line", journal.NOTICE, path=path)
        data = server.recv(65536)
    assert b"PRIORITY=5\n" in data and b"SYSLOG_IDENTIFIER=gett-store-kiosk\n" in data
    message = b"kiosk 0.1.0 started\nsecond line"
    assert b"MESSAGE\n" + struct.pack("<Q", len(message)) + message + b"\n" in data
    assert not journal.send("nobody listens", path=str(tmp_path / "none.sock"))


# -- the config -----------------------------------------------------------------------------


def test_monitoring_config_is_checked_and_written_back() -> None:
    config = parse_config(
        {
            "monitoring": {
                "prometheus_textfile": "/var/lib/prometheus/node-exporter/kiosk.prom",
                "journal": True,
                "critical_wait_minutes": 5,
            }
        }
    )
    assert config.monitoring == MonitoringSettings(
        Path("/var/lib/prometheus/node-exporter/kiosk.prom"), True, 5
    )
    import tomllib

    assert parse_config(tomllib.loads(to_toml(config))).monitoring == config.monitoring
    assert "[monitoring]" not in to_toml(parse_config({}))


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"prometheus_textfile": "kiosk.prom"}, "monitoring.prometheus_textfile"),
        ({"prometheus_textfile": "/tmp/kiosk.txt"}, "monitoring.prometheus_textfile"),
        ({"prometheus_textfile": "/tmp/\x00.prom"}, "monitoring.prometheus_textfile"),
        ({"prometheus_textfile": 3}, "monitoring.prometheus_textfile"),
        ({"journal": "yes"}, "monitoring.journal"),
        ({"critical_wait_minutes": 0}, "monitoring.critical_wait_minutes"),
        ({"critical_wait_minutes": True}, "monitoring.critical_wait_minutes"),
        ({"critical_wait_minutes": 1441}, "monitoring.critical_wait_minutes"),
        ({"jornal": True}, "monitoring.jornal"),
    ],
)
def test_bad_monitoring_values_name_the_field(table: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"monitoring": table})
    assert caught.value.field == field
    with pytest.raises(ConfigError):
        parse_config({"monitoring": "on"})


def test_the_line_speaks_the_pcs_language_and_json_stays_english(tmp_path: Path) -> None:
    from kiosk.core import i18n

    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_CONFIG": str(tmp_path / "none.toml"),
           "KIOSK_LANGUAGE": "ru"}  # fmt: skip
    try:
        out = io.StringIO()
        assert Cli(env=env, stdout=out, stderr=io.StringIO()).run(["health"]) == 2
        assert out.getvalue().startswith("KIOSK CRITICAL - Приложение киоска не работает")
        out = io.StringIO()
        Cli(env=env, stdout=out, stderr=io.StringIO()).run(["health", "--json"])
        assert json.loads(out.getvalue())["summary"].startswith("The kiosk app is not running")
    finally:
        i18n.use("en")


def test_a_live_app_with_a_hostile_store_name_prints_it_escaped(tmp_path: Path) -> None:
    """The app is alive (its owner lock is held, here by this process); the store name from
    the config reaches the terminal with its control characters escaped, JSON unchanged."""
    import time

    from kiosk.core.lease import OwnerLock

    lock = OwnerLock(tmp_path, "gui-heartbeat")
    try:
        name = "Grill\x1b[2J\u202e"
        stores = (hb.StoreBeat(STORE, name, "online", 1.0),)
        hb.write(tmp_path, beat(token=lock.token, written_at=time.time(), stores=stores))
        code, line = _health_cli(tmp_path)
        assert code == 0, line
        assert "\x1b" not in line and "\u202e" not in line
        assert "Grill\\x1b[2J\\u202e: online, confirmed by Gett" in line
        hb.write(tmp_path, beat(token=lock.token, written_at=time.time(), stores=()))
        code, line = _health_cli(tmp_path)
        assert code == 1 and "No store is configured" in line
    finally:
        lock.close()


def test_a_broken_managed_file_still_finds_the_app_in_the_users_own_data_dir(
    tmp_path: Path,
) -> None:
    """IT's file does not parse: health reads the user's file alone for data_dir, so a running
    app is found there (a WARNING for the config), not CRITICAL in the default folder."""
    import time

    from kiosk.core.lease import OwnerLock

    data = tmp_path / "own-data"
    data.mkdir()
    user = tmp_path / "config.toml"
    user.write_text(f'data_dir = "{data}"\n', encoding="utf-8")
    managed = tmp_path / "managed.toml"
    managed.write_text("poll_interval_seconds = [\n", encoding="utf-8")
    lock = OwnerLock(data, "gui-heartbeat")
    try:
        stores = (hb.StoreBeat(STORE, "Main Street", "online", 1.0),)
        hb.write(data, beat(token=lock.token, written_at=time.time(), stores=stores))
        out = io.StringIO()
        env = {"KIOSK_CONFIG": str(user), "KIOSK_MANAGED_CONFIG": str(managed)}
        code = Cli(env=env, stdout=out, stderr=io.StringIO()).run(["health", "--json"])
        body = json.loads(out.getvalue())
        assert body["running"] is True, body
        assert code == 1 and "config" in {f["kind"] for f in body["findings"]}
    finally:
        lock.close()


def test_a_usage_error_is_unknown_only_for_the_health_command_itself(tmp_path: Path) -> None:
    """`health` as a store's name or a path is not the command: the usual usage code (2)."""
    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_CONFIG": str(tmp_path / "none.toml")}

    def code(*argv: str) -> int:
        return Cli(env=env, stdout=io.StringIO(), stderr=io.StringIO()).run(list(argv))

    assert code("pause", "--store", "health", "--reason", "nope") == 2
    assert code("--config", "health", "pause", "--reason", "nope") == 2
    assert code("--config", str(tmp_path / "c.toml"), "health", "--max-wait") == 3
    assert code("-v", "health", "--nope") == 3


# -- languages: the line in the reader's language without bidi codes, --json always English ----

#: Our bidi marks and isolates, raw or as the escapes a terminal-safe writer would make of them.
BIDI = ("\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069")
BIDI_ESCAPED = tuple(f"\\u{ord(c):04x}" for c in BIDI)


def _health_he(data_dir: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    env = {
        "KIOSK_DATA_DIR": str(data_dir),
        "KIOSK_CONFIG": str(data_dir / "none.toml"),
        "KIOSK_LANGUAGE": "he",
    }
    code = Cli(env=env, stdout=out, stderr=io.StringIO()).run(["health", *args])
    return code, out.getvalue()


def _hebrew(text: str) -> bool:
    return any("\u0590" <= c <= "\u05ff" for c in text)


@pytest.mark.parametrize(
    "args", [("--max-wait", "zz"), ("--store", "nope"), ()], ids=["max-wait", "store", "none"]
)
def test_hebrew_health_line_has_no_bidi_codes_raw_or_escaped(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, line = _health_he(tmp_path, *args)
    assert code in (2, 3) and _hebrew(line), line
    assert not any(mark in line for mark in BIDI + BIDI_ESCAPED), repr(line)


@pytest.mark.parametrize("args", [("--max-wait", "zz"), ("--store", "nope")])
def test_health_json_stays_english_under_hebrew(tmp_path: Path, args: tuple[str, ...]) -> None:
    code, out = _health_he(tmp_path, "--json", *args)
    body = json.loads(out)
    assert code == 3 and body["status"] == "UNKNOWN"
    assert body["summary"].startswith("Cannot tell whether the kiosk works: ")
    said = json.dumps(body, ensure_ascii=False)
    assert not _hebrew(said) and not any(mark in said for mark in BIDI), said


def test_a_damaged_heartbeat_is_told_in_hebrew_on_the_line_and_in_english_in_json(
    tmp_path: Path,
) -> None:
    from kiosk.core import i18n

    (tmp_path / hb.FILENAME).write_text("{not json", encoding="utf-8")
    english = "it is not JSON"
    with pytest.raises(hb.HeartbeatError, match=english):
        hb.read(tmp_path)
    code, line = _health_he(tmp_path)
    assert code == 3 and english not in line
    before = i18n.language()
    i18n.use("he")
    try:
        said = i18n.strip_isolates(i18n._(english))
    finally:
        i18n.use(before)
    assert said != english and said in line, line
    code, out = _health_he(tmp_path, "--json")
    summary = json.loads(out)["summary"]
    assert english in summary and not _hebrew(summary)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_the_heartbeats_place_is_unknown_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(hb.path_in(tmp_path))
    report = health.verdict(tmp_path, installed_version="1.0")
    assert report.code is health.Code.UNKNOWN
    assert "not a regular file" in report.line()
