"""install-fleet.sh run again keeps every store: its config step (the script's own functions,
sourced from the real file and run by bash) on files with several stores, read back by the
kiosk's own config loader."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.core.config import Config, Store, UiSettings, load_config, save_config
from kiosk.core.pin import hash_pin

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "install-fleet.sh"
MAIN = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
HARBOUR = "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"
NEW = "5e9f1a3b-7c2d-4e6f-a8b0-c1d3e5f7a9b2"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def compose(old: str, store_id: str, name: str, api_url: str = "") -> str:
    """What the script writes to config.toml, given the file it found."""
    done = subprocess.run(
        ["bash", "-c", 'source "$0" && compose_cfg "$1" "$2" "$3" "$4"', str(SCRIPT),
         old, store_id, name, api_url],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.rstrip("\n")


@pytest.fixture
def two_stores(tmp_path: Path) -> Path:
    """A config with two stores and settings, as the kiosk's Settings screen writes it."""
    path = tmp_path / "config.toml"
    config = Config(
        api_url="https://api.example.com",
        stores=(Store(MAIN, "Main Street", closing="02:00"), Store(HARBOUR, "Harbour")),
        poll_interval_seconds=20,
        ui=UiSettings(pin_hash=hash_pin("4826", n=2), sound_volume=35),
    )
    save_config(config, path)
    return path


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "new.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return load_config(path, {"KIOSK_MANAGED_CONFIG": str(tmp_path / "none.toml")})


def test_a_new_store_is_added_and_every_other_kept(tmp_path: Path, two_stores: Path) -> None:
    old = two_stores.read_text(encoding="utf-8")
    config = load(tmp_path, compose(old, NEW, "Taco Loco"))
    assert [(s.id, s.name) for s in config.stores] == [
        (MAIN, "Main Street"),
        (HARBOUR, "Harbour"),
        (NEW, "Taco Loco"),
    ]
    before = load(tmp_path, old)
    # Every other setting is as it was (the PIN, the poll interval, closing time, the URL).
    assert replace(config, stores=before.stores) == before
    assert config.stores[0].closing == "02:00"


def test_run_again_for_a_store_it_has_renames_it_in_place(tmp_path: Path, two_stores: Path) -> None:
    old = two_stores.read_text(encoding="utf-8")
    new = compose(old, MAIN.upper(), 'Main "Street" \\ East')
    config = load(tmp_path, new)
    assert [(s.id, s.name) for s in config.stores] == [
        (MAIN, 'Main "Street" \\ East'),
        (HARBOUR, "Harbour"),
    ]
    assert config.stores[0].closing == "02:00"
    # Same arguments again: the same file, so the script leaves it alone.
    assert compose(new, MAIN, 'Main "Street" \\ East') == new


def test_the_same_run_twice_changes_nothing(tmp_path: Path) -> None:
    first = compose("", MAIN, "Main Street", "https://api.example.com")
    assert compose(first, MAIN, "Main Street", "https://api.example.com") == first
    second = compose(first, HARBOUR, "Harbour")
    config = load(tmp_path, second)
    assert [s.id for s in config.stores] == [MAIN, HARBOUR]
    assert config.api_url == "https://api.example.com"  # no --api-url: the file's is kept


def test_a_new_api_url_replaces_the_old_one(tmp_path: Path, two_stores: Path) -> None:
    new = compose(two_stores.read_text(encoding="utf-8"), HARBOUR, "Harbour", "http://127.0.0.1:9")
    assert new.count("api_url") == 1
    assert load(tmp_path, new).api_url == "http://127.0.0.1:9"
    assert tomllib.loads(new)["ui"]["sound_volume"] == 35


def test_the_config_is_written_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    """Run again over a 0644 file (as older versions wrote it) under umask 022: the new file,
    its .bak (both hold the PIN hash) and the folder are the owner's alone."""
    folder = tmp_path / "cfg"
    target = folder / "config.toml"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    target.write_text('[ui]\npin_hash = "old"\n', encoding="utf-8")
    target.chmod(0o644)
    write = 'umask 022; source "$0" && printf "x = 1\\n" | sh -c "$WRITE_CFG_SH" sh "$1" "$2"'
    done = subprocess.run(
        ["bash", "-c", write, str(SCRIPT), str(folder), str(target)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == "x = 1\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert (folder / "config.toml.bak").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert not (folder / "config.toml.tmp").exists()
