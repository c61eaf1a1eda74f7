"""Packaging promises: a licence file, typed, Textual pinned only for tests, floors and extras that stay true."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from .conftest import REPO


def _project() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]  # type: ignore[no-any-return]


def test_license_file_matches_the_declared_licence() -> None:
    project = _project()
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "License :: OSI Approved :: MIT License" in project["classifiers"]  # type: ignore[operator]


def test_package_is_typed() -> None:
    assert (REPO / "kztj_tui" / "py.typed").is_file()
    assert "Typing :: Typed" in _project()["classifiers"]  # type: ignore[operator]


def test_textual_is_a_range_for_users_and_exact_for_tests() -> None:
    project = _project()
    textual = [d for d in project["dependencies"] if d.startswith("textual")]  # type: ignore[attr-defined]
    pinned = [d for d in project["optional-dependencies"]["test"] if d.startswith("textual")]  # type: ignore[index]
    assert len(textual) == 1 and "==" not in textual[0] and "<" in textual[0]
    assert len(pinned) == 1 and "==" in pinned[0]


# Linters are tools for working on kztj, not for testing it: a user running the tests gets no pinned ruff or mypy.
LINTERS = {"ruff", "mypy", "flake8", "pylint", "black", "isort"}


def _names(requirements: object) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}  # type: ignore[attr-defined]


def test_the_test_extra_holds_what_tests_need_and_the_dev_extra_the_linters() -> None:
    extras = _project()["optional-dependencies"]
    test, dev = _names(extras["test"]), _names(extras["dev"])  # type: ignore[index]
    assert not test & LINTERS and not {name for name in test if name.startswith("types-")}
    assert {"ruff", "mypy", "types-pyyaml"} <= dev
    assert "kztj[test]" in extras["dev"]  # type: ignore[index]


def _floors() -> dict[str, Version]:
    """Each runtime dependency's declared floor, by name."""
    floors = {}
    for line in _project()["dependencies"]:  # type: ignore[attr-defined]
        requirement = Requirement(line)
        (floor,) = (Version(spec.version) for spec in requirement.specifier if spec.operator == ">=")
        floors[canonicalize_name(requirement.name)] = floor
    return floors


def test_installed_floors_accept_each_others_floors() -> None:
    """A dependency installed at its floor must accept the other floors (Textual 8.2.8 needs rich 14.2)."""
    floors = _floors()
    at_floor = [name for name, floor in floors.items() if Version(metadata.version(name)) == floor]
    assert at_floor, "no runtime dependency is installed at its floor: the test extra pins Textual to it"
    for name in at_floor:
        for line in metadata.requires(name) or []:
            needed = Requirement(line)
            other = canonicalize_name(needed.name)
            if other in floors and (needed.marker is None or needed.marker.evaluate({"extra": ""})):
                assert needed.specifier.contains(floors[other], prereleases=True), f"{name} {floors[name]}: {line}"


def _min_versions(command: str) -> list[str]:
    script = REPO / ".ci" / "min_versions.py"
    result = subprocess.run([sys.executable, script, command], capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_minimum_versions_step_runs_the_core_tests_and_only_those() -> None:
    """The schema tests prove the pydantic floor; the TUI tests need the exact stack their snapshots were taken with."""
    core = set(_min_versions("core-tests"))
    assert {"tests/test_schema.py", "tests/test_formats.py", "tests/test_cli.py", "tests/test_loader.py"} <= core
    assert not core & {"tests/test_tui.py", "tests/test_snapshots.py", "tests/test_browser_core.py"}


def test_classifiers_are_true() -> None:
    """Textual draws with its own driver, not curses; the Python classifiers start at requires-python's floor."""
    project = _project()
    classifiers: list[str] = project["classifiers"]  # type: ignore[assignment]
    assert not [c for c in classifiers if "Curses" in c]
    pythons = [c.rsplit(" :: ", 1)[1] for c in classifiers if c.startswith("Programming Language :: Python :: 3.")]
    assert project["requires-python"] == f">={pythons[0]}" and "3.13" in pythons
    tools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert tools["mypy"]["python_version"] == pythons[0] == "3." + tools["ruff"]["target-version"].removeprefix("py3")


def test_the_html_extra_is_tested_at_its_floor_too() -> None:
    """tests/test_ingest_html.py needs the html extra: the floors step installs it, at its floors, and runs it."""
    pins = _min_versions("pins")
    extras = _project()["optional-dependencies"]
    for line in extras["html"]:  # type: ignore[index]
        requirement = Requirement(line)
        (floor,) = (spec.version for spec in requirement.specifier if spec.operator == ">=")
        assert f"{requirement.name}=={floor}" in pins
    assert "tests/test_ingest_html.py" in _min_versions("core-tests")
    assert "kztj[html]" in extras["dev"]  # type: ignore[index]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.count("'.[test,html]'") == 2
