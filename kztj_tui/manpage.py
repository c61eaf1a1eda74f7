"""The kztj(1) man page, written from the command line's own argparse definitions (no second copy of the help).

``python -m kztj_tui.manpage > man/kztj.1`` regenerates the committed page; a test keeps the two equal.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from . import __version__


def escape(text: str) -> str:
    """Text as roff: backslashes and hyphens escaped, other characters past ASCII named, no line read as a request."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\e")
        elif char == "-":
            out.append("\\-")
        elif ord(char) > 126 or (ord(char) < 32 and char != "\n"):
            out.append(f"\\[u{ord(char):04X}]")
        else:
            out.append(char)
    # A line that starts with a dot or an apostrophe would be a request: \& before it makes it text.
    return re.sub(r"(?m)^([.'])", r"\\&\1", "".join(out))


def _bold(text: str) -> str:
    return f"\\fB{escape(text)}\\fR"


def _options(parser: argparse.ArgumentParser, described: Sequence[argparse.Action] = ()) -> list[str]:
    """An indented paragraph per option not ``described`` already: spellings and value in bold and italics, help."""
    formatter = parser._get_formatter()
    lines = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS or action in described:
            continue
        if isinstance(action, argparse._HelpAction) and described:
            continue  # -h is the same everywhere: said once, at the top
        spellings = []
        for option in action.option_strings:
            value = "" if action.nargs == 0 else " " + formatter._format_args(action, action.dest.upper())
            spellings.append(_bold(option) + (f"\\fI{escape(value)}\\fR" if value else ""))
        lines += [".TP", ", ".join(spellings), escape(" ".join(formatter._expand_help(action).split()))]
    return lines


def _positionals(parser: argparse.ArgumentParser) -> list[str]:
    formatter = parser._get_formatter()
    lines = []
    for action in parser._actions:
        if action.option_strings or isinstance(action, argparse._SubParsersAction) or not action.help:
            continue
        lines += [
            ".TP",
            f"\\fI{escape(formatter._format_args(action, action.dest))}\\fR",
            escape(formatter._expand_help(action)),
        ]
    return lines


def _usage(parser: argparse.ArgumentParser) -> str:
    return " ".join(parser.format_usage().removeprefix("usage:").split())


def _epilog(text: str) -> list[str]:
    """An epilog's paragraphs: a "heading:" line becomes a section, indented lines stay as they are laid out."""
    lines: list[str] = []
    for paragraph in text.strip("\n").split("\n\n"):
        first, _, rest = paragraph.partition("\n")
        heading, colon, after = first.partition(":")
        if colon and heading and not heading.startswith(" "):
            lines.append(f".SH {escape(heading.upper())}")
            body = (after.strip() + "\n" + rest).strip("\n")
        else:
            body = paragraph
        if body.startswith(" "):
            lines += [".nf", *(escape(line.strip()) for line in body.splitlines()), ".fi"]
        else:
            lines.append(escape(" ".join(body.split())))
    return lines


def render(parser: argparse.ArgumentParser | None = None) -> str:
    """The man page of ``kztj`` as roff source."""
    if parser is None:
        from .cli import _parser

        parser = _parser()
    prog = parser.prog
    lines = [
        f'.TH {prog.upper()} 1 "" "{prog} {escape(__version__)}" "User Commands"',
        ".SH NAME",
        f"{prog} \\- {escape(_first_sentence(parser.description or prog))}",
        ".SH SYNOPSIS",
        escape(_usage(parser)),
        ".SH DESCRIPTION",
        escape(parser.description or ""),
        ".SH OPTIONS",
        *_options(parser),
        ".SH COMMANDS",
    ]
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        for name, sub in action.choices.items():
            lines += [f".SS {escape(name)}", escape(_usage(sub)), ".PP", escape(sub.description or helps.get(name, ""))]
            # The options every command shares (--events, --color, ...) are described once, at the top.
            described = _positionals(sub) + _options(sub, parser._actions)
            if described:
                lines += [".PP", *described]
            if sub.epilog:
                lines += _sub_epilog(sub.epilog)
    if parser.epilog:
        lines += _epilog(parser.epilog)
    return "\n".join(lines) + "\n"


def _first_sentence(text: str) -> str:
    """The description's first sentence, as the NAME line's lower-case phrase."""
    sentence = text.split(". ")[0].rstrip(".")
    return sentence[:1].lower() + sentence[1:]


def _sub_epilog(text: str) -> list[str]:
    """A subcommand's epilog inside its section: its heading in bold, its lines as laid out."""
    first, _, rest = text.strip("\n").partition("\n")
    return [".PP", _bold(first.rstrip(":")), ".nf", *(escape(line.strip()) for line in rest.splitlines()), ".fi"]


if __name__ == "__main__":
    sys.stdout.write(render())
