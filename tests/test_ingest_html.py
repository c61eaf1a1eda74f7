"""`kztj ingest PAGE.html`: the main text of a page saved from a browser, its date and outlet from its metadata.

Needs the html extra (trafilatura), which .ci/run installs; the missing-extra test blocks its import.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kztj_tui.cli import main
from kztj_tui.ingest import page

from .conftest import BUNDLED, REPO

PAGE = REPO / "tests" / "data" / "page.html"
MAIN_TEXT = [
    "Rail freight between Kazakhstan and Tajikistan grows",
    "ASTANA – Rail freight between Kazakhstan and Tajikistan rose by 12% in the first half of this year, "
    "the transport ministry said on Thursday.",
    "Yesterday the two countries’ railway companies signed a memorandum in Dushanbe on a joint container "
    "service between Almaty and Dushanbe.",
    "Trade turnover between the countries reached $1.1 billion last year, and both sides aim to raise it "
    "to $2 billion by 2027.",
]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """The page, saved in a folder of its own."""
    target = tmp_path / "page.html"
    shutil.copy(PAGE, target)
    return target


def ingest(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ingest", *argv, "--events", str(BUNDLED), "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = ingest(capsys, *argv)
    assert code == 2 and out == "", (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kztj: "), err
    return lines[0]


def test_the_main_text_becomes_an_article_in_the_seeds_format(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ingest(capsys, str(saved), "--json")
    assert code == 0, err
    article = saved.with_suffix(".txt")
    assert f"wrote {article}" in err
    text = article.read_text(encoding="utf-8")
    # The date line first, as the seeds have it, then the article's paragraphs and nothing of the menu or footer.
    assert text == " date 2024-08-23\n\n" + "\n\n".join(MAIN_TEXT) + "\n"
    data = json.loads(out)
    assert data["source"]["file"] == str(article)
    assert (data["source"]["outlet"], data["source"]["published"]) == ("Steppe Courier", "2024-08-23")
    raw = article.read_bytes()
    for candidate in data["candidates"]:  # every quote is the written article's own bytes
        start, end = candidate["bytes"]
        assert raw[start:end].decode("utf-8") == candidate["quote"]
    # The date rules run against the metadata's date: "yesterday" in a page of 23 August 2024.
    yesterday = [c for c in data["candidates"] if c["quote"].startswith("Yesterday") and c["kind"] == "event"]
    assert [c["date"] for c in yesterday] == ["2024-08-22"]


def test_detected_by_content_whatever_the_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "saved-page"
    shutil.copy(PAGE, saved)
    assert page.is_html(saved, saved.read_bytes())
    assert not page.is_html(tmp_path / "a.txt", b" date 2023-05-05 ASTANA. KAZINFORM - text")
    code, _, err = ingest(capsys, str(saved), "--json")
    assert code == 0, err
    assert (tmp_path / "saved-page.txt").read_text(encoding="utf-8").startswith(" date 2024-08-23\n\n")


def test_the_draft_cites_the_written_article_and_validates_once_written(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = saved.parent / "draft.yaml"
    code, _, err = ingest(capsys, str(saved), "-o", str(draft))
    assert code == 0, err
    text = draft.read_text(encoding="utf-8")
    assert '    file: "page.txt"' in text
    written = (
        text.replace('"TODO: write a title"', '"A title"')
        .replace('"TODO: write a summary in your own words"', '"A summary."')
        .replace('"TODO: say what the article is about"', '"Rail freight"')
        .replace("tags: [todo]", "tags: [trade]")
        .replace('metric: "todo"', 'metric: "rail_freight"')
    )
    draft.write_text(written, encoding="utf-8")
    assert main(["validate", "--events", str(draft), "--no-cache"]) == 0, capsys.readouterr().err


def test_options_come_before_the_metadata(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ingest(capsys, str(saved), "--json", "--published", "2024-08-30", "--outlet", "Other Outlet")
    assert code == 0, err
    source = json.loads(out)["source"]
    assert (source["outlet"], source["published"]) == ("Other Outlet", "2024-08-30")
    assert saved.with_suffix(".txt").read_text(encoding="utf-8").startswith(" date 2024-08-30\n\n")


def test_without_metadata_it_says_which_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = PAGE.read_text(encoding="utf-8")
    html = html.replace('<meta property="article:published_time" content="2024-08-23T09:30:00+05:00">\n', "")
    undated = tmp_path / "undated.html"
    undated.write_text(html, "utf-8")
    assert one_line_error(capsys, str(undated)).endswith("gives no publication date; give --published")
    bare = tmp_path / "bare.html"
    bare.write_text(
        html.replace('<meta property="og:site_name" content="Steppe Courier">\n', "").replace("| Steppe Courier", ""),
        "utf-8",
    )
    message = one_line_error(capsys, str(bare))
    assert message.endswith("gives no publication date and no outlet; give --published and --outlet"), message
    assert not (tmp_path / "bare.txt").exists()  # nothing is written for a page that cannot be ingested
    code, out, err = ingest(capsys, str(bare), "--json", "--published", "2024-08-23", "--outlet", "Steppe Courier")
    assert code == 0, err
    assert json.loads(out)["source"]["outlet"] == "Steppe Courier"


def test_without_the_extra_one_line_names_it(
    saved: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # `import trafilatura` now raises ImportError
    message = one_line_error(capsys, str(saved))
    assert message == f"kztj: {saved}: reading an HTML page needs the html extra: pip install 'kztj[html]'"
    assert not saved.with_suffix(".txt").exists()


def test_a_binary_empty_or_textless_page_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "binary.html"
    binary.write_bytes(b"<html>\x00\x01\x02\xff")
    assert "is a binary file" in one_line_error(capsys, str(binary))
    empty = tmp_path / "empty.htm"
    empty.write_bytes(b" \n")
    assert "is empty" in one_line_error(capsys, str(empty))
    textless = tmp_path / "textless.html"
    textless.write_text("<!doctype html><html><head><title>x</title></head><body></body></html>", "utf-8")
    assert "no main text found" in one_line_error(capsys, str(textless))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["binary.html", "empty.htm", "textless.html"]


def test_an_existing_file_is_never_overwritten_unasked(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = saved.with_suffix(".txt")
    article.write_text("someone else's notes\n", encoding="utf-8")
    assert "already exists" in one_line_error(capsys, str(saved))
    assert article.read_text(encoding="utf-8") == "someone else's notes\n"
    # Named with --article-out, a file is replaced (atomically, as -o replaces a draft).
    code, _, err = ingest(capsys, str(saved), "--json", "--article-out", str(article))
    assert code == 0, err
    assert article.read_text(encoding="utf-8").startswith(" date 2024-08-23\n\n")
    # The same text again is used as it is.
    code, _, err = ingest(capsys, str(saved), "--json")
    assert code == 0 and "already holds the page's main text" in err, err


def test_the_article_is_never_written_over_the_store_or_the_page(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = BUNDLED.read_bytes()
    assert "refusing" in one_line_error(capsys, str(saved), "--article-out", str(BUNDLED))
    assert BUNDLED.read_bytes() == before
    assert "refusing" in one_line_error(capsys, str(saved), "--article-out", str(saved))
    assert saved.read_bytes() == PAGE.read_bytes()


@pytest.mark.parametrize("reference", ["&#x1b;", "&#27;", "&#X9B;", "&#x1B"])
def test_a_reference_to_a_control_character_is_dropped_not_the_page(
    tmp_path: Path, reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # One &#x1b; in the title made the extractor find "no main text found in the page" (a hostile tester's find).
    html = PAGE.read_text(encoding="utf-8").replace("<title>Rail", f"<title>Rail{reference}")
    html = html.replace("<h1>Rail freight", f"<h1>Rail{reference} freight")
    page_path = tmp_path / "ref.html"
    page_path.write_text(html, encoding="utf-8")
    code, _, err = ingest(capsys, str(page_path), "--json")
    assert code == 0, err
    text = page_path.with_suffix(".txt").read_text(encoding="utf-8")
    assert text == " date 2024-08-23\n\n" + "\n\n".join(MAIN_TEXT) + "\n"


def test_the_draft_is_never_written_over_the_page(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `kztj ingest page.html -o page.html` replaced the page with the draft, exit 0.
    assert "-o names the page being read" in one_line_error(capsys, str(saved), "-o", str(saved))
    assert saved.read_bytes() == PAGE.read_bytes()
    assert not saved.with_suffix(".txt").exists()  # refused before anything is written


@pytest.mark.parametrize("onto", ["store", "page", "article"])
def test_an_ingest_of_a_page_refuses_stdout_onto_the_store_before_writing_its_article(
    saved: Path, tmp_path: Path, onto: str
) -> None:
    # `kztj ingest page.html >> events.yaml` wrote page.txt before it refused; `>> page.html` appended the draft.
    store = tmp_path / "store" / "events.yaml"
    shutil.copytree(BUNDLED.parent / "seeds", store.parent / "seeds")
    shutil.copy(BUNDLED, store)
    article = saved.with_suffix(".txt")
    if onto == "article":
        article.write_text(" date 2024-08-23\n\n" + "\n\n".join(MAIN_TEXT) + "\n", encoding="utf-8")
    target = {"store": store, "page": saved, "article": article}[onto]
    before = target.read_bytes()
    argv = ["--events", str(store), "--no-cache", "ingest", str(saved)]
    with open(target, "a") as append:
        result = subprocess.run(
            [sys.executable, "-m", "kztj_tui", *argv], stdout=append, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert (result.returncode, result.stderr) == (
        2,
        "kztj: -: refusing to overwrite the store or one of its articles\n",
    )
    assert target.read_bytes() == before
    assert article.exists() == (onto == "article")  # the page's article is not written either


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_article_out_that_is_a_fifo_is_refused_not_a_wait(saved: Path) -> None:
    # Writing there waited for a reader for ever; and `validate` reads only a regular file as an article.
    fifo = saved.parent / "article.txt"
    os.mkfifo(fifo)
    argv = ["ingest", str(saved), "--article-out", str(fifo), "--events", str(BUNDLED), "--no-cache"]
    result = subprocess.run([sys.executable, "-m", "kztj_tui", *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not a regular file" in result.stderr


def test_article_out_and_the_draft_in_one_file_is_refused_before_anything_is_written(
    saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = saved.parent / "both.txt"
    assert "-o names the file" in one_line_error(capsys, str(saved), "--article-out", str(target), "-o", str(target))
    assert not target.exists()
    # Spelt another way, or through a link.
    (saved.parent / "sub").mkdir()
    (saved.parent / "link.txt").symlink_to(target)
    for spelt in (saved.parent / "sub" / ".." / "both.txt", saved.parent / "link.txt"):
        assert "-o names the file" in one_line_error(capsys, str(saved), "--article-out", str(target), "-o", str(spelt))
        assert not target.exists()
    # The default article path (page.txt beside page.html).
    default = saved.with_suffix(".txt")
    assert "-o names the file" in one_line_error(capsys, str(saved), "-o", str(default))
    assert not default.exists()


def test_article_out_is_for_pages_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    seed = str(REPO / "seeds" / "002_22b63dd09c227152.txt")
    assert "--article-out is for an HTML page" in one_line_error(capsys, seed, "--article-out", str(tmp_path / "a"))


@pytest.mark.parametrize(
    "argv",
    [["validate"], ["search", "trade"], ["ingest", "seeds/002_22b63dd09c227152.txt", "--json", "--no-cache"]],
)
def test_no_other_command_imports_the_extractor(argv: list[str]) -> None:
    """trafilatura and its stack cost ~150 ms to import: only an HTML page's ingest loads them."""
    code = (
        "import sys, io, contextlib\nfrom kztj_tui import cli\n"
        f"with contextlib.redirect_stdout(io.StringIO()): rc = cli.main({argv!r})\n"
        "assert rc == 0, rc\n"
        "heavy = ('trafilatura', 'lxml', 'htmldate', 'justext', 'dateparser')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
