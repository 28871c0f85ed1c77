"""The README's promises about the `clinlead` command hold: every command its table names exists,
with every sub-command and option the table shows; its Quick start is two commands, and the second
is the test command CI and `benchmarks/readme_suite_time.py` run."""

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


def quick_start_commands():
    """The fenced commands of the README's Quick start, in order."""
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    return re.findall(r"```\n(.*?)\n```", quick_start.split("\n## ", 1)[0], flags=re.S)


def test_the_quick_start_is_two_commands_the_demo_then_the_whole_suite():
    demo, suite = quick_start_commands()
    assert demo.endswith("clinlead demo") and suite.endswith("&& pytest")


def test_ci_and_the_suite_benchmark_run_the_quick_starts_test_command():
    import importlib.util

    suite = quick_start_commands()[1]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert f'TEST_COMMAND="{suite}"' in ci
    path = README.parent / "benchmarks" / "readme_suite_time.py"
    spec = importlib.util.spec_from_file_location("readme_suite_time", path)
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    assert benchmark.readme_test_command(README) == suite
