"""The API key lives in the OS keyring and nowhere else (no file, log, queue or argv).

Every keyring call has a deadline (:data:`KEYRING_DEADLINE`): a locked keyring may wait for a
password prompt nobody sees (behind the full-screen kiosk, or on a desktop an ssh session cannot
see), and a Secret Service that hangs on D-Bus would hold a command forever. The call runs on a
daemon thread, so one that never comes back does not hold the process at exit either.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:  # keyring is imported when a key is first read or written, not at start
    from keyring.backend import KeyringBackend

from kiosk.core.i18n import _
from kiosk.core.secret_service import (
    SecretServiceError,
    default_collection_state,
    ensure_unattended_keyring,
    is_secret_service,
)

SERVICE = "gett-store-kiosk"
USERNAME = "api-key"

# Backends that would store the key in a plain file: never used silently.
_INSECURE_BACKENDS = ("PlaintextKeyring", "EncryptedKeyring", "fail.Keyring", "null.Keyring")


def api_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a Gett API key (it must fit in an HTTP header), or None if it can."""
    if not key:
        return "it is empty."
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        return "it has spaces, accented letters or control characters. Paste it again."
    if len(key) > 4096:
        return "it is far too long. Paste just the key."
    return None


class KeyStoreError(Exception):
    """The keyring cannot be used; the message says what to install or start."""

    #: For ``--json``: ``keyring_unavailable`` (missing, failing) or ``keyring_locked``.
    kind = "keyring_unavailable"


#: Seconds any keyring call may take; then it is "locked or not answering".
KEYRING_DEADLINE = 5.0

_T = TypeVar("_T")
#: A keyring call that passed its deadline and has not come back yet: no second one is started
#: beside it (they would pile up, one per poll), the keyring is simply "not answering".
_stuck: list[threading.Thread] = []
_stuck_lock = threading.Lock()


class KeyringNotAnsweringError(KeyStoreError):
    """A keyring call passed its deadline: the keyring is locked (an unlock prompt waits where
    nobody sees it) or its service hangs."""

    kind = "keyring_locked"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            _(
                "The keyring did not answer within {seconds} seconds: it is locked (its unlock "
                "window may be waiting on this PC's screen, behind the kiosk window) or not "
                "answering. Unlock it at this PC, or run the command in the kiosk user's "
                "desktop session."
            ).format(seconds=f"{seconds:g}")
        )


class NoSessionKeyringError(KeyStoreError):
    """This session has no keyring at all (an ssh login, a service): the key's keyring lives in
    the kiosk user's desktop session."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "There is no keyring in this session (an ssh login has none), so the API key "
                "cannot be read. Run the command in the kiosk user's desktop session, or unlock "
                "the keyring there and run it again."
            )
        )


def within_deadline(call: Callable[[], _T], seconds: float = KEYRING_DEADLINE) -> _T:
    """``call()``'s result, or :class:`KeyringNotAnsweringError` once ``seconds`` pass (the
    call is left to finish on its daemon thread; while it has not, later calls fail at once)."""
    with _stuck_lock:
        if _stuck and _stuck[0].is_alive():
            raise KeyringNotAnsweringError(seconds)
        _stuck.clear()
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the caller's thread as it was
            outcome.append((False, exc))
        finally:
            done.set()

    thread = threading.Thread(target=run, name="keyring-call", daemon=True)
    thread.start()
    if not done.wait(seconds):
        with _stuck_lock:
            _stuck[:] = [thread]
        raise KeyringNotAnsweringError(seconds)
    ok, value = outcome[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


#: What the screen and the CLI say about a keyring nobody has unlocked (an automatic login).
KEYRING_LOCKED_MESSAGE = (
    "The keyring holding the API key is locked (automatic login does not unlock it). "
    "IT: run install-fleet.sh again, or unlock it at this PC."
)


#: Storing a key with no keyring at all would make keyring prompt for a new keyring's password.
NO_KEYRING_YET_MESSAGE = (
    "This user has no keyring yet (the desktop creates one at the first password login). Run "
    "`kiosk key set --unattended` to create one that opens by itself, or log in once with a "
    "password."
)


class KeyringLockedError(KeyStoreError):
    """The keyring is there but locked; asking would show a password prompt nobody answers."""

    kind = "keyring_locked"

    def __init__(self) -> None:
        super().__init__(KEYRING_LOCKED_MESSAGE)


class KeyStore(Protocol):
    """Where the API key is kept."""

    def get(self) -> str | None: ...

    def set(self, key: str) -> None: ...

    def clear(self) -> bool: ...

    def backend_name(self) -> str: ...


def _no_keyring_help() -> str:
    if sys.platform.startswith("linux"):
        return (
            "No OS keyring is available to keep the API key. Install and start a Secret Service "
            "provider: on Debian/Ubuntu `sudo apt-get install gnome-keyring` and run the kiosk "
            "in a "
            "desktop session (or KWallet on KDE). On a headless box, start one with "
            "`dbus-run-session` and `gnome-keyring-daemon --unlock`."
        )
    if sys.platform == "darwin":
        return "The macOS Keychain is not available to this user. Log in to a desktop session."
    if sys.platform == "win32":
        return "Windows Credential Manager is not available. Run the kiosk as a logged-in user."
    return "No OS keyring is available to keep the API key on this system."


class OsKeyStore:
    """The key in the OS keyring via ``keyring``: Credential Manager, Keychain, Secret Service.

    Every call ends within ``deadline`` seconds (see :func:`within_deadline`).
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        service: str = SERVICE,
        *,
        deadline: float = KEYRING_DEADLINE,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._backend = backend
        self._service = service
        self._deadline = deadline
        self._env = env

    def _keyring(self) -> KeyringBackend:
        backend = self._backend or platform_backend()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if any(bad in name for bad in _INSECURE_BACKENDS):
            # Not kept: at a login the autostarted kiosk can be up before the session's keyring
            # is, and must find it on its next look rather than only after a restart.
            if _no_session_keyring(os.environ if self._env is None else self._env):
                raise NoSessionKeyringError
            raise KeyStoreError(_no_keyring_help())
        self._backend = backend
        return backend

    def backend_name(self) -> str:
        def name() -> str:
            backend = self._keyring()
            return f"{type(backend).__module__}.{type(backend).__name__}"

        return within_deadline(name, self._deadline)

    def get(self) -> str | None:
        def get() -> str | None:
            with _keyring_errors():
                backend = self._keyring()
                if _secret_service_state(backend) == "none":
                    return None  # no keyring yet: asking would prompt to create one
                return backend.get_password(self._service, USERNAME)

        return within_deadline(get, self._deadline)

    def set(self, key: str) -> None:
        key = key.strip()
        if not key:
            raise ValueError("The API key is empty.")

        def store() -> None:
            with _keyring_errors():
                backend = self._keyring()
                if _secret_service_state(backend) == "none":
                    raise KeyStoreError(NO_KEYRING_YET_MESSAGE)
                backend.set_password(self._service, USERNAME, key)

        within_deadline(store, self._deadline)

    def prepare_unattended(self) -> bool:
        """Make the key's keyring one that opens with no person at the PC (Secret Service
        only; other keyrings open with the login). True if something changed."""

        def prepare() -> bool:
            backend = self._keyring()
            if not is_secret_service(backend):
                return False
            try:
                return ensure_unattended_keyring()
            except SecretServiceError as exc:
                raise KeyStoreError(str(exc)) from None

        return within_deadline(prepare, self._deadline)

    def clear(self) -> bool:
        """Remove the key; False if none was stored."""

        def clear() -> bool:
            try:
                with _keyring_errors():
                    backend = self._keyring()
                    if _secret_service_state(backend) == "none":
                        return False
                    backend.delete_password(self._service, USERNAME)
            except _NothingToDelete:
                return False
            return True

        return within_deadline(clear, self._deadline)


def _no_session_keyring(env: Mapping[str, str]) -> bool:
    """Linux with no keyring reachable because this is not the desktop's session: no session
    bus at all, or an ssh login (whose bus, if any, is not where the desktop's keyring is)."""
    if not sys.platform.startswith("linux"):
        return False
    return not env.get("DBUS_SESSION_BUS_ADDRESS") or bool(
        env.get("SSH_CONNECTION") or env.get("SSH_TTY")
    )


def platform_backend() -> KeyringBackend:
    """The keyring backend for this OS, named explicitly.

    keyring's own discovery asks every backend it knows whether it works here; its macOS one runs
    ``ldconfig`` and ``gcc`` to look for a library (~0.27 s on every ``kiosk`` command on Linux).
    A backend the administrator chose (``PYTHON_KEYRING_BACKEND`` or keyring's config file) still
    wins. With none usable this returns keyring's ``fail`` backend, which the caller refuses with
    the what-to-install message.
    """
    import keyring.core
    from keyring.backends import fail

    with contextlib.suppress(Exception):  # a bad admin setting: fall back to the OS default
        chosen = keyring.core.load_env() or keyring.core.load_config()
        if chosen is not None:
            return chosen
    candidates: list[type[KeyringBackend]]
    if sys.platform == "win32":
        from keyring.backends import Windows

        candidates = [Windows.WinVaultKeyring]
    elif sys.platform == "darwin":
        from keyring.backends import macOS

        candidates = [macOS.Keyring]
    else:
        from keyring.backends import SecretService, kwallet

        candidates = [SecretService.Keyring, kwallet.DBusKeyring]
    for backend in candidates:
        if backend.viable:
            return backend()
    return fail.Keyring()  # type: ignore[no-untyped-call]


class _NothingToDelete(Exception):
    pass


def _secret_service_state(backend: KeyringBackend) -> str:
    """For the Secret Service: raise KeyringLockedError instead of letting ``keyring`` show an
    unlock prompt nobody will answer (it would wait for it). ``"none"``: no keyring yet."""
    if not is_secret_service(backend):
        return "open"
    try:
        state = default_collection_state()
    except SecretServiceError:
        return "open"  # let keyring itself try, and word what fails
    if state == "locked":
        raise KeyringLockedError
    return state


@contextlib.contextmanager
def _keyring_errors() -> Iterator[None]:
    """Every keyring failure as a KeyStoreError that says what to do (never a traceback)."""
    import keyring.errors

    try:
        yield
    except keyring.errors.PasswordDeleteError:
        raise _NothingToDelete from None
    except keyring.errors.PasswordSetError:
        raise KeyStoreError("The OS keyring refused to store the key.") from None
    except keyring.errors.KeyringLocked:
        raise KeyringLockedError from None
    except keyring.errors.NoKeyringError:
        raise KeyStoreError(_no_keyring_help()) from None
    except keyring.errors.KeyringError as exc:
        raise KeyStoreError(f"The OS keyring failed: {type(exc).__name__}.") from None


class MemoryKeyStore:
    """A key held in memory only: ``--demo`` uses it so the real keyring entry is never touched."""

    def __init__(self, key: str | None = None) -> None:
        self._key = key

    def get(self) -> str | None:
        return self._key

    def set(self, key: str) -> None:
        self._key = key.strip()

    def clear(self) -> bool:
        had, self._key = self._key is not None, None
        return had

    def backend_name(self) -> str:
        return "memory (demo only; nothing is stored)"
