"""Making outside text safe to keep and show: no secret, no control character, a bounded length.

Server text (Problem Details, unknown enum values, request ids, headers) enters the program in
the client and is cleaned there, once, so no later output path (the screen, the CLI, ``--json``,
the queue file, the log) can forget to. The log filter uses the same scrubber as a last line.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable

REDACTED = "[redacted]"
#: How much of a server's sentence is worth showing a person (Problem Details titles are short).
MAX_TEXT = 300
#: A run this long that also appears in a secret is taken for a piece of it (a server that
#: echoes half a key, or the key cut by a line break, still leaks it).
FRAGMENT = 12

_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[^\s'\",;}]+")
_ASSIGNED = re.compile(
    r"(?i)\b(api[-_]?key|access[-_]?token|token|authorization)(\s*[:=]\s*)[^\s'\",;}]+"
)
_SPACES = re.compile(r"\s+")


class Scrubber:
    """Removes known secrets, any fragment of them and any ``Bearer <token>`` from text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self._grams: dict[int, frozenset[str]] = {}
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str | None) -> None:
        if not secret or len(secret) < 4:
            return
        with self._lock:
            if secret in self._secrets:
                return
            self._secrets = (*self._secrets, secret)
            grams: dict[int, set[str]] = {}
            for known in self._secrets:
                size = min(FRAGMENT, len(known))
                grams.setdefault(size, set()).update(
                    known[i : i + size] for i in range(len(known) - size + 1)
                )
            self._grams = {size: frozenset(found) for size, found in grams.items()}

    def scrub(self, text: str) -> str:
        for pattern in (_BEARER, _ASSIGNED):
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        secrets, all_grams = self._secrets, self._grams
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        for size, grams in all_grams.items():
            text = _cut_fragments(text, size, grams)
        return text


def _cut_fragments(text: str, size: int, grams: frozenset[str]) -> str:
    """Replace every maximal run of text covered by ``size``-long pieces of a secret."""
    if len(text) < size:
        return text
    covered = [False] * len(text)
    hit = False
    for i in range(len(text) - size + 1):
        if text[i : i + size] in grams:
            hit = True
            for j in range(i, i + size):
                covered[j] = True
    if not hit:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        if covered[i]:
            out.append(REDACTED)
            while i < len(text) and covered[i]:
                i += 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def printable(text: str, limit: int = MAX_TEXT) -> str:
    """One line of plain text: control and format characters (escape codes, bidi overrides,
    newlines) become spaces, runs of space fold, and the length is bounded."""
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co") else c
        for c in text[: limit * 4]
    )
    cleaned = _SPACES.sub(" ", cleaned).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def outside_text(text: str, scrubber: Scrubber, limit: int = MAX_TEXT) -> str:
    """Text from outside made fit to keep and show: scrubbed first (so cutting cannot split a
    secret into pieces too short to recognise), then one bounded printable line."""
    return printable(scrubber.scrub(text[: limit * 4]), limit)
