"""The API key against a real Secret Service keyring (gnome-keyring on a private bus)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from kiosk.core.keystore import KeyStoreError, MemoryKeyStore, OsKeyStore


def test_set_get_clear_in_the_real_keyring(keystore: OsKeyStore) -> None:
    assert keystore.get() is None
    keystore.set("  sk_test_abc123  ")
    assert keystore.get() == "sk_test_abc123"
    assert "SecretService" in keystore.backend_name()
    assert keystore.clear() is True
    assert keystore.get() is None
    assert keystore.clear() is False


def test_key_is_really_in_the_os_keyring(keystore: OsKeyStore) -> None:
    keystore.set("sk_test_visible_to_os")
    # Read back through the keyring library directly, as another process would.
    assert keyring.get_password(keystore._service, "api-key") == "sk_test_visible_to_os"


def test_empty_key_is_refused(keystore: OsKeyStore) -> None:
    with pytest.raises(ValueError, match="empty"):
        keystore.set("   ")


def test_no_backend_explains_what_to_install() -> None:
    store = OsKeyStore(backend=fail.Keyring())
    with pytest.raises(KeyStoreError, match="gnome-keyring") as info:
        store.get()
    assert info.value.__cause__ is None
    with pytest.raises(KeyStoreError):
        store.set("sk_x")


def test_plaintext_backends_are_never_used() -> None:
    class PlaintextKeyring(fail.Keyring):
        priority = 1  # type: ignore[assignment]

    with pytest.raises(KeyStoreError, match="keyring"):
        OsKeyStore(backend=PlaintextKeyring()).get()


def test_memory_store_for_demo() -> None:
    store = MemoryKeyStore("demo-key")
    assert store.get() == "demo-key"
    assert "demo" in store.backend_name()
    assert store.clear() and store.get() is None


def test_a_keyring_that_comes_up_later_is_found_without_a_restart(
    real_keyring_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a login the autostarted kiosk can start before the session's keyring: the first look
    finds none, and the next look (the worker retries each poll) must find it."""
    store = OsKeyStore(service="gett-store-kiosk-test-later")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    with pytest.raises(KeyStoreError, match="No OS keyring"):
        store.get()
    monkeypatch.undo()  # the session's keyring is up now
    assert store.get() is None  # found, and simply empty
    store.set("sk_later_0123456789")
    try:
        assert store.get() == "sk_later_0123456789"
    finally:
        store.clear()


def test_a_keyring_call_that_hangs_is_cut_at_the_deadline_and_not_stacked() -> None:
    """A backend that blocks (a Secret Service waiting on a prompt nobody sees): the call ends
    at its deadline, later calls fail at once while it hangs, and work again once it returns."""
    import threading
    import time

    from kiosk.core.keystore import KeyringNotAnsweringError

    release = threading.Event()
    calls: list[str] = []

    class HangingKeyring(fail.Keyring):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            calls.append(service)
            release.wait(30)
            return "sk_after_unlock"

    store = OsKeyStore(backend=HangingKeyring(), deadline=0.3)
    started = time.monotonic()
    with pytest.raises(KeyringNotAnsweringError, match=r"did not answer within 0\.3 seconds"):
        store.get()
    waited = time.monotonic() - started
    assert 0.3 <= waited < 2.0
    started = time.monotonic()
    with pytest.raises(KeyringNotAnsweringError):
        store.get()  # the first call still hangs: no second thread beside it
    assert time.monotonic() - started < 0.2 and calls == ["gett-store-kiosk"]
    release.set()  # the keyring answers at last (someone unlocked it)
    deadline = time.monotonic() + 5
    while True:
        try:
            assert store.get() == "sk_after_unlock"
            break
        except KeyringNotAnsweringError:
            assert time.monotonic() < deadline  # the stuck call has not returned yet
            threading.Event().wait(0.01)
