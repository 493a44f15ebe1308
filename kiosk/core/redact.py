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
    """Removes known secrets, any piece of them and any ``Bearer <token>`` from text.

    Pieces are found on the text's *skeleton* (its letters and digits, case-folded), so a key
    echoed in capitals, cut into groups by dashes or spaces, or split by invisible characters
    is found too; what it covered in the text, separators included, is replaced.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self._grams: dict[tuple[bool, int], frozenset[str]] = {}
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str | None) -> None:
        if not secret or len(secret) < 4:
            return
        with self._lock:
            if secret in self._secrets:
                return
            secrets = (*self._secrets, secret)
            grams: dict[tuple[bool, int], set[str]] = {}
            for known in secrets:
                # Pieces as they are (a key with much punctuation has a short skeleton), and
                # pieces of its skeleton (the key rewritten).
                for folded, form in ((False, known), (True, _skeleton(known)[0])):
                    size = min(FRAGMENT, len(form))
                    if size >= 4:
                        grams.setdefault((folded, size), set()).update(
                            form[i : i + size] for i in range(len(form) - size + 1)
                        )
            self._grams = {key: frozenset(found) for key, found in grams.items()}
            self._secrets = secrets

    def scrub(self, text: str) -> str:
        for pattern in (_BEARER, _ASSIGNED):
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        secrets, all_grams = self._secrets, self._grams
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        for (folded, size), grams in all_grams.items():
            text = _cut_pieces(text, size, grams, folded=folded)
        return text


def _as_is(text: str) -> tuple[str, list[int]]:
    return text, list(range(len(text)))


def _skeleton(text: str) -> tuple[str, list[int]]:
    """The letters and digits of ``text``, case-folded, with where each one stands in it."""
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        if c.isalnum():
            folded = c.casefold()
            chars.append(folded)
            where.extend([i] * len(folded))
    return "".join(chars), where


def _cut_pieces(text: str, size: int, grams: frozenset[str], *, folded: bool) -> str:
    """Replace every stretch of text covered by ``size``-long pieces of a secret (``folded``:
    of its skeleton, compared with the text's skeleton; separators inside go too)."""
    skeleton, where = _skeleton(text) if folded else _as_is(text)
    if len(skeleton) < size:
        return text
    covered = [False] * len(text)
    hit = False
    for i in range(len(skeleton) - size + 1):
        if skeleton[i : i + size] in grams:
            hit = True
            for j in range(where[i], where[i + size - 1] + 1):
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
