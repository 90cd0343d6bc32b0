"""``phraselint serve``: the pre-send check for chat tools over HTTP (needs the optional extra 'serve').

Registered by phraselint.cli by name; starlette and uvicorn are imported only when the command runs, so that a
missing extra is said in one line.
"""

from __future__ import annotations

import sys

import click

from ..command_line import config_option, fail, guard, rules_option, settings_from, worker


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. The service has no authentication: keep it on the loopback.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=65536,
    show_default=True,
    help="Largest request body in bytes; a larger one gets 413.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="A web origin allowed to call the service from its pages (https://chat.example.org); "
    "may be repeated.",
)
@rules_option
@config_option
@guard
def serve(
    host: str,
    port: int,
    max_body: int,
    cors_origins: tuple[str, ...],
    rule_files: tuple[str, ...],
    config: str | None,
) -> None:
    """Serve the pre-send check over HTTP for chat tools (POST /v1/check), with a chat page at /."""
    try:
        import uvicorn  # noqa: F401  (checked before anything loads, so a missing extra is said at once)

        from .server import run
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("starlette", "uvicorn", "anyio"):
            raise
        fail(f"'phraselint serve' needs the optional extra 'serve' ({exc}): pip install 'phraselint[serve]'")
        sys.exit(2)
    settings = settings_from({"rule_files": rule_files, "config": config})
    linter, roles = worker(settings)
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(
            f"phraselint: warning: listening on {host}: reachable from other machines, "
            "with no authentication",
            err=True,
        )
    run(
        linter,
        roles,
        host=host,
        port=port,
        max_body=max_body,
        cors_origins=cors_origins,
        fail_on=settings.fail_on,
        script=settings.script,
    )
