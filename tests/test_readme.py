"""The README's promises about the `clinlead` command hold: every command its table names exists,
with every sub-command and option the table shows."""

import argparse
import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands():
    """Each `clinlead ...` written in the first column of the README's command table."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## The `clinlead` command", 1)[1].split("\n## ", 1)[0]
    commands = []
    for row in table.splitlines():
        cells = re.split(r"(?<!\\)\|", row)
        if len(cells) > 2 and "clinlead" in cells[1]:
            commands += re.findall(r"`(clinlead [^`]+)`", cells[1].replace("\\|", "|"))
    return commands


def parser_for(words):
    """The argument parser of `clinlead words[0] [words[1]]`, and the words it did not use."""
    name = words[0].replace("-", "_")  # as the console script maps them
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("clinlead", name)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            assert len(words) > 1 and words[1] in action.choices, (
                f"`clinlead {words[0]}` needs one of {sorted(action.choices)}"
            )
            return action.choices[words[1]]
    return parser


def test_the_readme_table_names_commands():
    commands = readme_commands()
    assert (
        len(commands) >= 10
        and "clinlead demo [--reset] [--staff N] [--port N] [--no-serve]" in commands
    )


@pytest.mark.parametrize("written", readme_commands())
def test_every_command_in_the_readme_exists_with_its_options(written):
    words = written.split()[1:]
    assert words[0].replace("-", "_") in get_commands(), f"`{written}`: no such command"
    parser = parser_for(words)
    for option in re.findall(r"--[a-z][a-z-]*", written):
        assert option in parser._option_string_actions, f"`{written}`: {option} is not an option"
