"""The language server: a document's findings as diagnostics, published when it is opened, changed or saved,
and each rewrite offered as a quick fix (code action).

Settings are found as the command line finds them, but upward from the document's directory rather than the
working directory (an editor may start the server anywhere); ``per-file-ignores`` and suppression comments
apply. Positions are sent in the code units the client and server agreed on (UTF-16 unless the client offers
another encoding), converted from the code points phraselint counts in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from .. import __version__
from ..check.files import Finding, Reading, lint_lines
from ..command_line import script_of, worker
from ..data.settings import Settings, find_settings_file, load_settings_file
from ..errors import PhraselintError
from ..output.render import fits_in_place, utterance_span

SOURCE = "phraselint"
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Checked:
    """A document as last checked: its version and its findings, for the code actions asked of it."""

    version: int | None
    findings: tuple[Finding, ...]


class PhraselintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("phraselint", __version__)
        self.checked: dict[str, Checked] = {}

    def settings_for(self, document: TextDocument) -> Settings:
        """The settings in force for ``document``: found upward from its directory, else the defaults."""
        start = Path(document.path).parent if document.uri.startswith("file:") else Path.cwd()
        found = find_settings_file(start)
        return load_settings_file(found) if found else Settings()

    def check(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        try:
            findings = tuple(self._findings(document))
        except PhraselintError as exc:  # a bad settings or rule file: said once, nothing published
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"phraselint: {exc}"))
            return
        self.checked[uri] = Checked(document.version, findings)
        diagnostics = [diagnostic(document, f) for f in findings]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
        )

    def _findings(self, document: TextDocument) -> list[Finding]:
        settings = self.settings_for(document)
        linter, roles = worker(settings)
        name = document.path if document.uri.startswith("file:") else document.uri
        ignored = settings.ignored_here(name)
        lines = _LINE_BREAK.split(document.source)
        reading = Reading("auto", None, script_of(settings))
        return [
            f
            for f in lint_lines(lines, name, linter, roles, reading)
            if f.violation.rule not in ignored and f.violation.situation not in ignored
        ]


def to_client(document: TextDocument, line: int, column: int) -> types.Position:
    """A 1-based line and code-point column of phraselint as an LSP position in the agreed code units."""
    position = types.Position(line=line - 1, character=column - 1)
    return document.position_codec.position_to_client_units(document.lines, position)


def finding_range(document: TextDocument, f: Finding) -> types.Range:
    return types.Range(to_client(document, f.line, f.column), to_client(document, f.end_line, f.end_column))


def diagnostic(document: TextDocument, f: Finding) -> types.Diagnostic:
    v = f.violation
    message = v.message
    if v.rewrite:
        message += f"\n整句: {v.rewrite}"
    return types.Diagnostic(
        range=finding_range(document, f),
        message=message,
        severity=_SEVERITY[v.severity],
        code=v.rule,
        source=SOURCE,
        tags=[types.DiagnosticTag.Unnecessary] if v.rule == "unused-suppression" else None,
    )


def replacements(document: TextDocument, f: Finding) -> list[tuple[str, types.Range, bool]]:
    """What may replace what for a finding: the whole utterance by its rewrite (preferred) where the utterance
    stands in the file as one run of characters, then the matched words by each suggestion."""
    v = f.violation
    out: list[tuple[str, types.Range, bool]] = []
    span = utterance_span(f)
    if v.rewrite and span and fits_in_place(v.rewrite):
        (line, column), (end_line, end_column) = span
        whole = types.Range(to_client(document, line, column), to_client(document, end_line, end_column))
        out.append((v.rewrite, whole, True))
    if f.line == f.end_line:
        for suggestion in dict.fromkeys((*((v.fix,) if v.fix else ()), *v.suggestions)):
            if fits_in_place(suggestion):
                out.append((suggestion, finding_range(document, f), False))
    return out


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def code_actions(server: PhraselintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = server.workspace.get_text_document(uri)
    checked = server.checked.get(uri)
    if checked is None or checked.version != document.version:
        server.check(uri)
        checked = server.checked.get(uri)
    if checked is None:
        return []
    actions = []
    for f in checked.findings:
        found = finding_range(document, f)
        if not _overlaps(found, params.range):
            continue
        shown = diagnostic(document, f)
        for text, span, whole in replacements(document, f):
            title = f"{'改写整句' if whole else '替换为'}: {text}"
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[shown],
                    is_preferred=whole or None,
                    edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=span, new_text=text)]}),
                )
            )
    return actions


def build_server() -> PhraselintServer:
    server = PhraselintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PhraselintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PhraselintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PhraselintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PhraselintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.checked.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: PhraselintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    return server


def serve_stdio(**_: Any) -> None:
    build_server().start_io()
