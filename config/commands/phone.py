"""``callcenter phone pjsip``: the pjsip.conf sections of the browser-phone agents."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kernel.settings import Settings, SettingsError
from web.phone.credentials import PhoneError, pjsip_sections


@click.group()
def phone() -> None:
    """Browser phones (agents with phone = "webrtc")."""


@phone.command("pjsip")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (mode 0640: it holds passwords) instead of standard output.",
)
@click.pass_context
def pjsip(ctx: click.Context, out: Path | None) -> None:
    """Print the endpoint, auth and AOR of every browser-phone agent, with the SIP passwords the
    desk hands out (derived from [webrtc] secret), for Asterisk's pjsip.conf to include."""
    settings: Settings = ctx.obj.settings
    try:
        text = pjsip_sections(settings)
    except PhoneError as exc:
        raise SettingsError(exc.field, None, exc.message) from None
    if out is None:
        click.echo(text, nl=False)
        return
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    click.echo(f"wrote {sum(a.phone == 'webrtc' for a in settings.agents)} agents to {out}")
