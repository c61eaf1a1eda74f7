"""Run kztj with ``python -m kztj_tui``."""

from kztj_tui.launch import main

main()
