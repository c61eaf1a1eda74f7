"""The settings file's keymap, checked before it is used: a key that breaks other keys is not applied.

Textual applies a keymap as it is written: an entry with a key name it does not know leaves the
binding with no working key (``"timeline.down" = "notakey!!"`` kills both ``j`` and ↓), and a key
given to a second binding where the first applies takes it from the first (``"main.axis" = "q"``
leaves no quit key; ``"main.axis" = "j"`` puts the axis where the timeline's ``j`` always wins).
Such an entry gets a one-line notice and is left out, so its binding keeps its default keys.
Ctrl+Q quits whatever the keymap says.

Key names are Textual's: a character (``v``, ``?``), a name from ``textual.keys`` (``down``,
``pagedown``, ``f5``), a character's name (``question_mark``, ``plus``), with modifiers
(``ctrl+n``, ``alt+left``, ``shift+tab``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

from textual.binding import Binding
from textual.keys import REPLACED_KEYS, Keys, _character_to_key, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
QUIT_KEY = "ctrl+q"
QUIT_ID = "app.quit"
# Keys that are another key's other name in Textual.
_ALIASES = {"ctrl+i": "tab", "ctrl+m": "enter", "return": "enter", "ctrl+j": "newline"}


@cache
def _named_keys() -> frozenset[str]:
    """The key names of ``textual.keys`` without their modifiers (``up``, ``pagedown``, ``f5``, ``a``)."""
    return frozenset(key.value.rpartition("+")[2] for key in Keys if not key.value.startswith("<"))


def is_key(name: str) -> bool:
    """Whether Textual knows ``name`` as a key: a character or a key name, with modifiers."""
    if len(name) == 1:
        return name.isprintable()
    *modifiers, base = name.split("+")
    if not base or any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    if base in _named_keys():
        return True
    character = key_to_character(REPLACED_KEYS.get(base, base))
    if character is None:
        try:
            character = unicodedata.lookup(REPLACED_KEYS.get(base, base).replace("_", " ").upper())
        except KeyError:
            return False
    return len(character) == 1 and character.isprintable()


def bad_key(keys: str) -> str | None:
    """The first name in a comma-separated list of keys that is not a key, or None."""
    for name in keys.split(","):
        if not is_key(name.strip()):
            return name.strip()
    return None


def _canonical(name: str) -> str:
    key = _character_to_key(name) if len(name) == 1 else name
    return _ALIASES.get(key, key)


def _keys(keys: str) -> set[str]:
    return {_canonical(name.strip()) for name in keys.split(",") if name.strip()}


def _identity(binding: Binding) -> str:
    """A binding's id, or a name of its own for one without (Textual's scrolling keys, say)."""
    return binding.id or f"<{binding.action}>"


def _clash(
    binding_id: str, keymap: Mapping[str, str], places: Iterable[tuple[str, list[Binding]]]
) -> tuple[str, str, str] | None:
    """(key, the other bindings, place) where ``binding_id``'s keys in ``keymap`` meet another binding's, else None.

    Bindings that share a key by default are meant to (the screen lets one of them work at a
    time, as Esc leaves the detail pane or clears the search): they never clash.
    """
    for place, bindings in places:
        ours = [b for b in bindings if b.id == binding_id]
        if not ours:
            continue
        default_keys: dict[str, set[str]] = {}
        keys: dict[str, set[str]] = {}
        for b in bindings:  # Textual holds a binding of several keys as one Binding per key
            default_keys.setdefault(_identity(b), set()).update(_keys(b.key))
            given = keymap.get(b.id) if b.id is not None else None
            keys.setdefault(_identity(b), set()).update(_keys(given if given is not None else b.key))
        clashing: dict[str, set[str]] = {}
        for name, others in keys.items():
            if name != binding_id and not default_keys[name] & default_keys[binding_id]:
                for key in keys[binding_id] & others:
                    clashing.setdefault(key, set()).add(name)
        if clashing:
            key = min(clashing)
            return key, " and ".join(sorted(clashing[key])), place
    return None


def checked(
    keymap: Mapping[str, str], known: Iterable[str], places: Iterable[tuple[str, list[Binding]]] | None = None
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The keymap to apply, and (binding id, problem) for each entry left out of it.

    ``known`` are the binding ids (an unknown one is said elsewhere and left in: it does nothing).
    Of two entries that give the same key where both apply, the later in the file is left out.
    The entry for Ctrl+Q's binding keeps Ctrl+Q among its keys.
    """
    known = set(known)
    if places is None:
        from .bindings import places as every_place

        places = every_place()
    place_list = list(places)
    accepted: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for binding_id, keys in keymap.items():
        bad = bad_key(keys)
        if bad is not None:
            problems.append((binding_id, f'{bad!r} is not a key name (e.g. "v", "down", "ctrl+n", "question_mark")'))
        elif binding_id == QUIT_ID and QUIT_KEY not in _keys(keys):
            accepted[binding_id] = f"{keys},{QUIT_KEY}"  # Ctrl+Q always quits
        else:
            accepted[binding_id] = keys
    while True:
        # Leaving an entry out gives its binding back its default keys, which may clash in turn.
        for binding_id in reversed([b for b in accepted if b in known]):
            clash = _clash(binding_id, accepted, place_list)
            if clash is not None:
                key, other, place = clash
                problems.append((binding_id, f"{key!r} is already {other} in {place}"))
                del accepted[binding_id]
                break
        else:
            return accepted, problems
