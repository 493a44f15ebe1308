"""The API key lives in the OS keyring and nowhere else (no file, log, queue or argv)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # keyring is imported when a key is first read or written, not at start
    from keyring.backend import KeyringBackend

from kiosk.core.i18n import N_, _
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
        return _("it is empty.")
    if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
        return _("it has spaces, accented letters or control characters. Paste it again.")
    if len(key) > 4096:
        return _("it is far too long. Paste just the key.")
    return None


class KeyStoreError(Exception):
    """The keyring cannot be used; the message says what to install or start."""


#: What the screen and the CLI say about a keyring nobody has unlocked (an automatic login).
KEYRING_LOCKED_MESSAGE = N_(
    "The keyring holding the API key is locked (automatic login does not unlock it). "
    "IT: run install-fleet.sh again, or unlock it at this PC."
)


#: Storing a key with no keyring at all would make keyring prompt for a new keyring's password.
NO_KEYRING_YET_MESSAGE = N_(
    "This user has no keyring yet (the desktop creates one at the first password login). Run "
    "`kiosk key set --unattended` to create one that opens by itself, or log in once with a "
    "password."
)


class KeyringLockedError(KeyStoreError):
    """The keyring is there but locked; asking would show a password prompt nobody answers."""

    def __init__(self) -> None:
        super().__init__(_(KEYRING_LOCKED_MESSAGE))


class KeyStore(Protocol):
    """Where the API key is kept."""

    def get(self) -> str | None: ...

    def set(self, key: str) -> None: ...

    def clear(self) -> bool: ...

    def backend_name(self) -> str: ...


def _no_keyring_help() -> str:
    if sys.platform.startswith("linux"):
        return _(
            "No OS keyring is available to keep the API key. Install and start a Secret Service "
            "provider: on Debian/Ubuntu `sudo apt-get install gnome-keyring` and run the kiosk "
            "in a desktop session (or KWallet on KDE). On a headless box, start one with "
            "`dbus-run-session` and `gnome-keyring-daemon --unlock`."
        )
    if sys.platform == "darwin":
        return _("The macOS Keychain is not available to this user. Log in to a desktop session.")
    if sys.platform == "win32":
        return _("Windows Credential Manager is not available. Run the kiosk as a logged-in user.")
    return _("No OS keyring is available to keep the API key on this system.")


class OsKeyStore:
    """The key in the OS keyring via ``keyring``: Credential Manager, Keychain, Secret Service."""

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE) -> None:
        self._backend = backend
        self._service = service

    def _keyring(self) -> KeyringBackend:
        backend = self._backend or platform_backend()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if any(bad in name for bad in _INSECURE_BACKENDS):
            # Not kept: at a login the autostarted kiosk can be up before the session's keyring
            # is, and must find it on its next look rather than only after a restart.
            raise KeyStoreError(_no_keyring_help())
        self._backend = backend
        return backend

    def backend_name(self) -> str:
        backend = self._keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def get(self) -> str | None:
        with _keyring_errors():
            backend = self._keyring()
            if _secret_service_state(backend) == "none":
                return None  # no keyring yet: asking would prompt to create one
            return backend.get_password(self._service, USERNAME)

    def set(self, key: str) -> None:
        key = key.strip()
        if not key:
            raise ValueError(_("The API key is empty."))
        with _keyring_errors():
            backend = self._keyring()
            if _secret_service_state(backend) == "none":
                raise KeyStoreError(_(NO_KEYRING_YET_MESSAGE))
            backend.set_password(self._service, USERNAME, key)

    def prepare_unattended(self) -> bool:
        """Make the key's keyring one that opens with no person at the PC (Secret Service
        only; other keyrings open with the login). True if something changed."""
        backend = self._keyring()
        if not is_secret_service(backend):
            return False
        try:
            return ensure_unattended_keyring()
        except SecretServiceError as exc:
            raise KeyStoreError(str(exc)) from None

    def clear(self) -> bool:
        """Remove the key; False if none was stored."""
        try:
            with _keyring_errors():
                backend = self._keyring()
                if _secret_service_state(backend) == "none":
                    return False
                backend.delete_password(self._service, USERNAME)
        except _NothingToDelete:
            return False
        return True


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
        raise KeyStoreError(_("The OS keyring refused to store the key.")) from None
    except keyring.errors.KeyringLocked:
        raise KeyringLockedError from None
    except keyring.errors.NoKeyringError:
        raise KeyStoreError(_no_keyring_help()) from None
    except keyring.errors.KeyringError as exc:
        raise KeyStoreError(
            _("The OS keyring failed: {error}.").format(error=type(exc).__name__)
        ) from None


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
