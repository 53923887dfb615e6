"""The ``callcenter`` command: the composition root's front door.

Each package contributes its commands in ``<pkg>/cli.py``; ``COMMANDS`` lists them as
``"module:attribute"`` and they are attached here. Settings load lazily (``ctx.obj.settings``) so
``--help`` works with a broken configuration, and a ``SettingsError`` anywhere stops the command
with exit code 2 and one line naming the field (no traceback); so does a ``FileReadError`` (a
file given to a command that cannot be read as text: ``kernel.files``), naming the file.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from kernel.files import FileReadError
from kernel.settings import Settings, SettingsError, load_settings

COMMANDS: list[str] = [
    "config.commands:version",
    "config.commands:serve",
    "store.cli:db",
    "config.demo:demo",
    "workforce.cli:staffing",
    "workforce.cli:forecast",
    "workforce.cli:roster",
    "workforce.cli:adherence",
    "telephony.cli:bridge",
    "telephony.cli:simulate",
    "qa.cli:qa",
    "qa.cli:scorecard",
    "web.cli:user",
    "web.phone_cli:phone",
    "store.customers_cli:customers",
    "store.customers_cli:complaints",
    "store.customers_cli:outbound",
    "queueing.cli:router",
    "queueing.cli:queues",
    "workforce.cli:whatif",
]


@dataclass
class CliContext:
    config_path: Path | None
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.env, self.config_path)
        return self._settings


class _Group(click.Group):
    """Turns ``SettingsError`` (raised while any command runs) into exit code 2 and one line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (SettingsError, FileReadError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Settings file (TOML). Default: $CALLCENTER_CONFIG, else ./callcenter.toml if present.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Call center platform: AMI bridge, skills-based router, staffing, rosters and QA."""
    ctx.obj = CliContext(config_path=config_path)


def _attach() -> None:
    for spec in COMMANDS:
        module, _, attr = spec.partition(":")
        cli.add_command(getattr(importlib.import_module(module), attr))


_attach()


def main() -> None:
    try:
        cli.main(prog_name="callcenter", standalone_mode=True)
    except (SettingsError, FileReadError) as exc:  # raised outside a command's invoke
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
