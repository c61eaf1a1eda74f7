"""Where a piece of the store's data stands in its YAML text: data paths to PATH:LINE:COL problems."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import Problem

Loc = tuple[str | int, ...]


class Locator:
    """Maps a data path such as ("events", 3, "title") to a YAML line and column."""

    def __init__(self, text: str, path: str) -> None:
        import yaml

        from .collection import paused

        self.path = path
        try:
            # Millions of nodes and marks for a large store, in no cycle: with the collector running, its
            # passes over them were more than half the time (100,000 events: 25 s, 11 s without).
            with paused():
                self.root = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            self.root = None

    def problem(self, loc: Loc, message: str, at_key: bool = False) -> Problem:
        import yaml

        node = self.root
        for index, part in enumerate(loc):
            last = index == len(loc) - 1
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        node = key_node if (last and at_key) else value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                break
        if node is None:
            return Problem(self.path, 1, 1, message)
        mark = node.start_mark
        return Problem(self.path, mark.line + 1, mark.column + 1, message)


def dotted(loc: Iterable[str | int]) -> str:
    """A data path as people write it: ``events[3].title``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
