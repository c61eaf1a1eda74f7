"""The minimum-versions CI step's inputs, derived so they cannot drift: the declared floors and the core test files.

`pins` prints every runtime dependency of pyproject.toml, and of the extras in EXTRAS, at its floor (`>=X` becomes
`==X`), as a pip constraints file.
`core-tests` prints the test files that import neither Textual nor kztj's TUI: the ones that need no TUI test stack.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
# A test file importing any of these drives the TUI (Pilot, snapshots) rather than the core.
TUI_MODULES = ("textual", "pytest_textual_snapshot", "kztj_tui.tui", "tests.tui_support")
# Optional extras the core tests need, installed at their floors too (`kztj ingest PAGE.html` needs html).
EXTRAS = ("html",)


def floor_pins() -> list[str]:
    """`name==floor` for each runtime dependency and each dependency of EXTRAS; one without a `>=` floor is an error."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = []
    extras = [line for extra in EXTRAS for line in project["optional-dependencies"][extra]]
    for line in [*project["dependencies"], *extras]:
        requirement = Requirement(line)
        floors = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(floors) != 1:
            raise SystemExit(f"pyproject.toml: {line!r} declares no single `>=` floor to test")
        pins.append(f"{requirement.name}=={floors[0]}")
    return pins


def imported_modules(path: Path) -> set[str]:
    """Every module a test file imports, at any depth, with relative imports resolved within tests/."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "tests." if node.level else ""
            modules.add(base + (node.module or ""))
            modules.update(f"{base}{node.module + '.' if node.module else ''}{alias.name}" for alias in node.names)
    return modules


def needs_tui(module: str) -> bool:
    """Whether an imported module name is, or lies inside, one of the TUI modules."""
    return any(module == tui or module.startswith(tui + ".") for tui in TUI_MODULES)


def core_tests() -> list[str]:
    """The test files, relative to the repository, that import nothing of the TUI; never none."""
    files = sorted((REPO / "tests").glob("test_*.py"))
    core = [str(f.relative_to(REPO)) for f in files if not any(map(needs_tui, imported_modules(f)))]
    if not core:
        raise SystemExit("tests/: no core test file found")
    return core


def main(argv: list[str]) -> int:
    commands = {"pins": floor_pins, "core-tests": core_tests}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: {Path(__file__).name} {'|'.join(commands)}", file=sys.stderr)
        return 2
    print("\n".join(commands[argv[0]]()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
