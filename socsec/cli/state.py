"""Per-invocation state: settings, workspace and output, built lazily from global options."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from socsec.cli.output import Output, OutputFormat
from socsec.config import Settings
from socsec.workspace import Workspace


@dataclass
class CliState:
    """What the root callback collected; commands read it through :func:`get_state`."""

    data_dir: Path | None = None
    config_file: Path | None = None
    out: Output = field(default_factory=Output)
    _settings: Settings | None = None
    _workspace: Workspace | None = None

    @property
    def settings(self) -> Settings:
        """The settings from flags, environment and config file."""
        if self._settings is None:
            self._settings = Settings.load(data_dir=self.data_dir, config_file=self.config_file)
        return self._settings

    def workspace(self) -> Workspace:
        """The data dir, initialised from bundled data on first use (with a notice)."""
        if self._workspace is None:
            from socsec.app.setup import open_workspace

            self._workspace = open_workspace(self.settings, on_notice=self.out.notice)
        return self._workspace


def get_state(ctx: typer.Context, json: bool = False) -> CliState:
    """The state of this invocation; ``json`` switches the output to JSON."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    state: CliState = root.obj
    if json:
        state.out.fmt = OutputFormat.json
    return state
