"""Run kztj with ``python -m kztj_tui``."""

from kztj_tui.cli import entry

entry()
