"""The Secret Service (gnome-keyring) details an unattended store PC needs, asked without prompts.

Two things ``keyring`` cannot do without a person at the screen: tell whether the default
collection is locked *without* asking to unlock it (its unlock call shows a password prompt and
waits for it, on a screen nobody watches after an automatic login), and create a keyring that
opens by itself at the next boot. Both talk to the Secret Service over D-Bus directly (jeepney,
which ``secretstorage`` already depends on). Why a keyring without a password, and what that
protects against, is written down in packaging/README.md ("A key store that opens by itself").
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from kiosk.core.i18n import _, isolate

#: The label of the kiosk's own keyring (shown in Passwords and Keys / seahorse).
UNATTENDED_LABEL = "Gett Store Kiosk"

_BUS_NAME = "org.freedesktop.secrets"
_SERVICE_PATH = "/org/freedesktop/secrets"
_SERVICE = "org.freedesktop.Secret.Service"
_COLLECTION = "org.freedesktop.Secret.Collection"
# gnome-keyring's own interface for creating a keyring with a given password and no prompt
# (seahorse uses it). Other Secret Service providers (KWallet) do not have it.
_GNOME = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"
_TIMEOUT_S = 10.0


class SecretServiceError(Exception):
    """The Secret Service could not be asked; the message says why, in one sentence."""


def is_secret_service(backend: object) -> bool:
    """True for keyring's Secret Service backend (the one that may prompt)."""
    return type(backend).__module__.endswith(".SecretService")


@contextlib.contextmanager
def _bus() -> Iterator[Any]:
    try:
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:  # pragma: no cover - jeepney comes with secretstorage
        raise SecretServiceError(_("The D-Bus library (jeepney) is missing.")) from None
    try:
        conn = open_dbus_connection(bus="SESSION")
    except (OSError, KeyError, ValueError) as exc:
        raise SecretServiceError(
            _("No D-Bus session bus ({error}).").format(error=type(exc).__name__)
        ) from None
    try:
        yield conn
    finally:
        conn.close()


def _call(
    conn: Any, path: str, interface: str, method: str, sig: str, body: tuple[Any, ...]
) -> Any:
    from jeepney import DBusAddress, new_method_call
    from jeepney.wrappers import DBusErrorResponse, unwrap_msg

    address = DBusAddress(path, bus_name=_BUS_NAME, interface=interface)
    try:
        reply = conn.send_and_get_reply(
            new_method_call(address, method, sig or None, body), timeout=_TIMEOUT_S
        )
        return unwrap_msg(reply)
    except DBusErrorResponse as exc:
        raise SecretServiceError(
            _("The Secret Service refused {method}: {error}.").format(
                method=method, error=isolate(exc.name)
            )
        ) from None
    except (TimeoutError, OSError) as exc:
        raise SecretServiceError(
            _("The Secret Service did not answer ({error}).").format(error=type(exc).__name__)
        ) from None


def _prop(conn: Any, path: str, interface: str, name: str) -> Any:
    (value,) = _call(conn, path, "org.freedesktop.DBus.Properties", "Get", "ss", (interface, name))
    return value[1]  # a variant: (signature, value)


def _default_collection(conn: Any) -> str | None:
    (path,) = _call(conn, _SERVICE_PATH, _SERVICE, "ReadAlias", "s", ("default",))
    return None if path in ("", "/") else str(path)


def default_collection_state() -> str:
    """``"open"``, ``"locked"`` or ``"none"`` (no default keyring yet), found without a prompt.

    A keyring without a password is reported locked until someone asks to unlock it; the
    Secret Service then opens it at once. One with a password answers with a prompt instead,
    which is dismissed, never shown: nobody may be at the screen to answer it.
    """
    with _bus() as conn:
        path = _default_collection(conn)
        if path is None:
            return "none"
        return "open" if _open_without_prompt(conn, path) else "locked"


def _open_without_prompt(conn: Any, path: str) -> bool:
    if not _prop(conn, path, _COLLECTION, "Locked"):
        return True
    unlocked, prompt = _call(conn, _SERVICE_PATH, _SERVICE, "Unlock", "ao", ([path],))
    if prompt not in ("", "/"):
        with contextlib.suppress(SecretServiceError):
            _call(conn, prompt, "org.freedesktop.Secret.Prompt", "Dismiss", "", ())
    return path in unlocked


def ensure_unattended_keyring() -> bool:
    """Make the default keyring one that opens with no password at every session start.

    Creates the keyring labelled ``UNATTENDED_LABEL`` with an empty password if there is none
    and points the ``default`` alias at it (where keyring stores and reads the key). Returns
    True if something changed. Whatever was the default before (the login keyring, locked
    after an automatic login) is kept as it is; it just stops being where the key goes.
    """
    with _bus() as conn:
        current = _default_collection(conn)
        ours = _find_ours(conn)
        if ours is None:
            ours = _create_without_password(conn)
        elif not _open_without_prompt(conn, ours):
            raise SecretServiceError(
                _(
                    "The '{keyring}' keyring exists but is locked: someone gave it a "
                    "password. Delete it in Passwords and Keys (seahorse) and run this again."
                ).format(keyring=UNATTENDED_LABEL)
            )
        if current == ours:
            return False
        _call(conn, _SERVICE_PATH, _SERVICE, "SetAlias", "so", ("default", ours))
        return True


def _find_ours(conn: Any) -> str | None:
    for path in _prop(conn, _SERVICE_PATH, _SERVICE, "Collections"):
        if _prop(conn, path, _COLLECTION, "Label") == UNATTENDED_LABEL:
            return str(path)
    return None


def _create_without_password(conn: Any) -> str:
    _, session = _call(conn, _SERVICE_PATH, _SERVICE, "OpenSession", "sv", ("plain", ("s", "")))
    props = {f"{_COLLECTION}.Label": ("s", UNATTENDED_LABEL)}
    secret = (session, b"", b"", "text/plain")
    try:
        (path,) = _call(
            conn,
            _SERVICE_PATH,
            _GNOME,
            "CreateWithMasterPassword",
            "a{sv}(oayays)",
            (props, secret),
        )
    except SecretServiceError:
        raise SecretServiceError(
            "This keyring cannot create a keyring that opens by itself (only gnome-keyring "
            "can); use gnome-keyring for the kiosk user."
        ) from None
    return str(path)
