"""`phraselint lsp` end to end, as an editor drives it: a scripted client spawns the server and speaks JSON-RPC
with Content-Length framing over its standard input and output. Positions are checked in UTF-16 code units,
as the protocol counts them by default (an emoji before the phrase counts two)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import pytest

SERVER = [sys.executable, "-m", "phraselint", "lsp", "--stdio"]
TIMEOUT = 120.0  # the first check loads and verifies the catalogue


class Client:
    """A minimal LSP client: requests with ids, notifications, and whatever the server sends, in order."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            SERVER, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.incoming: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.incoming.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any] | None) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        reply = self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)
        assert "error" not in reply, reply
        return reply["result"]

    def wait(self, wanted: Any) -> dict[str, Any]:
        while True:
            message = self.incoming.get(timeout=TIMEOUT)
            if wanted(message):
                return message

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        message = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        )
        return list(message["params"]["diagnostics"])

    def close(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", {})
        try:
            return self.process.wait(timeout=30)
        finally:
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream:
                    stream.close()


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    root = tmp_path / "话术库"
    root.mkdir()
    return root, env


def start(root: Path, env: dict[str, str], cwd: Path) -> Client:
    client = Client(cwd, env)
    result = client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {
                "textDocument": {
                    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}}
                }
            },
        },
    )
    assert result["capabilities"]["codeActionProvider"]
    assert result["capabilities"].get("positionEncoding", "utf-16") == "utf-16"
    client.notify("initialized", {})
    return client


def test_diagnostics_as_you_type_and_rewrites_as_quick_fixes(
    workspace: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = workspace
    path = root / "咨询.md"
    uri = path.as_uri()
    text = "# 咨询\n\n您好，请问您办理什么业务？\n😀😀 不知道，你去问别人吧。\n"
    path.write_text(text, encoding="utf-8")
    client = start(root, env, cwd=tmp_path)  # started elsewhere: settings are found from the document
    try:
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}},
        )
        found = client.diagnostics(uri)
        by_code = {d["code"]: d for d in found}
        assert set(by_code) == {"dont-know", "go-ask-elsewhere"}
        first = by_code["dont-know"]
        # Line 3 (0-based), after two emoji (two UTF-16 units each) and a space: character 5, not 3.
        assert first["range"] == {"start": {"line": 3, "character": 5}, "end": {"line": 3, "character": 8}}
        assert first["severity"] == 1 and first["source"] == "phraselint"

        actions = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": first["range"], "context": {"diagnostics": [first]}},
        )
        whole = [a for a in actions if a.get("isPreferred")]
        assert whole and all(a["kind"] == "quickfix" for a in actions)
        edit = whole[0]["edit"]["changes"][uri][0]
        words = [a["edit"]["changes"][uri][0] for a in actions if not a.get("isPreferred")]
        assert words and all(w["range"] == first["range"] for w in words)  # a suggestion for the words alone
        # The whole utterance (its leading emoji too, which the rewrite keeps): 2 + 2 + 1 + 11 UTF-16 units.
        assert edit["range"] == {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 16}}
        assert edit["newText"].startswith("😀😀 ")
        lines = text.split("\n")
        fixed_line = edit["newText"]
        fixed = "\n".join([*lines[:3], fixed_line, *lines[4:]])

        # The user applies the quick fix: the editor sends the change, the diagnostics go.
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
        )
        assert client.diagnostics(uri) == []

        # Typing a new phrase brings a diagnostic back, placed by an incremental change.
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 3},
                "contentChanges": [
                    {
                        "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
                        "text": "😀没看我正忙着吗？\n",
                    }
                ],
            },
        )
        again = client.diagnostics(uri)
        assert [(d["code"], d["range"]["start"]) for d in again] == [
            ("busy-cant-you-see", {"line": 2, "character": 2})
        ]
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()


def test_settings_and_suppression_comments_apply_in_the_editor(
    workspace: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = workspace
    (root / "phraselint.toml").write_text(
        '[per-file-ignores]\n"quotes/*" = ["go-ask-elsewhere"]\n', encoding="utf-8"
    )
    path = root / "quotes" / "q.yml"
    path.parent.mkdir()
    text = "replies:\n  # phraselint: disable-next-line dont-know\n  - 不知道。\n  - 不知道，你去问别人吧。\n"
    client = start(root, env, cwd=tmp_path)
    try:
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}},
        )
        found = client.diagnostics(path.as_uri())
        assert [(d["code"], d["range"]["start"]["line"]) for d in found] == [("dont-know", 3)]
        assert client.close() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()
