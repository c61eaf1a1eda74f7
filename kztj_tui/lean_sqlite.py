"""SQLite for the warm commands, without what :mod:`sqlite3` imports for itself.

``import sqlite3`` runs :mod:`sqlite3.dbapi2`, which imports :mod:`datetime` and
:mod:`collections.abc` to register its date adapters: ~1.7 ms of a ~25 ms warm ``kztj search``
(benchmarks/run.py). Its classes and functions are :mod:`_sqlite3`'s, the C module under it, so
this gives that module where it exists and :mod:`sqlite3` otherwise. kztj passes no date objects
to SQLite; once any module imports :mod:`sqlite3`, its adapters apply here too (one module object).
"""

from __future__ import annotations

from .lean_typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3 as sqlite3
else:
    try:
        import _sqlite3 as sqlite3
    except ImportError:  # an implementation without the C module
        import sqlite3 as sqlite3
