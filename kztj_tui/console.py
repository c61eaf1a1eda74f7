"""What the command line prints beside its output: one-line messages on stderr, and JSON, safe for a terminal."""

from __future__ import annotations

import json
import sys

from .text import visible, visible_json


def say(message: str) -> None:
    """One line on stderr: every message goes through here, so what it quotes cannot drive the terminal."""
    print(f"kztj: {visible(message)}", file=sys.stderr)


def json_text(data: object) -> str:
    """Indented JSON for stdout, with the characters a terminal would act on escaped (still the same data)."""
    return visible_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
