"""Words shared by the CLI and the screen, so both say the same thing about the same fact.

It sits in the core because the core is the one layer both the CLI and the UI stand on (and it
already phrases its errors and attentions for people); it needs nothing but core types. Every
sentence goes through :mod:`kiosk.core.i18n`; the tables hold English marked with ``N_`` and
are translated when read, so a language chosen after import applies.
"""

from __future__ import annotations

import math

from kiosk.core.clock import NOTICEABLE_OFFSET
from kiosk.core.i18n import N_, _, isolate, ltr, ngettext
from kiosk.core.models import PauseReason, StoreStatus
from kiosk.core.outbox import Intent, IntentState
from kiosk.core.sync import AttentionKind


def format_duration(seconds: float) -> str:
    """``less than a minute``, ``23 min``, ``1 h 05 min``: rounded up, never shows 0 too early."""
    if seconds < 60:
        return _("less than a minute")
    minutes = math.ceil(seconds / 60 - 1e-9)
    if minutes < 60:
        return ngettext("{minutes} min", "{minutes} min", minutes).format(minutes=ltr(minutes))
    hours, rest = divmod(minutes, 60)
    if not rest:
        return ngettext("{hours} h", "{hours} h", hours).format(hours=ltr(hours))
    return _("{hours} h {minutes} min").format(hours=ltr(hours), minutes=ltr(f"{rest:02d}"))


def reason_text(reason: PauseReason | str | None) -> str:
    """A pause reason for the screen (the CLI says it in lower case)."""
    if reason is None:
        return _("No reason given")
    if isinstance(reason, PauseReason):
        return reason.label
    return _("“{reason}” (a reason this kiosk does not know)").format(reason=isolate(reason))


def status_word(status: StoreStatus) -> str:
    if status.is_online:
        return _("ONLINE")
    if status.is_paused:
        return _("PAUSED")
    return _("“{status}”").format(status=isolate(status.status))


#: What became of a change, as the pause log and the screen say it (translated when read).
OUTCOMES: dict[IntentState, str] = {
    IntentState.DELIVERED: N_("confirmed by Gett"),
    IntentState.SUPERSEDED: N_("replaced by a newer change before it was sent"),
    IntentState.EXPIRED: N_("not sent: its end time passed first"),
    IntentState.FAILED: N_("refused by Gett"),
    IntentState.DISMISSED: N_("dropped: Gett's state was kept"),
    IntentState.PENDING: N_("waiting to be sent"),
    IntentState.HELD: N_("waiting for a valid API key"),
    IntentState.CONFLICT: N_("waiting: changed elsewhere, a person must choose"),
}

#: A superseded change of which a request may have reached Gett before it was replaced.
SUPERSEDED_AFTER_SENDING = N_(
    "replaced by a newer change; an earlier attempt may have reached Gett"
)

#: The banner's title for each attention (translated when read).
ATTENTION_TITLES: dict[AttentionKind, str] = {
    AttentionKind.PAUSE_EXPIRED: N_("A pause was not sent"),
    AttentionKind.REQUEST_REJECTED: N_("Gett refused a change"),
    AttentionKind.QUEUE_ERROR: N_("Changes cannot be saved"),
    AttentionKind.QUEUE_RECOVERED: N_("The queue was repaired"),
    AttentionKind.KEY_MISSING: N_("No API key"),
    AttentionKind.KEYRING_UNAVAILABLE: N_("The API key cannot be read"),
    AttentionKind.KEY_REJECTED: N_("API key rejected"),
    AttentionKind.CERTIFICATE_UNTRUSTED: N_("Gett's certificate not trusted"),
    AttentionKind.STORE_UNKNOWN: N_("Unknown store"),
    AttentionKind.CONFLICT: N_("Changed elsewhere"),
}
NEEDS_ATTENTION = N_("Needs attention")


#: The big panel's line for what a manager must fix (every kind whose ``needs_manager``).
MANAGER_WORDS: dict[AttentionKind, str] = {
    AttentionKind.KEY_MISSING: N_("No API key is stored"),
    AttentionKind.KEY_REJECTED: N_("Gett did not accept the API key"),
    AttentionKind.STORE_UNKNOWN: N_("Gett does not know this store"),
    AttentionKind.CERTIFICATE_UNTRUSTED: N_("Gett's certificate could not be verified"),
}


def attention_title(kind: AttentionKind) -> str:
    return _(ATTENTION_TITLES.get(kind, NEEDS_ATTENTION))


def manager_words(kind: AttentionKind) -> str | None:
    """The manager panel's line for ``kind`` in the current language, or None if it has none."""
    words = MANAGER_WORDS.get(kind)
    return None if words is None else _(words)


def outcome(state: IntentState, *, sent: bool = False) -> str:
    """What became of a change (``sent``: a request for it may have reached Gett)."""
    if state is IntentState.SUPERSEDED and sent:
        return _(SUPERSEDED_AFTER_SENDING)
    return _(OUTCOMES[state])


def intent_outcome(intent: Intent) -> str:
    """What became of one change in the pause log (CLI and screen), with Gett's refusal."""
    text = outcome(intent.state, sent=intent.sent)
    if intent.state is IntentState.FAILED and intent.last_error:
        return _("refused by Gett ({error})").format(error=isolate(intent.last_error))
    return text


def describe_offset(offset: float, *, short: bool = False) -> str | None:
    """How far this PC's clock is off Gett's, in words, or None when it is close enough.

    "This PC's clock is 3 h 5 min ahead of Gett's; ..." (``short``: "PC clock 3 h 5 min
    ahead", for the screen's connection line).
    """
    if abs(offset) <= NOTICEABLE_OFFSET:
        return None
    amount = _offset_amount(round(abs(offset) / 60))
    behind = offset > 0
    if short:
        template = _("PC clock {amount} behind") if behind else _("PC clock {amount} ahead")
        return template.format(amount=amount)
    if behind:
        template = _("This PC's clock is {amount} behind Gett's; the kiosk uses Gett's time.")
    else:
        template = _("This PC's clock is {amount} ahead of Gett's; the kiosk uses Gett's time.")
    return template.format(amount=amount)


def _offset_amount(total_minutes: int) -> str:
    """``1 d 3 h 5 min`` as one template per shape, so each language orders its own words."""
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    d, h, m = ltr(days), ltr(hours), ltr(minutes)
    if days and hours and minutes:
        return _("{days} d {hours} h {minutes} min").format(days=d, hours=h, minutes=m)
    if days and hours:
        return _("{days} d {hours} h").format(days=d, hours=h)
    if days and minutes:
        return _("{days} d {minutes} min").format(days=d, minutes=m)
    if days:
        return _("{days} d").format(days=d)
    if hours and minutes:
        return _("{hours} h {minutes} min").format(hours=h, minutes=m)
    if hours:
        return ngettext("{hours} h", "{hours} h", hours).format(hours=h)
    return ngettext("{minutes} min", "{minutes} min", minutes).format(minutes=m)


#: The screen's words for a keyring that is locked or not answering: its unlock window, if one
#: shows, may be hidden behind the full-screen kiosk.
KEYRING_LOCKED_ON_SCREEN = N_(
    "The keyring with the API key is locked. Unlock it at this PC: its password window may "
    "be hidden behind the kiosk."
)
