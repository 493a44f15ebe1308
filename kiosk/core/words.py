"""Words shared by the CLI and the screen, so both say the same thing about the same fact.

It sits in the core because the core is the one layer both the CLI and the UI stand on (and it
already phrases its errors and attentions for people); it needs nothing but core types.
"""

from __future__ import annotations

import math

from kiosk.core.clock import NOTICEABLE_OFFSET
from kiosk.core.i18n import N_
from kiosk.core.models import PauseReason, StoreStatus
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import AttentionKind


def format_duration(seconds: float) -> str:
    """``less than a minute``, ``23 min``, ``1 h 05 min``: rounded up, never shows 0 too early."""
    if seconds < 60:
        return "less than a minute"
    minutes = math.ceil(seconds / 60 - 1e-9)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def reason_text(reason: PauseReason | str | None) -> str:
    """A pause reason for the screen (the CLI says it in lower case)."""
    if reason is None:
        return "No reason given"
    if isinstance(reason, PauseReason):
        return reason.label
    return f"“{reason}” (a reason this kiosk does not know)"


def status_word(status: StoreStatus) -> str:
    if status.is_online:
        return "ONLINE"
    if status.is_paused:
        return "PAUSED"
    return f"“{status.status}”"


#: What became of a change, as the pause log and the screen say it.
OUTCOMES: dict[IntentState, str] = {
    IntentState.DELIVERED: "confirmed by Gett",
    IntentState.SUPERSEDED: "replaced by a newer change before it was sent",
    IntentState.EXPIRED: "not sent: its end time passed first",
    IntentState.FAILED: "refused by Gett",
    IntentState.DISMISSED: "dropped: Gett's state was kept",
    IntentState.PENDING: "waiting to be sent",
    IntentState.HELD: "waiting for a valid API key",
    IntentState.CONFLICT: "waiting: changed elsewhere, a person must choose",
}

#: A superseded change of which a request may have reached Gett before it was replaced.
SUPERSEDED_AFTER_SENDING = "replaced by a newer change; an earlier attempt may have reached Gett"

#: The banner's title for each attention.
ATTENTION_TITLES: dict[AttentionKind, str] = {
    AttentionKind.PAUSE_EXPIRED: "A pause was not sent",
    AttentionKind.REQUEST_REJECTED: "Gett refused a change",
    AttentionKind.QUEUE_ERROR: "Changes cannot be saved",
    AttentionKind.QUEUE_RECOVERED: "The queue was repaired",
    AttentionKind.KEY_MISSING: "No API key",
    AttentionKind.KEYRING_UNAVAILABLE: "The API key cannot be read",
    AttentionKind.KEY_REJECTED: "API key rejected",
    AttentionKind.CERTIFICATE_UNTRUSTED: "Gett's certificate not trusted",
    AttentionKind.STORE_UNKNOWN: "Unknown store",
    AttentionKind.CONFLICT: "Changed elsewhere",
}


#: The big panel's line for what a manager must fix (every kind whose ``needs_manager``).
MANAGER_WORDS: dict[AttentionKind, str] = {
    AttentionKind.KEY_MISSING: "No API key is stored",
    AttentionKind.KEY_REJECTED: "Gett did not accept the API key",
    AttentionKind.STORE_UNKNOWN: "Gett does not know this store",
    AttentionKind.CERTIFICATE_UNTRUSTED: "Gett's certificate could not be verified",
}


def attention_title(kind: AttentionKind) -> str:
    return ATTENTION_TITLES.get(kind, "Needs attention")


def outcome(state: IntentState, *, sent: bool = False) -> str:
    """What became of a change (``sent``: a request for it may have reached Gett)."""
    if state is IntentState.SUPERSEDED and sent:
        return SUPERSEDED_AFTER_SENDING
    return OUTCOMES[state]


def intent_outcome(intent: Intent) -> str:
    """What became of one change in the pause log (CLI and screen), with Gett's refusal."""
    text = outcome(intent.state, sent=intent.sent)
    if intent.state is IntentState.FAILED and intent.last_error:
        text += f" ({intent.last_error})"
    return text


def describe_offset(offset: float, *, short: bool = False) -> str | None:
    """How far this PC's clock is off Gett's, in words, or None when it is close enough.

    "This PC's clock is 3 h 5 min ahead of Gett's; ..." (``short``: "PC clock 3 h 5 min
    ahead", for the screen's connection line).
    """
    if abs(offset) <= NOTICEABLE_OFFSET:
        return None
    minutes = round(abs(offset) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    amount = " ".join(p for p in parts if p and not (p == "0 min" and (days or hours)))
    if short:
        return f"PC clock {amount} {'behind' if offset > 0 else 'ahead'}"
    side = "behind" if offset > 0 else "ahead of"
    return f"This PC's clock is {amount} {side} Gett's; the kiosk uses Gett's time."


#: The screen's words for a keyring that is locked or not answering: its unlock window, if one
#: shows, may be hidden behind the full-screen kiosk.
KEYRING_LOCKED_ON_SCREEN = N_(
    "The keyring with the API key is locked. Unlock it at this PC: its password window may "
    "be hidden behind the kiosk."
)
