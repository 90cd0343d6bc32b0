"""The pre-send check service as a chat tool uses it: /v1/check, the batch, the rules, the limits, every bad
request a clear 4xx, CORS, start-up warming; and the `phraselint serve` command."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from phraselint.check.files import Roles
from phraselint.cli.commands import main
from phraselint.data.catalogue import load_catalogue
from phraselint.engine.linter import Linter
from phraselint.engine.script import evidence
from phraselint.service.server import INLINE_TEXT, MAX_BATCH, MAX_TEXT, STATIC_DIR, create_app, listen

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue()
LINTER = Linter(CATALOGUE)
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(LINTER)) as c:
        yield c


def post(client: TestClient, body: Any, path: str = "/v1/check") -> Any:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def cli_item(text: str, tmp_path: Path) -> dict[str, Any]:
    """The CLI's JSON item for ``text`` given as one plain message on standard input."""
    result = CliRunner().invoke(
        main, ["check", "-", "--format", "json", "--input-format", "plain", "--isolated"], input=text
    )
    assert result.exit_code == 1, result.output
    (item,) = json.loads(result.stdout)["violations"]
    return item


# --- POST /v1/check ---------------------------------------------------------------------------------


def test_a_forbidden_message_is_held_with_the_cli_fields_offsets_and_a_rewrite(
    client: TestClient, tmp_path: Path
) -> None:
    text = "不知道。"
    data = post(client, {"text": text})
    assert data["ok"] is False
    (item,) = data["violations"]
    expected = cli_item(text, tmp_path)
    assert set(item) == set(expected)
    # Every field is the CLI's, but the message has no file and no times: start/end are character offsets.
    for key in set(expected) - {"path", "start", "end"}:
        assert item[key] == expected[key], key
    assert (item["path"], item["line"], item["column"], item["end_column"]) == ("<message>", 1, 1, 4)
    assert text[item["start"] : item["end"]] == item["text"] == "不知道"
    assert data["rewrite"] == LINTER.rewrite(text)
    assert data["rewrite"] != text and LINTER.check(data["rewrite"]) == []


def test_a_clean_message_may_go(client: TestClient) -> None:
    assert post(client, {"text": "您好，请问您办理什么业务？"}) == {
        "ok": True,
        "violations": [],
        "rewrite": None,
        "alternatives": [],
    }
    assert post(client, {"text": ""}) == {"ok": True, "violations": [], "rewrite": None, "alternatives": []}


def test_offsets_count_code_points_and_lines_are_lines_of_the_message(client: TestClient) -> None:
    text = "😀您好\n😀不知道。"
    (item,) = post(client, {"text": text})["violations"]
    assert text[item["start"] : item["end"]] == "不知道"
    assert (item["start"], item["end"]) == (5, 8)
    assert (item["line"], item["column"], item["end_line"], item["end_column"]) == (2, 2, 2, 5)
    assert item["utterance"] == text


def test_traditional_message_gets_traditional_messages_and_rewrite(client: TestClient) -> None:
    text = "沒看見我正忙著嗎？"
    data = post(client, {"text": text})
    (item,) = data["violations"]
    assert item["script"] == "traditional"
    assert item["message"] == LINTER.check(text)[0].message and "嗎" in item["message"]
    assert data["rewrite"] == LINTER.rewrite(text)
    assert data["rewrite"] and LINTER.check(data["rewrite"]) == []
    for written in (*item["suggestions"], data["rewrite"]):
        traditional_only, simplified_only = evidence(written)
        assert traditional_only > 0 and simplified_only == 0, written


def test_script_field_chooses_the_script_of_rewrites(client: TestClient) -> None:
    for script in ("simplified", "tw", "hk"):
        data = post(client, {"text": "不知道。", "script": script})
        assert data["violations"][0]["script"] == script
        assert data["violations"][0]["suggestions"] == list(
            LINTER.check("不知道。", script=script)[0].suggestions
        )
        assert data["rewrite"] == LINTER.rewrite("不知道。", script=script)
    assert post(client, {"text": "不知道。", "script": "auto"})["violations"][0]["script"] == "simplified"


def test_a_message_whose_rule_has_no_safe_fix_still_gets_a_rewrite_to_send(client: TestClient) -> None:
    rule = next(r for r in CATALOGUE.rules if not any(rw.fix for rw in r.rewrites) and r.flag_examples)
    data = post(client, {"text": rule.flag_examples[0]})
    assert data["ok"] is False and data["rewrite"] == LINTER.rewrite(rule.flag_examples[0])
    assert LINTER.check(data["rewrite"]) == []
    assert any(v["rule"] == rule.id and v["suggestions"] for v in data["violations"])


def test_visitors_are_not_checked_staff_and_unnamed_speakers_are(client: TestClient) -> None:
    vocabulary = CATALOGUE.vocabulary
    for visitor in (vocabulary.visitor_speakers[0], "來訪人員"):
        assert post(client, {"text": "不知道。", "speaker": visitor}) == {
            "ok": True,
            "violations": [],
            "rewrite": None,
            "alternatives": [],
        }
    staff = vocabulary.staff_speakers[0]
    data = post(client, {"text": "不知道。", "speaker": staff})
    assert data["ok"] is False and data["violations"][0]["speaker"] == staff
    assert post(client, {"text": "不知道。", "speaker": None})["ok"] is False


def test_named_staff_make_every_other_speaker_a_visitor() -> None:
    app = create_app(LINTER, roles=Roles.build(LINTER, staff=["小王"]))
    with TestClient(app) as c:
        assert post(c, {"text": "不知道。", "speaker": "小王"})["ok"] is False
        assert post(c, {"text": "不知道。", "speaker": "小李"})["ok"] is True
        assert post(c, {"text": "不知道。"})["ok"] is False  # no speaker: the one at the keyboard


def test_ok_follows_fail_on_and_keeps_every_violation() -> None:
    warning = next(r for r in CATALOGUE.rules if r.severity == "warning")
    text = warning.flag_examples[0]
    with TestClient(create_app(LINTER)) as c:
        assert post(c, {"text": text})["ok"] is False
    with TestClient(create_app(LINTER, fail_on="error")) as c:
        data = post(c, {"text": text})
        assert data["ok"] is True and [v["rule"] for v in data["violations"]] == [warning.id]


# --- batch, rules, health ---------------------------------------------------------------------------


def test_batch_checks_each_message_in_order(client: TestClient) -> None:
    messages = [
        {"text": "不知道。"},
        {"text": "您好"},
        {"text": "不知道。", "speaker": "客户"},
        {"text": "沒看見我正忙著嗎？"},
    ]
    results = post(client, {"messages": messages}, "/v1/check/batch")["results"]
    assert results == [post(client, m) for m in messages]
    assert post(client, {"messages": []}, "/v1/check/batch") == {"results": []}


def test_batch_is_capped_and_names_the_bad_message(client: TestClient) -> None:
    too_many = client.post("/v1/check/batch", json={"messages": [{"text": "您好"}] * (MAX_BATCH + 1)})
    assert too_many.status_code == 400 and too_many.json()["error"]["field"] == "messages"
    assert (
        client.post("/v1/check/batch", json={"messages": [{"text": "您好"}] * MAX_BATCH}).status_code == 200
    )
    bad = client.post("/v1/check/batch", json={"messages": [{"text": "您好"}, {"text": 5}]})
    assert bad.status_code == 400 and bad.json() == {
        "error": {"field": "messages[1].text", "message": "must be a string, not a number"}
    }
    for body in ({}, {"messages": "不知道"}, {"messages": [3]}):
        response = client.post("/v1/check/batch", json=body)
        assert response.status_code == 400 and response.json()["error"]["field"].startswith("messages"), body


def test_rules_list_the_catalogue_in_use(client: TestClient) -> None:
    rules = client.get("/v1/rules").json()["rules"]
    assert [r["id"] for r in rules] == [r.id for r in CATALOGUE.rules]
    first = CATALOGUE.rules[0]
    assert rules[0] == {
        "id": first.id,
        "severity": first.severity,
        "situation": first.situation,
        "category": first.category,
        "phrase": first.phrase,
        "message": first.message,
        "sources": [{"code": s.code, "clause": s.clause} for s in first.sources],
    }
    narrow = Linter(CATALOGUE, select=["dont-know"], severity={"dont-know": "info"})
    with TestClient(create_app(narrow)) as c:
        assert [(r["id"], r["severity"]) for r in c.get("/v1/rules").json()["rules"]] == [
            ("dont-know", "info")
        ]
        assert c.get("/healthz").json()["rules"] == 1


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.json()["rules"] == len(CATALOGUE.rules)


# --- limits and errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "body: malformed JSON"),
        (b"{", "body: malformed JSON"),
        (b"{'text': 'x'}", "body: malformed JSON"),
        (b"\xff\xfe{}", "body: not valid UTF-8"),
        (b"[]", "body: must be a JSON object, not an array"),
        (b'"text"', "body: must be a JSON object, not a string"),
        (b"null", "body: must be a JSON object, not null"),
        (b"{}", "text: missing"),
        (b'{"txt": "x"}', "txt: unknown field 'txt' (known: text, speaker, script)"),
        (b'{"text": null}', "text: must be a string, not null"),
        (b'{"text": 3}', "text: must be a string, not a number"),
        (b'{"text": ["x"]}', "text: must be a string, not an array"),
        (b'{"text": "x", "speaker": 5}', "speaker: must be a string, not a number"),
        (b'{"text": "x", "script": "latin"}', "script: must be one of auto, simplified, traditional, tw, hk"),
        (b'{"text": "x", "script": true}', "script: must be a string, not a boolean"),
        (b'{"text": "\\ud800x"}', "text: unpaired surrogate"),
        (b"[" * 30_000 + b"]" * 30_000, "body: malformed JSON: nested too deeply"),
        (b'{"text": "x", "n": ' + b"9" * 5000 + b"}", "body: malformed JSON"),
    ],
)
def test_bad_requests_get_400_naming_the_field(client: TestClient, body: bytes, error: str) -> None:
    response = client.post("/v1/check", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    field, message = error.split(": ", 1)
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"].startswith(message)


def test_a_body_with_a_byte_order_mark_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/v1/check", content=b"\xef\xbb\xbf" + json.dumps({"text": "您好"}).encode(), headers=JSON
    )
    assert response.status_code == 200 and response.json()["ok"] is True


def test_only_json_is_accepted(client: TestClient) -> None:
    for headers in (
        {},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
    ):
        response = client.post("/v1/check", content=b'{"text": "x"}', headers=headers)
        assert response.status_code == 415 and response.json()["error"]["field"] == "Content-Type"
    charset = client.post(
        "/v1/check", content=b'{"text": "x"}', headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert charset.status_code == 200


def test_an_oversized_body_gets_413_by_its_declared_length() -> None:
    with TestClient(create_app(LINTER, max_body=100)) as c:
        small = json.dumps({"text": "您好"}).encode()
        assert c.post("/v1/check", content=small, headers=JSON).status_code == 200
        big = json.dumps({"text": "您好" * 100}).encode()
        response = c.post("/v1/check", content=big, headers=JSON)
        assert response.status_code == 413 and "100" in response.json()["error"]["message"]
        lying = c.post("/v1/check", content=small, headers={**JSON, "Content-Length": "x1"})
        assert lying.status_code == 400 and lying.json()["error"]["field"] == "Content-Length"


def test_an_oversized_body_gets_413_by_what_arrives_when_no_length_is_declared() -> None:
    chunks_read: list[int] = []

    def chunked() -> Iterator[bytes]:
        yield b'{"text": "'
        for i in range(10_000):  # 10 MB if read to the end
            chunks_read.append(i)
            yield "您好".encode() * 170
        yield b'"}'

    with TestClient(create_app(LINTER, max_body=4096)) as c:
        response = c.post("/v1/check", content=chunked(), headers=JSON)
        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert response.status_code == 413 and "4096" in response.json()["error"]["message"]
        ok = c.post(
            "/v1/check",
            content=iter([b'{"text": ', b'"\xe4\xb8\x8d\xe7\x9f\xa5\xe9\x81\x93"}']),
            headers=JSON,
        )
        assert ok.status_code == 200 and ok.json()["ok"] is False


def test_the_default_limit_is_64_kib(client: TestClient) -> None:
    body = '{"text": "您好"}'.encode()
    padded = body[:-1] + b" " * (64 * 1024 - len(body)) + b"}"  # JSON white space up to exactly 64 KiB
    assert len(padded) == 64 * 1024
    assert client.post("/v1/check", content=padded, headers=JSON).status_code == 200
    over = client.post("/v1/check", content=padded + b" ", headers=JSON)
    assert over.status_code == 413 and "65536" in over.json()["error"]["message"]


def test_a_message_longer_than_a_chat_message_gets_413_naming_it(client: TestClient) -> None:
    assert post(client, {"text": "您好" * (MAX_TEXT // 2)})["ok"] is True
    long = client.post("/v1/check", json={"text": "您好" * (MAX_TEXT // 2) + "。"})
    assert long.status_code == 413
    assert long.json() == {
        "error": {"field": "text", "message": f"{MAX_TEXT + 1} characters, more than the limit of {MAX_TEXT}"}
    }
    batch = client.post(
        "/v1/check/batch", json={"messages": [{"text": "您好"}, {"text": "好" * (MAX_TEXT + 1)}]}
    )
    assert batch.status_code == 413 and batch.json()["error"]["field"] == "messages[1].text"
    with TestClient(create_app(LINTER, max_text=3)) as c:
        assert c.post("/v1/check", json={"text": "不知道"}).status_code == 200
        assert c.post("/v1/check", json={"text": "不知道。"}).status_code == 413


def test_a_long_message_is_checked_like_a_short_one(client: TestClient) -> None:
    """Past INLINE_TEXT characters the check runs in a worker thread; the answer is the same."""
    text = "您好。" * (INLINE_TEXT // 3) + "不知道。"
    assert len(text) > INLINE_TEXT
    data = post(client, {"text": text})
    assert [(v["rule"], v["start"]) for v in data["violations"]] == [("dont-know", len(text) - 4)]
    assert data["rewrite"] == LINTER.rewrite(text)


def test_unknown_routes_and_wrong_methods_answer_in_json(client: TestClient) -> None:
    missing = client.get("/v2/check")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"field": None, "message": "not found: GET /v2/check"}}
    wrong = client.get("/v1/check")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    assert wrong.json() == {
        "error": {"field": None, "message": "method not allowed: GET /v1/check (allowed: POST)"}
    }
    assert client.post("/healthz").status_code == 405
    assert client.get("/static/no-such-file.js").json()["error"]["message"].startswith("not found")


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["text", "speaker", "script", "messages", "x"]) | st.text(max_size=5),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_no_json_body_is_ever_a_500(client: TestClient, body: Any) -> None:
    for path in ("/v1/check", "/v1/check/batch"):
        response = client.post(path, content=json.dumps(body).encode(), headers=JSON)
        assert response.status_code in (200, 400), (path, body, response.text)
        assert ("error" in response.json()) == (response.status_code == 400)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=64))
def test_no_byte_string_is_ever_a_500(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/check", content=body, headers=JSON)
    assert response.status_code in (200, 400), (body, response.text)


class _BrokenLinter(Linter):
    """A linter with a bug: what the catch-all is for."""

    def check(self, text: str, *, script: str | None = None, context: str | None = None) -> list[Any]:
        if text == "boom":
            raise RuntimeError("a bug in the engine")
        return super().check(text, script=script, context=context)


def test_a_bug_is_a_logged_500_in_json_and_the_service_keeps_going(caplog: pytest.LogCaptureFixture) -> None:
    with (
        TestClient(create_app(_BrokenLinter(CATALOGUE))) as c,
        caplog.at_level(logging.ERROR, "phraselint.serve"),
    ):
        response = c.post("/v1/check", json={"text": "boom"})
        assert response.status_code == 500
        assert response.json() == {
            "error": {"field": None, "message": "internal error (logged by the service)"}
        }
        assert "a bug in the engine" in caplog.text and "POST /v1/check" in caplog.text
        assert c.post("/v1/check", json={"text": "不知道。"}).json()["ok"] is False


# --- CORS, the page, start-up -----------------------------------------------------------------------


def test_cors_only_for_the_configured_origins() -> None:
    allowed, other = "https://chat.example.org", "https://evil.example.com"
    with TestClient(create_app(LINTER, cors_origins=[allowed])) as c:
        response = c.post("/v1/check", json={"text": "您好"}, headers={"Origin": allowed})
        assert response.headers["access-control-allow-origin"] == allowed
        assert (
            "access-control-allow-origin"
            not in c.post("/v1/check", json={"text": "您好"}, headers={"Origin": other}).headers
        )
        preflight = c.options(
            "/v1/check",
            headers={
                "Origin": allowed,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
        refused = c.options("/v1/check", headers={"Origin": other, "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 400
        error = c.post("/v1/check", content=b"{", headers={**JSON, "Origin": allowed})
        assert error.status_code == 400 and error.headers["access-control-allow-origin"] == allowed
    with TestClient(create_app(LINTER)) as c:
        assert (
            "access-control-allow-origin"
            not in c.post("/v1/check", json={"text": "您好"}, headers={"Origin": allowed}).headers
        )


def test_the_chat_page_and_its_files_are_local(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("chat.js", "chat.css", "client.js", "docs.js", "docs.css"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.text == (STATIC_DIR / name).read_text(
            encoding="utf-8"
        )
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), (
            f"{path.name} loads something from elsewhere"
        )
        # The only address named is the local service's (the JavaScript client's default and its example).
        hosts = set(re.findall(r"https?://([^/:\"'\s]+)", text))
        assert hosts <= {"127.0.0.1"}, (path.name, hosts)


def test_start_up_warms_the_engine_before_the_first_request() -> None:
    """In a fresh interpreter: nothing is built until start-up; after it, the tokenizer, the folding table and
    the script tables are, and the first request builds nothing more."""
    probe = textwrap.dedent(
        """
        from starlette.testclient import TestClient
        from phraselint.engine.linter import Linter
        from phraselint.engine import confirm, script
        from phraselint.service.server import create_app

        linter = Linter()
        def built():
            tables = (confirm.tokenizer, script._changed_by, script._simplified_only, script.converter)
            return [f.cache_info().currsize for f in tables]
        before = built()
        with TestClient(create_app(linter)) as client:
            after = built()
            client.post("/v1/check", json={{"text": "{text}"}})
            print(before, after, built())
        """
    )
    rule = next(r for r in CATALOGUE.rules if r.scope == "word")
    out = subprocess.run(
        [sys.executable, "-c", probe.format(text="您好，" + rule.flag_examples[-1])],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    before, after, later = (json.loads(part) for part in re.findall(r"\[[^\]]*\]", out))
    assert before == [0, 0, 0, 0]
    # _changed_by: t2s (and s2t, s2tw, s2hk where the simplified-only characters are not on disk yet)
    assert after[0] == 1 and after[1] in (1, 4) and after[2] == 1 and after[3] >= 4
    assert later == after


# --- `phraselint serve` -----------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["starlette", "uvicorn"])
def test_serve_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: pytest.fail("served without the extra"))
    for name in [n for n in sys.modules if n == missing or n.startswith(f"{missing}.")] + [
        "phraselint.service.server"
    ]:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, missing, None)  # what an environment without it imports
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert "pip install 'phraselint[serve]'" in line and missing in line


def test_serve_with_a_bad_rule_file_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "phraselint.service.server.run", lambda *args, **kwargs: pytest.fail("served a bad rule file")
    )
    bad = tmp_path / "ours.yml"
    bad.write_text("version: 1\nrules: [{id: x}]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--rules", str(bad)])
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.output
    assert str(bad) in result.stderr


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda *args, **kwargs: pytest.fail("served on a port in use"))
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"phraselint: error: cannot listen on 127.0.0.1:{port}")


def test_the_listening_socket_is_tcp_so_answers_are_not_delayed() -> None:
    """asyncio sets TCP_NODELAY on a connection only when its socket names the TCP protocol; without it a
    keep-alive client waits 40 ms for every answer (Nagle against delayed ACKs)."""
    with listen("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        with socket.create_connection(sock.getsockname()[:2]) as client, sock.accept()[0] as accepted:
            assert client and accepted.proto == socket.IPPROTO_TCP


def test_serve_command_serves_with_its_options(tmp_path: Path) -> None:
    config = tmp_path / "phraselint.toml"
    config.write_text('fail-on = "error"\nignore = ["answering"]\n', encoding="utf-8")
    origin = "https://chat.example.org"
    command = [sys.executable, str(ROOT / "cli.py"), "serve", "--port", "0", "--max-body", "200"]
    command += ["--config", str(config), "--cors-origin", origin]
    env = dict(os.environ)
    with subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True) as process:
        watchdog = threading.Timer(120, process.kill)  # a service that never says it runs fails the test
        watchdog.start()
        try:
            assert process.stderr is not None
            url = next(
                (
                    m.group(1)
                    for line in process.stderr
                    if (m := re.search(r"Listening on (http://\S+:\d+)", line))
                ),
                None,
            )
            assert url and url.startswith("http://127.0.0.1:"), "the service did not start"
            with httpx2.Client(base_url=url, timeout=10) as http:
                assert http.get("/healthz").json()["status"] == "ok"
                # --config: the answering rules are ignored, fail-on is error.
                assert http.post("/v1/check", json={"text": "不知道。"}).json()["violations"] == []
                held = http.post("/v1/check", json={"text": "沒看見我正忙著嗎？"}, headers={"Origin": origin})
                assert held.json()["ok"] is False
                assert held.headers["access-control-allow-origin"] == origin  # --cors-origin
                assert http.post("/v1/check", json={"text": "您好" * 100}).status_code == 413  # --max-body
        finally:
            watchdog.cancel()
            process.terminate()
            process.wait(timeout=10)


def test_unknown_fields_are_refused_naming_them(client: TestClient) -> None:
    """A misspelt field would otherwise be dropped in silence (``speeker``: the message checked as staff's)."""
    one = client.post("/v1/check", json={"text": "您好", "speeker": "客户"})
    assert one.status_code == 400
    assert one.json() == {
        "error": {"field": "speeker", "message": "unknown field 'speeker' (known: text, speaker, script)"}
    }
    two = client.post("/v1/check", json={"text": "您好", "lang": "zh", "mode": 1})
    assert two.status_code == 400 and two.json()["error"]["field"] == "lang"
    assert "'lang', 'mode'" in two.json()["error"]["message"]
    inner = client.post("/v1/check/batch", json={"messages": [{"text": "您好"}, {"text": "x", "who": "a"}]})
    assert inner.status_code == 400 and inner.json()["error"]["field"] == "messages[1].who"
    outer = client.post("/v1/check/batch", json={"messages": [], "text": "x"})
    assert outer.status_code == 400 and outer.json()["error"]["field"] == "text"
