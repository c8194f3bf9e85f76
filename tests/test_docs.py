"""Every command has help with an example, and the README names it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from socsec.cli.app import LAZY_COMMANDS, _load

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def walk(command: typer.core.TyperCommand, path: str) -> Iterator[tuple[str, object]]:
    """Every command below ``command``, building lazy groups' commands as Click would."""
    yield path, command
    if isinstance(command, typer.core.TyperGroup):
        ctx = typer.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{path} lists {name} but cannot build it"
            yield from walk(sub, f"{path} {name}")


def all_commands() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name in LAZY_COMMANDS:
        found += list(walk(_load(name), f"socsec {name}"))
    return found


COMMANDS = all_commands()
LEAVES = [(path, cmd) for path, cmd in COMMANDS if not isinstance(cmd, typer.core.TyperGroup)]


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[p for p, _ in LEAVES])
def test_command_has_help_with_an_example(path: str, command: object) -> None:
    text = getattr(command, "help", None) or ""
    assert text.strip(), f"{path} has no help"
    assert "Example" in text, f"{path}'s help has no Example"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_readme_mentions_command(path: str, command: object) -> None:
    assert path in README, f"README does not mention `{path}`"
