"""argparse's own words ("usage:", "the following arguments are required: %s") in the kiosk's
language.

argparse translates its words with gettext's module-level ``_`` and ``ngettext``, which it
imports by name (``from gettext import gettext as _, ngettext``) and looks up when it speaks
(Python 3.11 to 3.13), so pointing those two names at the kiosk's catalog is enough. The table
below copies argparse's msgids exactly (%-format, as argparse fills them) so extraction puts them
in our catalogs; only the ones a kiosk command line can hit.
"""

from __future__ import annotations

import argparse

from kiosk.core import i18n
from kiosk.core.i18n import N_

#: argparse's msgids, copied from Python 3.11's argparse.py (unchanged in 3.12 and 3.13).
MESSAGES: tuple[str, ...] = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)


def install() -> None:
    """argparse speaks through the kiosk's catalog from now on (English stays as it was)."""
    setattr(argparse, "_", i18n._)  # noqa: B010 (not in argparse's stub)
    setattr(argparse, "ngettext", i18n.ngettext)  # noqa: B010
