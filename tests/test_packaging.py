"""Packaging promises: a licence file matching the declared licence, typed, Textual pinned only for tests."""

from __future__ import annotations

import tomllib

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
