"""The service's contract (/openapi.json, OpenAPI 3.1) is what the service does: the document is valid
OpenAPI 3.1, real answers of every kind validate against the schemas it gives for their status, and a request
body is accepted exactly when it fits the request schema. The /docs page renders it offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from starlette.testclient import TestClient

from phraselint import __version__
from phraselint.engine.linter import Linter
from phraselint.service.server import MAX_TEXT, create_app

LINTER = Linter()
JSON = {"Content-Type": "application/json"}


class _BrokenLinter(Linter):
    def check(self, text: str, *, script: str | None = None, context: str | None = None) -> list[Any]:
        if text == "boom":
            raise RuntimeError("a bug")
        return super().check(text, script=script, context=context)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(_BrokenLinter()), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    document: dict[str, Any] = response.json()
    return document


def schema_validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) for ``schema``, its references resolved in the
    document."""
    return Draft202012Validator({**schema, "components": spec["components"]})


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    answer = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in answer:
        answer = spec["components"]["responses"][answer["$ref"].split("/")[-1]]
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return schema


def assert_documented(spec: dict[str, Any], path: str, method: str, response: Any) -> None:
    """The answer's status is documented for the operation and its body fits that status's schema."""
    schema = response_schema(spec, path, method, response.status_code)
    errors = [e.message for e in schema_validator(spec, schema).iter_errors(response.json())]
    assert errors == [], (path, response.status_code, response.text[:300], errors[:3])


def test_the_document_is_valid_openapi_3_1_with_this_version(spec: dict[str, Any]) -> None:
    validate_spec(spec)  # raises on any fault
    assert spec["openapi"].startswith("3.1") and spec["info"]["version"] == __version__
    assert spec["components"]["schemas"]["Message"]["properties"]["text"]["maxLength"] == MAX_TEXT


def test_the_documented_limits_are_the_service_s_own() -> None:
    with TestClient(create_app(LINTER, max_text=10, max_batch=3)) as c:
        schemas = c.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Message"]["properties"]["text"]["maxLength"] == 10
    assert schemas["Batch"]["properties"]["messages"]["maxItems"] == 3


@pytest.mark.parametrize(
    "text",
    ["您好", "不知道。", "沒看見我正忙著嗎？", "😀你去投诉好了！", "您好。\n不知道。", "boom"],
)
def test_real_check_answers_fit_the_contract(client: TestClient, spec: dict[str, Any], text: str) -> None:
    for body in (
        {"text": text},
        {"text": text, "script": "hk", "speaker": None},
        {"text": text, "speaker": "客户"},
    ):
        response = client.post("/v1/check", json=body)
        bug = text == "boom" and body.get("speaker") != "客户"  # a visitor's message is not checked
        assert response.status_code == (500 if bug else 200)
        assert_documented(spec, "/v1/check", "post", response)


def test_a_forbidden_message_answer_is_fully_populated(client: TestClient, spec: dict[str, Any]) -> None:
    """Not only the empty answer: a held message with violations and several alternatives validates too."""
    response = client.post("/v1/check", json={"text": "😀你去投诉好了！"})
    data = response.json()
    assert data["ok"] is False and data["violations"] and len(data["alternatives"]) >= 2
    assert_documented(spec, "/v1/check", "post", response)


def test_every_other_answer_fits_the_contract(client: TestClient, spec: dict[str, Any]) -> None:
    cases = [
        ("/v1/check/batch", "post", {"json": {"messages": [{"text": "不知道。"}, {"text": "您好"}]}}, 200),
        ("/v1/check/batch", "post", {"json": {"messages": [{"text": 1}]}}, 400),
        ("/v1/check/batch", "post", {"json": {"messages": [{"text": "好" * (MAX_TEXT + 1)}]}}, 413),
        ("/v1/check", "post", {"json": {"text": "x", "colour": "red"}}, 400),
        ("/v1/check", "post", {"content": b"{", "headers": JSON}, 400),
        ("/v1/check", "post", {"content": b'{"text": "x"}', "headers": {"Content-Type": "text/plain"}}, 415),
        ("/v1/rules", "get", {}, 200),
        ("/healthz", "get", {}, 200),
    ]
    for path, method, kwargs, status in cases:
        response = client.request(method.upper(), path, **kwargs)
        assert response.status_code == status, (path, response.text)
        assert_documented(spec, path, method, response)


def test_every_documented_operation_exists_and_nothing_else_is_routed(
    client: TestClient, spec: dict[str, Any]
) -> None:
    for path, methods in spec["paths"].items():
        for method in methods:
            response = client.request(
                method.upper(), path, **({"json": {"text": "您好"}} if path == "/v1/check" else {})
            )
            assert response.status_code != 404 and response.status_code != 405, (method, path)
    assert client.get("/v1/lint").status_code == 404


BODIES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["text", "speaker", "script", "messages", "extra"]) | st.text(max_size=4),
            inner,
            max_size=4,
        )
    ),
    max_leaves=8,
) | st.fixed_dictionaries(
    {"text": st.text(max_size=20)},
    optional={
        "speaker": st.none() | st.text(max_size=4),
        "script": st.sampled_from(["auto", "hk", "tw", "latin"]),
    },
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(BODIES)
def test_a_body_is_accepted_exactly_when_it_fits_the_request_schema(
    client: TestClient, spec: dict[str, Any], body: Any
) -> None:
    for path, name in (("/v1/check", "Message"), ("/v1/check/batch", "Batch")):
        if path == "/v1/check" and body == {"text": "boom"}:
            continue
        fits = schema_validator(spec, {"$ref": f"#/components/schemas/{name}"}).is_valid(body)
        response = client.post(path, content=json.dumps(body).encode(), headers=JSON)
        assert (response.status_code == 200) == fits, (path, body, response.text)
        assert_documented(spec, path, "post", response)


def test_the_docs_page_renders_the_contract_offline(page: Any, spec: dict[str, Any]) -> None:
    """In real Chromium, with every request outside the service refused: the page draws every operation and
    every schema from /openapi.json."""
    import threading
    import time

    uvicorn = pytest.importorskip("uvicorn")
    server = uvicorn.Server(uvicorn.Config(create_app(LINTER), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.02)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        page.route("**/*", only_local)
        page.goto(f"{base}/docs")
        page.locator(".operation").first.wait_for()
        operations = sum(len(methods) for methods in spec["paths"].values())
        assert page.locator(".operation").count() == operations
        assert page.locator(".schema h3").all_text_contents() == list(spec["components"]["schemas"])
        assert "/v1/check" in page.locator("#op-check").text_content()
        assert outside == [] and page.console_errors == []
    finally:
        server.should_exit = True
        thread.join(timeout=10)
