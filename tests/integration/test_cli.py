"""The `kiosk` CLI contract, in-process against the simulator over real loopback HTTP."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from kiosk.cli.main import Cli
from kiosk.core.client import GettClient
from kiosk.core.keystore import MemoryKeyStore, OsKeyStore
from kiosk.core.models import PauseReason, StoreState, StoreStatus
from kiosk.simulator.server import Simulator
from tests.helpers.fakes import FakeClock
from tests.integration.conftest import KEY, STORE

UNKNOWN_STORE = "00000000-0000-4000-8000-000000000000"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, object]:
        return json.loads(self.out)  # type: ignore[no-any-return]


class Runner:
    def __init__(
        self, api: Simulator, clock: FakeClock, keystore: OsKeyStore, tmp_path: Path
    ) -> None:
        self.api, self.clock, self.keystore = api, clock, keystore
        self.env = {
            "KIOSK_CONFIG": str(tmp_path / "config.toml"),
            "KIOSK_API_URL": api.base_url,
            "KIOSK_STORE_ID": STORE,
            "KIOSK_DATA_DIR": str(tmp_path / "data"),
        }

    def __call__(self, *argv: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        cli = Cli(
            keystore=self.keystore,
            clock=self.clock,
            env=self.env,
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
            client_factory=lambda url, key: GettClient(
                url, key, clock=self.clock, timeout=httpx.Timeout(0.5)
            ),
        )
        result = Result(cli.run(list(argv)), out.getvalue(), err.getvalue())
        for secret in (KEY, "rotated-key"):
            assert secret not in result.out and secret not in result.err
        return result


@pytest.fixture
def kiosk(api: Simulator, clock: FakeClock, keystore: OsKeyStore, tmp_path: Path) -> Runner:
    keystore.set(KEY)
    return Runner(api, clock, keystore, tmp_path)


def test_status_human_and_json(kiosk: Runner) -> None:
    human = kiosk("status")
    assert human.code == 0
    assert "ONLINE" in human.out
    result = kiosk("status", "--json")
    assert result.code == 0
    assert result.json() == {
        "store_id": STORE,
        "status": "online",
        "reason": None,
        "pausedAt": None,
        "resumeAt": None,
        "pending": None,
        "clock_offset_seconds": None,  # this test's clock is not Gett's
    }


def test_pause_for_a_duration(kiosk: Runner) -> None:
    result = kiosk("pause", "--reason", "too-busy", "--for", "15m", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert body["status"] == "paused" and body["reason"] == "too_busy"
    assert body["resumeAt"] == "2026-01-15T12:15:00Z"
    assert body["pausedAt"] == "2026-01-15T12:00:00Z"
    assert kiosk.api.state(STORE).resume_at == kiosk.clock.now() + timedelta(minutes=15)


def test_pause_until_local_time_and_human_output(kiosk: Runner) -> None:
    result = kiosk("pause", "--reason", "maintenance", "--until", "23:59")
    assert result.code == 0, result.err
    assert "PAUSED (maintenance)" in result.out and "resumes at 23:59" in result.out
    assert kiosk.api.state(STORE).resume_at is not None


def test_pause_without_a_time_has_no_auto_resume(kiosk: Runner) -> None:
    result = kiosk("pause", "--reason", "staff_shortage", "--json")
    assert result.code == 0
    assert result.json()["resumeAt"] is None
    assert "until you resume" in kiosk("status").out


def test_resume(kiosk: Runner) -> None:
    kiosk("pause", "--reason", "other")
    result = kiosk("resume", "--json")
    assert result.code == 0
    assert result.json()["status"] == "online"
    assert kiosk.api.state(STORE).is_online


def test_auto_resume_shows_in_status(kiosk: Runner) -> None:
    kiosk("pause", "--reason", "too_busy", "--for", "15m")
    kiosk.clock.advance(16 * 60)
    assert kiosk("status", "--json").json()["status"] == "online"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("pause",), "--reason"),
        (("pause", "--reason", "bored"), "unknown reason"),
        (("pause", "--reason", "other", "--for", "soon"), "not a duration"),
        (("pause", "--reason", "other", "--until", "25:00"), "not a time"),
        (("pause", "--reason", "other", "--for", "5m", "--until", "14:00"), "not allowed"),
        (("status", "--store", "Harbour"), "neither"),
    ],
)
def test_usage_errors_exit_2(kiosk: Runner, argv: tuple[str, ...], fragment: str) -> None:
    result = kiosk(*argv)
    assert result.code == 2
    assert fragment in result.err
    assert kiosk.api.requests.snapshot() == []


def test_wrong_key_exits_3_and_says_how_to_fix(kiosk: Runner) -> None:
    kiosk.api.set_api_key("rotated-key")
    result = kiosk("status")
    assert result.code == 3
    assert "kiosk key set" in result.err and "401" in result.err


def test_missing_key_exits_3(kiosk: Runner) -> None:
    kiosk.keystore.clear()
    result = kiosk("pause", "--reason", "other")
    assert result.code == 3
    assert "No API key is stored" in result.err
    assert kiosk.api.requests.snapshot() == []


def test_unknown_store_exits_4(kiosk: Runner) -> None:
    kiosk.env["KIOSK_STORE_ID"] = UNKNOWN_STORE
    result = kiosk("status", "--json")
    assert result.code == 4
    body = result.json()
    assert body["error"]["kind"] == "StoreNotFound"  # type: ignore[index]
    assert "Check the store id" in result.err


def test_validation_error_exits_4_with_the_servers_detail(kiosk: Runner) -> None:
    kiosk.api.faults.fail(
        422,
        body=json.dumps({"title": "Unprocessable", "detail": "resumeAt too far"}),
        content_type="application/problem+json",
    )
    result = kiosk("pause", "--reason", "other", "--for", "1h")
    assert result.code == 4
    assert "resumeAt too far" in result.err


def test_non_json_error_body_is_still_clear(kiosk: Runner) -> None:
    kiosk.api.faults.fail(502, body="<html>Bad gateway</html>", content_type="text/html")
    result = kiosk("status")
    assert result.code == 75
    assert "502 Bad Gateway" in result.err and "text/html" in result.err


@pytest.mark.parametrize("http_date", [False, True])
def test_rate_limited_pause_is_queued(kiosk: Runner, http_date: bool) -> None:
    kiosk.api.faults.rate_limit(retry_after=30, http_date=http_date)
    result = kiosk("pause", "--reason", "too_busy", "--json")
    assert result.code == 75
    assert "queued" in result.err
    body = result.json()
    assert body["status"] is None  # never shown as if it were live
    pending = body["pending"]
    assert isinstance(pending, dict) and pending["status"] == "paused" and pending["attempts"] == 1


def test_timeout_on_status_exits_75(kiosk: Runner) -> None:
    kiosk.api.faults.latency(3, count=1)
    result = kiosk("status")
    assert result.code == 75
    assert "did not answer in time" in result.err


def test_dropped_connection_exits_75(kiosk: Runner) -> None:
    kiosk.api.faults.drop()
    assert kiosk("status").code == 75


def test_offline_pause_is_queued_then_synced(kiosk: Runner) -> None:
    kiosk.api.go_down()
    queued = kiosk("pause", "--reason", "staff_shortage", "--for", "1h")
    assert queued.code == 75
    assert "queued: will be sent when the connection is back" in queued.err
    status = kiosk("status", "--json")
    assert status.code == 75
    assert status.json()["pending"]["status"] == "paused"  # type: ignore[index]
    kiosk.api.come_back()
    live = kiosk("status")
    assert "ONLINE" in live.out and "Waiting: pause (staff shortage)" in live.out
    synced = kiosk("sync", "--json")
    assert synced.code == 0, synced.err
    assert synced.json()["intents"][0]["state"] == "delivered"  # type: ignore[index]
    assert kiosk.api.state(STORE).reason is PauseReason.STAFF_SHORTAGE
    assert kiosk("status", "--json").json()["pending"] is None
    assert kiosk("sync").out.strip() == "Nothing is waiting to be sent."


def test_sync_force_applies_over_a_conflict(kiosk: Runner) -> None:
    kiosk.api.go_down()
    kiosk("pause", "--reason", "too_busy")
    kiosk.clock.advance(5 * 60)  # well past any clock skew allowance
    kiosk.api.set_state(
        STORE, StoreStatus(StoreState.PAUSED, PauseReason.MAINTENANCE, kiosk.clock.now())
    )
    kiosk.api.come_back()
    plain = kiosk("sync")
    assert plain.code == 4 and "changed elsewhere" in plain.out
    assert kiosk.api.state(STORE).reason is PauseReason.MAINTENANCE
    forced = kiosk("sync", "--force")
    assert forced.code == 0, forced.out
    assert kiosk.api.state(STORE).reason is PauseReason.TOO_BUSY


def test_held_change_goes_out_after_key_set(kiosk: Runner) -> None:
    kiosk.api.set_api_key("rotated-key")
    held = kiosk("pause", "--reason", "maintenance")
    assert held.code == 3 and "kept" in held.err
    assert kiosk.api.state(STORE).is_online
    stored = kiosk("key", "set", stdin="rotated-key\n")
    assert stored.code == 0 and "1 waiting change" in stored.out
    assert kiosk("sync").code == 0
    # It really went out, with the new key (the old one is refused).
    assert kiosk.api.state(STORE).reason is PauseReason.MAINTENANCE


def test_key_commands_use_the_real_keyring(kiosk: Runner) -> None:
    assert kiosk("key", "clear").code == 0
    missing = kiosk("key", "status")
    assert missing.code == 3 and "No API key is stored" in missing.out
    assert kiosk("key", "set", stdin="  sk_new_value \n").code == 0
    assert kiosk.keystore.get() == "sk_new_value"
    status = kiosk("key", "status")
    assert status.code == 0 and "SecretService" in status.out
    assert "sk_new_value" not in status.out
    assert kiosk("key", "set", stdin="\n").code == 2
    assert kiosk("key", "set", stdin="two words\n").code == 2
    assert kiosk.keystore.get() == "sk_new_value"


def test_bad_config_exits_2_naming_the_file(kiosk: Runner, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[stores]]\nid = "main-street"\n')
    del kiosk.env["KIOSK_STORE_ID"]
    result = kiosk("status")
    assert result.code == 2
    assert str(config) in result.err and "stores[0].id" in result.err


def test_no_store_configured_exits_2(kiosk: Runner) -> None:
    del kiosk.env["KIOSK_STORE_ID"]
    result = kiosk("status", "--json")
    assert result.code == 2
    assert "KIOSK_STORE_ID" in result.err


def test_a_data_folder_that_cannot_be_made_is_not_saved_exit_74(
    kiosk: Runner, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    kiosk.env["KIOSK_DATA_DIR"] = str(blocker / "data")
    result = kiosk("pause", "--reason", "other")
    assert result.code == 74
    assert "NOT saved and NOT sent" in result.err and "Cannot create the data folder" in result.err
    assert kiosk.api.requests.snapshot() == []


def test_errors_are_one_plain_sentence_without_log_noise(
    kiosk: Runner, capfd: pytest.CaptureFixture[str]
) -> None:
    kiosk.api.set_api_key("rotated-key")
    result = kiosk("status")
    assert result.code == 3
    assert result.err.count("\n") == 1 and result.err.startswith("kiosk: ")
    assert "WARNING" not in capfd.readouterr().err  # log records go to the file only


def test_a_bad_config_at_app_start_is_shown_on_screen(
    api: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('poll_interval_seconds = "often"\n')
    shown: list[str] = []
    err = io.StringIO()
    cli = Cli(
        keystore=MemoryKeyStore(KEY),
        clock=clock,
        env={"KIOSK_CONFIG": str(config), "KIOSK_DATA_DIR": str(tmp_path / "data")},
        stderr=err,
        stdout=io.StringIO(),
        show_error=shown.append,
    )
    assert cli.run([]) == 2  # `kiosk`, as autostart runs it
    assert len(shown) == 1 and str(config) in shown[0] and "poll_interval_seconds" in shown[0]
    assert str(config) in err.getvalue()
    # The sentence reaches the log too (the data folder the config did not get to name).
    for handler in logging.getLogger().handlers:
        handler.flush()
    events = (tmp_path / "data" / "logs" / "events.log").read_text()
    assert "the kiosk cannot start:" in events and "poll_interval_seconds" in events
    # Commands and --smoke keep to stderr and the exit code: scripts read those.
    assert cli.run(["status"]) == 2
    assert cli.run(["--smoke"]) == 2
    assert len(shown) == 1


def test_history_is_the_pause_log(kiosk: Runner) -> None:
    assert "No changes were made" in kiosk("history").out
    kiosk("pause", "--reason", "too_busy", "--for", "30m")
    kiosk.api.go_down()
    kiosk("resume")
    kiosk("pause", "--reason", "maintenance")  # supersedes the waiting resume
    kiosk.api.come_back()
    kiosk("sync")
    body = kiosk("history", "--json").json()
    entries = body["history"]
    assert isinstance(entries, list)
    assert [(e["status"], e["state"]) for e in entries] == [
        ("paused", "delivered"),
        ("online", "superseded"),
        ("paused", "delivered"),
    ]
    assert all(e["store_id"] == STORE and e["origin"] == "cli" for e in entries)
    human = kiosk("history", "--limit", "2").out.splitlines()
    assert len(human) == 2
    assert "pause (maintenance)" in human[0] and "confirmed by Gett" in human[0]
    assert "resume" in human[1] and "replaced by a newer change" in human[1]
    assert kiosk("history", "--limit", "0").code == 2


def test_history_says_when_a_replaced_change_may_have_reached_gett(kiosk: Runner) -> None:
    kiosk.api.faults.apply_then_hang(seconds=5)  # the pause lands; its answer never comes
    assert kiosk("pause", "--reason", "other").code == 75
    assert kiosk.api.state(STORE).is_paused
    kiosk.api.faults.clear()
    kiosk.api.go_down()
    kiosk("resume")  # replaces the pause that did land
    entries = kiosk("history", "--json").json()["history"]
    assert isinstance(entries, list)
    assert entries[1]["state"] == "superseded" and entries[1]["sent"] is True
    assert "may have reached Gett" in kiosk("history").out.splitlines()[1]
