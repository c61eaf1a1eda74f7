"""The command line: exit codes, output shapes, atomic writes, and the import hygiene of the core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import cli
from kztj_tui.cache import open_store

from .conftest import BUNDLED, MINIMAL, REPO


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kztj_tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_validate_shipped_store_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate"]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_invalid_store_exits_two_with_one_line_per_problem(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL.replace("status: occurred", "status: nope").replace("actors: [tokayev]", "actors: [x]"))
    result = run("validate", "--events", str(path))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{path}:") for line in lines)
    assert "Traceback" not in result.stderr


def test_events_from_environment(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_EVENTS", str(write_store(MINIMAL)))
    assert cli.main(["search", "visit"]) == 0
    assert capsys.readouterr().out == "2021-05-19/2021-05-20  visit  Tokayev visits Dushanbe\n"


def test_search_exit_codes_follow_ripgrep(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "Rogun"]) == 0
    assert cli.main(["search", "zzzznothing"]) == 1
    assert cli.main(["search", "year:nope"]) == 2
    assert "year:nope" in capsys.readouterr().err


def test_search_plain_lines_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "Rogun", "--sort", "date"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2021-05-19/2021-05-20  tokayev-visit-dushanbe-2021  Tokayev's two-day visit to Dushanbe"
    assert len(lines) == 2


def test_search_json_has_export_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "Declaration", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert "declaration-allied-interaction" in [e["id"] for e in events]
    assert {"id", "date", "start", "end", "title", "summary", "tags", "actors", "place", "status", "sources"} <= set(
        events[0]
    )


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["show", "declaration-allied-interaction"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# 4 May 2023 — Declaration on Allied Interaction signed")
    assert "[^declaration-allied-interaction/1]: Kazinform" in out
    assert cli.main(["show", "no-such-event"]) == 1


def test_figures_flags_conflicts(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["figures", "--metric", "business_forum_contracts"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all("CONFLICT vs" in line for line in lines)


def test_export_to_file_is_atomic_and_matches_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export"]) == 0
    stdout = capsys.readouterr().out
    target = tmp_path / "report.md"
    target.write_text("old contents")
    assert cli.main(["export", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == stdout
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_export_to_missing_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "-o", str(tmp_path / "no" / "such" / "dir.md")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_export_head_shows_1993_with_footnote() -> None:
    result = subprocess.run(
        f"{sys.executable} -m kztj_tui export | head -40",
        shell=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert "### 7 January 1993 — Kazakhstan and Tajikistan establish diplomatic relations" in result.stdout
    assert "[^diplomatic-relations-established/1]: Kazinform" in result.stdout


def test_export_2023_has_declaration_and_both_contract_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--from", "2023", "--to", "2023"]) == 0
    out = capsys.readouterr().out
    assert "## 2022" not in out and "## 2023" in out
    assert "Declaration on Allied Interaction signed" in out
    assert "contracts worth \\$1.8 billion" in out and "contracts worth \\$1.3 billion" in out  # $ escaped for pandoc
    assert "⚠ \\$1.8 bn" in out and "⚠ \\$1.3 bn" in out


def test_precision_aware_from(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--format", "json", "--from", "2021", "--to", "2021"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    # An interval open at its end ("since June 1993", end null) runs through 2021 too.
    assert events and all((e["end"] is None or e["end"] >= "2021-01-01") and e["start"] <= "2021-12-31" for e in events)
    assert "tajik-embassy-opens" in [e["id"] for e in events]
    assert "trade-2021" in [e["id"] for e in events]


def test_bad_option_value_exits_two() -> None:
    result = run("export", "--from", "yesterday")
    assert result.returncode == 2 and "is not a date" in result.stderr
    result = run("search", "trade", "--limit", "0")
    assert result.returncode == 2 and "positive whole number" in result.stderr


@pytest.mark.parametrize("limit", ["1_0", "\u0663", "\uff13", "+3", "9" * 30])
def test_a_limit_that_is_not_ascii_digits_is_refused(limit: str, capsys: pytest.CaptureFixture[str]) -> None:
    # int() took "1_0" as 10 and "٣" (an Arabic-Indic three) as 3 (a hostile tester's find).
    with pytest.raises(SystemExit) as exited:
        cli.main(["search", "trade", "--limit", limit])
    assert exited.value.code == 2 and "is not a positive whole number" in capsys.readouterr().err


def test_search_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "trade", "--limit", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_search_prints_every_match_by_date_and_the_best_few_by_relevance(capsys: pytest.CaptureFixture[str]) -> None:
    def ids(*args: str) -> list[str]:
        assert cli.main(["search", "trade", *args]) == 0
        return [line.split("  ")[1] for line in capsys.readouterr().out.splitlines()]

    every, by_date, by_relevance = ids(), ids("--sort", "date"), ids("--sort", "relevance")
    assert every == by_date and by_date != by_relevance and sorted(by_date) == sorted(by_relevance)
    assert ids("--limit", "3") == by_relevance[:3]
    assert ids("--limit", "3", "--sort", "date") == by_date[:3]


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("kztj ")
    help_text = run("--help").stdout
    assert "examples:" in help_text and "exit status" in help_text


def test_no_control_bytes_in_output(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL.replace("title: Tokayev visits Dushanbe", 'title: "Evil\\e]0;pwned\\a title\\u202e"'))
    for fmt in ("markdown", "json"):
        result = run("export", "--events", str(path), "--format", fmt)
        assert result.returncode == 0
        assert not any(ord(c) < 32 and c not in "\n\t" for c in result.stdout)
        assert "\u202e" not in result.stdout and "\\u001b" not in result.stdout


def test_core_never_imports_textual() -> None:
    # Every module outside kztj_tui/tui (found, not listed, so a new one is checked too).
    code = (
        "import importlib, pkgutil, sys, kztj_tui\n"
        "names = [m.name for m in pkgutil.walk_packages(kztj_tui.__path__, 'kztj_tui.')]\n"
        "core = [n for n in names if not n.startswith('kztj_tui.tui') and n != 'kztj_tui.__main__']\n"
        "assert 'kztj_tui.store' in core and 'kztj_tui.export.markdown' in core, core\n"
        "for name in core: importlib.import_module(name)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["export"],
        ["search", "trade"],
        ["show", "trade-2013"],
        ["figures"],
        ["ingest", "seeds/002_22b63dd09c227152.txt", "--json", "--no-cache"],
    ],
)
def test_commands_never_import_textual(argv: list[str]) -> None:
    code = (
        "import sys, io, contextlib\nfrom kztj_tui import cli\n"
        f"with contextlib.redirect_stdout(io.StringIO()): rc = cli.main({argv!r})\n"
        "assert rc == 0, rc\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr


BUILDING = ("kztj_tui.storebuild", "kztj_tui.loader", "yaml", "kztj_tui.output")


@pytest.mark.parametrize(
    ("argv", "heavy"),
    [
        (["search", "trade"], (*BUILDING, "kztj_tui.export", "shutil")),
        (["tags"], (*BUILDING, "kztj_tui.export")),
        (["--version"], (*BUILDING, "kztj_tui.export", "sqlite3")),
        (["show", "trade-2013"], BUILDING),  # it prints the event as the Markdown export does
    ],
)
def test_quick_commands_on_a_warm_store_import_neither_exports_nor_the_builder(
    argv: list[str], heavy: tuple[str, ...]
) -> None:
    code = (
        "import sys, io, contextlib\nfrom kztj_tui import cli\n"
        f"with contextlib.redirect_stdout(io.StringIO()): rc = cli.main({argv!r})\n"
        "assert rc == 0, rc\n"
        f"heavy = {heavy!r}\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "assert not loaded, loaded\n"
    )
    warm = subprocess.run([sys.executable, "-m", "kztj_tui", "validate"], capture_output=True, cwd=REPO, timeout=60)
    assert warm.returncode == 0
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr


def test_bundled_store_is_the_default() -> None:
    from kztj_tui.locations import default_store_path

    assert default_store_path().resolve().read_bytes() == BUNDLED.read_bytes()


# -- the command line people expect (issue 10) ---------------------------------------------------


def test_search_minus_word_needs_no_quoting(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "trade", "-wheat", "--sort", "date"]) == 0
    unquoted = capsys.readouterr().out
    assert cli.main(["search", "trade -wheat", "--sort", "date"]) == 0
    assert unquoted == capsys.readouterr().out and unquoted
    assert cli.main(["--no-cache", "search", "-wheat", "trade", "--limit", "3"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_a_mistyped_search_option_is_an_error_not_a_word_excluded(capsys: pytest.CaptureFixture[str]) -> None:
    # "--limt 5" once searched for events without "limt" and with "5"; -word still excludes a word.
    with pytest.raises(SystemExit) as ended:  # argparse's usage error, on one line
        cli.main(["search", "trade", "--limt", "5"])
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == "kztj search: unrecognized arguments: --limt (see kztj search --help)"
    assert cli.main(["search", "trade", "-wheat", "--limit", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


@pytest.mark.parametrize(("option", "value"), [("--lim", "2"), ("--limi", "2"), ("--so", "date")])
def test_a_search_option_shortened_takes_its_value(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    # "--lim 3" said "argument --limit: expected one argument": the 3 was taken for a search word.
    full = {"--lim": "--limit", "--limi": "--limit", "--so": "--sort"}[option]
    assert cli.main(["search", "trade", full, value, "--limit", "5"]) == 0
    expected = capsys.readouterr().out
    assert cli.main(["search", "trade", option, value, "--limit", "5"]) == 0
    assert capsys.readouterr().out == expected and expected


def test_search_minus_word_in_a_subprocess() -> None:
    result = run("search", "grape", "-grape")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
    result = run("search", "grape", "-zzzz", "--sort", "date")
    assert result.returncode == 0 and "agri-trade-2022" in result.stdout


def test_every_option_has_help() -> None:
    import argparse

    missing = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    walk(cli._parser(), "kztj")
    assert missing == []


def test_tags_and_actors_list_what_filters_accept(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["tags"]) == 0
    tags = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    trade = [e for e in open_store(BUNDLED, use_cache=False).iter_events() if "trade" in e.tags]
    assert tags["trade"] == str(len(trade)) and "energy-water" in tags
    assert cli.main(["actors"]) == 0
    actors = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert ["tokayev", "Kassym-Jomart Tokayev", "person"] in [row[:3] for row in actors]
    assert all(int(row[3]) > 0 for row in actors)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--tag", "trad"], "kztj: unknown tag 'trad' (did you mean: trade?)\n"),
        (
            ["search", "visit", "--actor", "Tokaew"],
            "kztj: unknown actor 'Tokaew' (did you mean: Kassym-Jomart Tokayev?)\n",
        ),
        (["export", "--tag", "zzzz"], "kztj: unknown tag 'zzzz' (see: kztj tags)\n"),
        # Bad input gets one line, however many values are wrong (or repeated).
        (["search", "visit", "--tag", "zzzz", "--tag", "zzzz"], "kztj: unknown tag 'zzzz' (see: kztj tags)\n"),
        (["search", "visit", "--tag", "qqqq", "--actor", "Tokaew"], "kztj: unknown tag 'qqqq' (see: kztj tags)\n"),
    ],
)
def test_unknown_tag_or_actor_is_an_error_with_the_nearest_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    target = tmp_path / "out.md"
    assert cli.main([*argv, "-o", str(target)] if argv[0] == "export" else argv) == 2
    captured = capsys.readouterr()
    assert captured.err == message and captured.out == "" and not target.exists()


def test_color_never_and_always(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["figures", "--color", "always", "--metric", "business_forum_contracts"]) == 0
    coloured = capsys.readouterr().out
    assert "\x1b[" in coloured and "Metric" in coloured
    assert cli.main(["figures", "--color", "never", "--metric", "business_forum_contracts"]) == 0
    plain = capsys.readouterr().out
    assert "\x1b[" not in plain and "\t" in plain
    assert cli.main(["search", "Rogun", "--color", "always"]) == 0
    assert "\x1b[" in capsys.readouterr().out


def test_color_never_on_a_terminal_keeps_the_table_without_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["figures", "--color", "never", "--metric", "business_forum_contracts"]) == 0
    assert "Metric" in out.getvalue() and "\x1b[" not in out.getvalue()
    out.seek(0)
    out.truncate()
    assert cli.main(["search", "Rogun", "--color", "never"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["Date", "Event", "Match"] and lines[-1] == "2 of 2 matching events"
    assert "\x1b[" not in out.getvalue() and any(line.strip() == "rogun-supplies-offer" for line in lines)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str) -> None:
    result = run("completion", shell)
    assert result.returncode == 0 and "kztj" in result.stdout
    assert "timelinejs" in result.stdout and "--color" in result.stdout


def test_completion_costs_nothing_elsewhere() -> None:
    code = (
        "import sys, io, contextlib\nfrom kztj_tui import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = cli.main(['search', 'trade'])\n"
        "assert 'shtab' not in sys.modules, 'shtab imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr


def test_schema_export_prints_the_published_schema() -> None:
    result = run("schema", "--export")
    assert result.returncode == 0 and result.stdout == (REPO / "export.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "ics", "timelinejs", "markwhen"])
def test_export_formats_from_the_command_line(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    result = run("export", "--format", fmt, "--tag", "culture", "-o", str(target))
    assert result.returncode == 0 and result.stderr == f"kztj: wrote {target}\n"
    text = target.read_text(encoding="utf-8")
    assert "days-of-kazakh-cinema-2022" in text and "diplomatic-relations-established" not in text


# -- issue 17: nothing written before every filter is known to work ----------------------------------------------------

BAD_FILTERS = [
    ["--query", "year:abc"],
    ["--query", "trade year:20x3"],
    ["--query", "from:2023-13"],
    ["--query", "to:yesterday"],
    ["--query", 'wheat tag:""'],
    ["--query", "x" * 10_001],
    ["--query", " ".join(f"w{n}" for n in range(201))],
    ["--tag", "no-such-tag"],
    ["--actor", "Nobody Atall"],
]


@pytest.mark.parametrize("fmt", ["markdown", "json", "jsonl", "csv", "ics", "timelinejs", "markwhen"])
@pytest.mark.parametrize("to_file", [False, True])
def test_a_bad_filter_writes_nothing_in_any_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, to_file: bool
) -> None:
    target = tmp_path / "out"
    for bad in BAD_FILTERS:
        output = ["-o", str(target)] if to_file else []
        assert cli.main(["export", "--format", fmt, *bad, *output]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.startswith("kztj: ") and captured.err.count("\n") == 1
        assert list(tmp_path.iterdir()) == []


def test_a_bad_query_in_a_subprocess_leaves_stdout_empty() -> None:
    result = run("export", "--format", "json", "--query", "year:abc")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "kztj: year:abc is not a year; use four digits, e.g. year:2023\n"


# -- issue 23: at home on the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_short_and_long_version(flag: str) -> None:
    result = run(flag)
    assert (result.returncode, result.stdout) == (0, f"kztj {cli.__version__}\n")


COLOR_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR")


@pytest.mark.parametrize(
    ("environment", "coloured"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, True),  # any non-empty value forces colour (force-color.org)
        ({"FORCE_COLOR": "true", "NO_COLOR": "1"}, True),  # FORCE_COLOR wins over NO_COLOR
        ({"FORCE_COLOR": ""}, False),
        ({"CLICOLOR_FORCE": "1"}, True),
        ({"CLICOLOR_FORCE": "yes"}, True),
        ({"CLICOLOR_FORCE": "0"}, False),
        ({"CLICOLOR_FORCE": ""}, False),
        ({"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins over CLICOLOR_FORCE (clicolors)
        ({"NO_COLOR": "1"}, False),
    ],
)
@pytest.mark.parametrize("argv", [["figures", "--metric", "business_forum_contracts"], ["search", "Rogun"], ["tags"]])
def test_force_color_and_clicolor_force_colour_piped_output(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environment: dict[str, str],
    coloured: bool,
    argv: list[str],
) -> None:
    for name in COLOR_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli.main(argv) == 0
    assert ("\x1b[" in capsys.readouterr().out) is coloured


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "CLICOLOR_FORCE"])
def test_color_never_beats_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str
) -> None:
    monkeypatch.setenv(variable, "1")
    assert cli.main(["figures", "--color", "never"]) == 0
    assert "\x1b[" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["show", "declaration-allied-interactio"],
            1,
            "kztj: no event with id 'declaration-allied-interactio' (did you mean: declaration-allied-interaction?)\n",
        ),
        (
            ["show", "Declaration-Allied-Interaction"],
            1,
            "kztj: no event with id 'Declaration-Allied-Interaction' (did you mean: declaration-allied-interaction?)\n",
        ),
        (["show", "zzzzzzzz"], 1, "kztj: no event with id 'zzzzzzzz' (try: kztj search WORD)\n"),
        (
            ["figures", "--metric", "trade_turnovr"],
            2,
            "kztj: unknown metric 'trade_turnovr' "
            "(did you mean: trade_turnover, agri_trade_turnover, trade_turnover_growth?)\n",
        ),
        (
            ["figures", "--metric", "trade_turnover", "--metric", "business_forum_contract", "--format", "csv"],
            2,
            "kztj: unknown metric 'business_forum_contract' "
            "(did you mean: business_forum_contracts, business_forum_contract_count, "
            "business_forum_contracts_target?)\n",
        ),
    ],
)
def test_unknown_id_or_metric_names_the_nearest(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    assert cli.main(argv) == code
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message)


def test_an_unknown_metric_with_nothing_near_lists_the_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["figures", "--metric", "qqqqqqqq", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("kztj: unknown metric 'qqqqqqqq' (metrics: agri_trade_turnover, ")
    assert "trade_turnover, trade_turnover_growth)\n" in captured.err and captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "help_of"),
    [
        (["tags", "--json"], "kztj tags"),
        (["--color", "never", "actors", "--limit", "3"], "kztj actors"),
        (["show", "x", "--format", "csv"], "kztj show"),
        (["validate", "extra"], "kztj validate"),
        (["--bogus"], "kztj"),
    ],
)
def test_an_unknown_option_points_to_the_help_of_its_command(argv: list[str], help_of: str) -> None:
    result = run(*argv)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"{help_of}: unrecognized arguments: ")
    assert result.stderr.endswith(f" (see {help_of} --help)\n") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("argv", [[], ["--search", "trade"], ["--event", "declaration-allied-interaction"]])
@pytest.mark.parametrize("stdin_terminal", [False, True])
def test_the_browser_without_a_terminal_says_so_and_stops(
    tmp_path: Path, argv: list[str], stdin_terminal: bool
) -> None:
    """Textual would wait for keys from /dev/null forever, writing escape codes into the file."""
    import pty

    out = tmp_path / "out"
    main_fd, terminal_fd = pty.openpty()
    try:
        with open(os.devnull, "rb") as devnull, out.open("wb") as sink:
            result = subprocess.run(
                [sys.executable, "-m", "kztj_tui", *argv],
                stdin=terminal_fd if stdin_terminal else devnull,
                stdout=sink,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPO,
                timeout=60,
            )
    finally:
        os.close(main_fd)
        os.close(terminal_fd)
    assert result.returncode == 2
    assert result.stderr == "kztj: the browser needs a terminal; try kztj export or kztj --help\n"
    assert out.read_bytes() == b""


def test_commands_without_a_terminal_are_unaffected(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with open(os.devnull, "rb") as devnull, out.open("wb") as sink:
        result = subprocess.run(
            [sys.executable, "-m", "kztj_tui", "show", "declaration-allied-interaction"],
            stdin=devnull,
            stdout=sink,
            cwd=REPO,
            timeout=60,
        )
    assert result.returncode == 0 and out.read_text(encoding="utf-8").startswith("# 4 May 2023")


def _from_stdin(*argv: str, data: bytes, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "kztj_tui", *argv, "--events", "-"],
        input=data,
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


def test_events_dash_reads_the_store_from_stdin(isolated_cache: Path) -> None:
    data = BUNDLED.read_bytes()
    result = _from_stdin("validate", data=data)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("<stdin>: ok — ")
    shown = _from_stdin("show", "declaration-allied-interaction", data=data)
    searched = _from_stdin("search", "Rogun", data=data)
    checked = _from_stdin("check", data=data)
    assert list(isolated_cache.iterdir()) == []  # stdin is never cached
    assert shown.stdout == run("show", "declaration-allied-interaction").stdout
    assert searched.stdout == run("search", "Rogun").stdout
    assert checked.returncode == run("check").returncode and "\n<stdin>:" in checked.stdout


def test_events_dash_finds_articles_from_the_working_directory(tmp_path: Path) -> None:
    result = _from_stdin("validate", data=BUNDLED.read_bytes(), cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("<stdin>:17:11: sources[0].file: seeds/000_e3cf86469e9e2e0d.txt: no such file\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"events: [1", "<stdin>:2:1: YAML syntax error"),
        (b"", "<stdin>:1:1: the store is empty"),
        (b"events: []\n\xff\n", "<stdin>:2:1: "),
    ],
)
def test_a_bad_store_on_stdin_is_one_line_per_problem(data: bytes, message: str) -> None:
    result = _from_stdin("validate", data=data)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith(message)


def test_the_browser_cannot_read_the_store_from_stdin() -> None:
    result = _from_stdin(data=BUNDLED.read_bytes())
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr
        == "kztj: the browser reads its keys from stdin, so it cannot read the store there: use --events FILE\n"
    )


def test_an_empty_query_option_beside_search_words_is_refused() -> None:
    # `kztj search trade --query ''` dropped the empty filter and printed every match of trade.
    result = run("search", "trade", "--query", "")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("kztj: nothing to search for in '': ")


@pytest.mark.parametrize("query", ["((((", "-", " ", "AND", "😀", ""])
@pytest.mark.parametrize("to_file", [False, True])
def test_a_query_option_with_nothing_to_search_for_writes_nothing(tmp_path: Path, query: str, to_file: bool) -> None:
    # It kept every event, as if each matched (a hostile tester's finding); `kztj search` refuses the same words.
    target = tmp_path / "out.md"
    result = run("export", "--query", query, *(["-o", str(target)] if to_file else []))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"kztj: nothing to search for in {query!r}: ")
    assert result.stderr.count("\n") == 1 and not target.exists()


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["--search", "trade", "validate"], "kztj search WORDS, or kztj export --query WORDS"),
        (["--search", "trade", "export"], "kztj search WORDS, or kztj export --query WORDS"),
        (["--event", "kz-tj-diplomatic-relations-1993", "show", "x"], "kztj show ID"),
        (["--view", "mine", "export"], "kztj search --view NAME, or kztj export --view NAME"),
        (["--view", "mine", "validate"], "kztj search --view NAME, or kztj export --view NAME"),
    ],
)
def test_a_browser_option_before_a_command_is_an_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    # They were dropped without a word (`--search trade export` exported every event), or, for --view,
    # applied to some commands and not to others.
    with pytest.raises(SystemExit) as ended:
        cli.main(argv)
    assert ended.value.code == 2
    option, command = argv[0], argv[2]
    assert capsys.readouterr() == (
        "",
        f"kztj: {option} opens the browser, so it takes no command ({command}); use {hint} (see kztj --help)\n",
    )
