"""A typed answer to the options shown: the one matcher every channel shares.

People type where a button was shown: "Checkout" for "✅ Checkout", "готово" for "✅ Готово",
"корзина" for "🛒 Корзина (3)", or "2" for the second of options shown as numbered lines. The
engine keeps the options of the replies it last returned to each user (in the conversation, so
every worker and every channel reads the same) and turns a typed text that names one of them
into that option's tap, before anything else reads the text:

- a label matches as people type it: without its emoji or symbols, in any case, with or without
  punctuation, with or without a count in brackets; a text that fits two options picks none;
- a number picks an option only where the channel showed the options numbered (`Event.numbered`,
  the plain-text rendering's `[n] Label`) and the current step takes no number itself
  (`Flow.takes_number`: a quantity, a day, an amount), where "6" is six, never the sixth option.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from core.parsing import typed_whole_number
from core.types import Button, Reply

# The conversation slot holding the options last shown: [[label, action token], ...].
SHOWN = "_shown"
# A character drawn as an emoji (followed by the emoji variation selector): "ℹ️" is a letter
# to Unicode, and NFKC would make it an "i" that nobody types.
_EMOJI_PRESENTATION = re.compile(".\ufe0f")
# Characters that only decorate a label: variation selectors (the "️" of "✏️"), joiners.
_DECORATION = re.compile("[\ufe00-\ufe0f\u200b-\u200d\u2060\U000e0100-\U000e01ef]")
_BRACKETED = re.compile(r"\([^()]*\)")


def folded(text: str) -> str:
    """``text`` as compared: letters and digits only (emoji, symbols and punctuation become
    spaces), case folded, "ё" read as "е", spaces collapsed."""
    text = _EMOJI_PRESENTATION.sub(" ", text)
    text = _DECORATION.sub("", unicodedata.normalize("NFKC", text))
    kept = [char if unicodedata.category(char)[0] in "LNM" else " " for char in text.casefold()]
    return " ".join("".join(kept).replace("ё", "е").split())


def _forms(label: str) -> tuple[str, str]:
    """How a label may be typed: whole, and without what it has in brackets (a count)."""
    return folded(label), folded(_BRACKETED.sub(" ", label))


def remember(slots: dict[str, Any], replies: Iterable[Reply]) -> None:
    """Keep the options of ``replies`` (the last shown to this user) in the conversation's
    ``slots``; none shown (a question without buttons) forgets the older ones."""
    shown = [[button.label, button.action] for reply in replies for button in reply.options()]
    if shown:
        slots[SHOWN] = shown
    else:
        slots.pop(SHOWN, None)


def also_shown(slots: dict[str, Any], buttons: Sequence[Button]) -> int:
    """Add ``buttons`` (a notice's, shown after the replies) to the options kept by `remember`,
    so that a typed answer names them too; the number the first of them is shown with."""
    shown = [list(option) for option in shown_in(slots)]
    slots[SHOWN] = shown + [[button.label, button.action] for button in buttons]
    return len(shown) + 1


def shown_in(slots: dict[str, Any]) -> list[tuple[str, str]]:
    """The options kept by `remember`, as (label, action token) pairs."""
    kept = slots.get(SHOWN)
    if not isinstance(kept, list):
        return []
    return [
        (str(item[0]), str(item[1])) for item in kept if isinstance(item, list) and len(item) == 2
    ]


def pick(text: str, options: Sequence[tuple[str, str]], *, by_number: bool) -> str | None:
    """The action token of the option ``text`` names, or None: by its number (where
    ``by_number``: the options were shown numbered and the step takes no number), else by its
    label as people type it (module docstring)."""
    if not options:
        return None
    if by_number:
        number = typed_whole_number(text, 1, len(options))
        if number is not None:
            return options[number - 1][1]
    typed = folded(text)
    if not typed or (typed.isdigit() and typed != text.strip()):
        return None  # a sign or a point makes "-3" or "3.5" no option's "3"
    for form in (0, 1):  # the whole label first, then without its brackets
        found = {action for label, action in options if _forms(label)[form] == typed}
        if len(found) == 1:
            return found.pop()
        if found:
            return None  # two options read alike: the step will ask
    return None
