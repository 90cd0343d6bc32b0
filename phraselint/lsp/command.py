"""``phraselint lsp``: start the language server on standard input and output (see docs/editors.md)."""

from __future__ import annotations

import click

from ..command_line import guard


@click.command()
@click.option(
    "--stdio", is_flag=True, help="Talk over standard input and output (the default; editors pass it)."
)
@guard
def lsp(stdio: bool) -> None:
    """The language server for editors: diagnostics as you type, rewrites as quick fixes (needs the 'lsp'
    extra: pip install 'phraselint[lsp]')."""
    try:
        from .server import serve_stdio
    except ImportError as exc:
        raise click.UsageError(
            f"the language server needs pygls ({exc.name}): pip install 'phraselint[lsp]'"
        ) from None
    serve_stdio()
