"""The pre-send check as a local HTTP service (``phraselint serve``): a chat tool asks before a staff message
goes out, and gets the polite rewrite (规范用语) to offer instead. Starlette, served by uvicorn; both come with
the optional extra ``serve``.

    POST /v1/check        {"text", "speaker"?, "script"?}  → {"ok", "violations", "rewrite"}
    POST /v1/check/batch  {"messages": [...]}              → {"results": [...]}
    GET  /v1/rules        the rules in use
    GET  /healthz         alive, and how many rules
    GET  /openapi.json    the contract (OpenAPI 3.1; openapi.json beside this module)
    GET  /docs            the contract as a page (static/docs.html, offline: no CDN)
    GET  /                the chat page (static/chat.html)

One direction: request → bounded body → JSON → a validated :class:`Message` → :meth:`PreSend.check` (pure)
→ JSON. Every bad request is a 4xx with ``{"error": {"field", "message"}}``, unknown fields included; a 500
means a bug and is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from .. import __version__
from ..check.files import Finding, Roles
from ..engine.linter import Linter
from ..engine.script import SCRIPTS, requested_script, to_script
from ..errors import ConfigError
from ..model import SEVERITIES, Violation, severity_rank
from ..output.render import as_dict, rule_dict
from ..read.transcript import Turn

log = logging.getLogger("phraselint.serve")

MAX_BODY = 64 * 1024
MAX_BATCH = 1000
# A chat message, not a transcript: every violation's item repeats the message and its rewrite, so the answer
# grows with length times violations; 2,000 characters bound it to a few MB and a few tens of ms at worst.
MAX_TEXT = 2000
INLINE_TEXT = 500  # a longer message is checked in a worker thread, so the event loop keeps serving
# Time-outs, in seconds: a client must send a request's line and headers (REQUEST_TIMEOUT, from the moment it
# connects or its last answer was sent) and then its body (BODY_TIMEOUT) in time, or its connection is closed;
# an idle keep-alive connection is closed after KEEP_ALIVE. A slow or stalled client cannot hold a connection.
REQUEST_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
KEEP_ALIVE = 5
MESSAGE_PATH = "<message>"  # the "path" of every violation: a chat message comes from no file
SCRIPT_CHOICES: tuple[str, ...] = ("auto", *SCRIPTS)
MESSAGE_FIELDS = ("text", "speaker", "script")  # what a message object may hold; anything else is a 400
BATCH_FIELDS = ("messages",)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.json"
# The chat page loads only its own script and style sheet; the icon is an empty data: URL (no favicon request).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class BadRequest(HTTPException):
    """A request the client got wrong: its status (400, 413, 415), the field at fault and what is wrong.

    ``field`` is where the fault is: a path into the JSON body (``text``, ``messages[3].speaker``), ``body``
    for the body as a whole, or a header's name (``Content-Type``, ``Content-Length``)."""

    def __init__(self, status_code: int, field: str, message: str) -> None:
        super().__init__(status_code, f"{field}: {message}")
        self.field = field
        self.message = message


def error_body(field: str | None, message: str) -> dict[str, Any]:
    """Every error answer: ``{"error": {"field", "message"}}``; ``field`` is null when no part of the request
    is at fault (an unknown route, a wrong method, a bug in the service)."""
    return {"error": {"field": field, "message": message}}


@dataclass(frozen=True)
class Message:
    """One chat message to check: what a speaker (staff, unless named otherwise) is about to send."""

    text: str
    speaker: str | None = None
    script: str | None = None  # auto | simplified | traditional | tw | hk; None: the service's default


# --- request → Message ------------------------------------------------------------------------------


def _text(value: object, field: str) -> str:
    """``value`` as a string that can be sent back as UTF-8, or a 400 naming ``field``."""
    if not isinstance(value, str):
        raise BadRequest(400, field, f"must be a string, not {_json_type(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadRequest(400, field, f"unpaired surrogate at character {exc.start}") from None
    return value


def _optional_text(value: object, field: str) -> str | None:
    return None if value is None else _text(value, field)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def refuse_unknown(data: dict[str, object], allowed: tuple[str, ...], where: str) -> None:
    """A 400 naming every field of ``data`` the service does not know: a misspelt ``speeker`` would
    otherwise be dropped in silence and the message checked as the wrong speaker's."""
    unknown = [key for key in data if key not in allowed]
    if unknown:
        names = ", ".join(f"'{key}'" for key in unknown)
        raise BadRequest(
            400,
            f"{where}{unknown[0]}",
            f"unknown field{'s' if len(unknown) > 1 else ''} {names} (known: {', '.join(allowed)})",
        )


def parse_message(data: object, where: str = "", max_text: int = MAX_TEXT) -> Message:
    """A :class:`Message` from decoded JSON; ``where`` prefixes field names (``messages[3].``)."""
    if not isinstance(data, dict):
        raise BadRequest(400, where.rstrip(".") or "body", f"must be a JSON object, not {_json_type(data)}")
    refuse_unknown(data, MESSAGE_FIELDS, where)
    if "text" not in data:
        raise BadRequest(400, f"{where}text", "missing (the message to check, a string)")
    text = _text(data["text"], f"{where}text")
    if len(text) > max_text:
        raise BadRequest(413, f"{where}text", f"{len(text)} characters, more than the limit of {max_text}")
    speaker = _optional_text(data.get("speaker"), f"{where}speaker")
    script = _optional_text(data.get("script"), f"{where}script")
    if script is not None and script not in SCRIPT_CHOICES:
        raise BadRequest(400, f"{where}script", f"must be one of {', '.join(SCRIPT_CHOICES)}, not '{script}'")
    return Message(text, speaker, script)


def parse_batch(data: object, max_batch: int = MAX_BATCH, max_text: int = MAX_TEXT) -> list[Message]:
    if not isinstance(data, dict):
        raise BadRequest(400, "body", f"must be a JSON object, not {_json_type(data)}")
    refuse_unknown(data, BATCH_FIELDS, "")
    if "messages" not in data:
        raise BadRequest(400, "messages", "missing (an array of message objects)")
    messages = data["messages"]
    if not isinstance(messages, list):
        raise BadRequest(400, "messages", f"must be an array of message objects, not {_json_type(messages)}")
    if len(messages) > max_batch:
        raise BadRequest(400, "messages", f"at most {max_batch} per request, not {len(messages)}")
    return [parse_message(m, f"messages[{i}].", max_text) for i, m in enumerate(messages)]


def decode_json(body: bytes) -> object:
    """The JSON value of a request body (UTF-8, a byte-order mark allowed), or a 400 saying what is wrong."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, "body", f"not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            400, "body", f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise BadRequest(400, "body", "malformed JSON: nested too deeply") from None
    except ValueError as exc:  # a number too long to convert
        raise BadRequest(400, "body", f"malformed JSON: {exc}") from None


async def read_body(request: Request, max_body: int, timeout: float = BODY_TIMEOUT) -> bytes:
    """The request body, refused with a 413 as soon as it is larger than ``max_body``: by its declared
    Content-Length before reading anything, and by what actually arrives (chunked or lying clients); and
    with a 408 when it has not all arrived within ``timeout`` seconds."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise BadRequest(400, "Content-Length", f"not a number: '{declared}'")
        if int(declared) > max_body:
            raise BadRequest(413, "body", f"{declared} bytes, larger than the limit of {max_body}")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise BadRequest(415, "Content-Type", f"must be application/json, not '{media_type or 'missing'}'")
    body = bytearray()
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_body:
                    raise BadRequest(413, "body", f"larger than the limit of {max_body} bytes")
    except TimeoutError:
        raise BadRequest(408, "body", f"not received within {timeout:g} s") from None
    return bytes(body)


# --- Message → result (pure) ------------------------------------------------------------------------


def message_turn(text: str, speaker: str | None) -> Turn:
    """A chat message as a turn: line 1 column 1 at its start, one anchor per line."""
    anchors = [(0, 1, 1)]
    for number, offset in enumerate((i + 1 for i, ch in enumerate(text) if ch == "\n"), start=2):
        anchors.append((offset, number, 1))
    return Turn(text, tuple(anchors), speaker)


def violation_dict(v: Violation, turn: Turn) -> dict[str, Any]:
    """The CLI's JSON item for a violation in a chat message (``start``/``end``: offsets of the span in the
    message, in Unicode code points; ``time``/``time_end``: None, a message has no times)."""
    line, column = turn.locate(v.start)
    end_line, end_column = turn.locate_end(v.end)
    return as_dict(Finding(MESSAGE_PATH, line, column, end_line, end_column, v, turn))


@dataclass(frozen=True)
class PreSend:
    """The pre-send check (发送前检查): may this message go out, and what to send instead.

    ``ok`` is false when a violation is at or above ``fail_on`` (as ``phraselint check`` exits 1); the
    violations list holds every violation, below it too."""

    linter: Linter
    roles: Roles
    fail_on: str = "warning"
    script: str = "auto"  # the script of rewrites when a message does not ask

    def check(self, message: Message) -> dict[str, Any]:
        if not self.roles.checked(message.speaker):
            return {"ok": True, "violations": [], "rewrite": None, "alternatives": []}
        script = requested_script(message.script or self.script)
        violations = self.linter.check(message.text, script=script)
        if not violations:
            return {"ok": True, "violations": [], "rewrite": None, "alternatives": []}
        turn = message_turn(message.text, message.speaker)
        threshold = severity_rank(self.fail_on)
        return {
            "ok": all(severity_rank(v.severity) < threshold for v in violations),
            "violations": [violation_dict(v, turn) for v in violations],
            "rewrite": violations[0].rewrite,
            # Every way the message can be rewritten, each checked clean; the first is `rewrite`.
            "alternatives": self.linter.alternatives(message.text, script=script),
        }

    def rules(self) -> list[dict[str, Any]]:
        return [rule_dict(r) for r in self.linter.rules]


def warm(linter: Linter) -> None:
    """Build now what the engine builds lazily, so the first request is as fast as the rest: the folding
    table and matcher, the jieba tokenizer (the rules' pass examples sit inside words, where jieba decides),
    the script tables and converters (one flagged example checked and rewritten in every script), and every
    pattern's expressions."""
    linter.prepare()
    for rule in linter.rules:
        for text in (*rule.flag_examples, *rule.pass_examples):
            linter.check(text)
    sample = next((rule.flag_examples[0] for rule in linter.rules if rule.flag_examples), None)
    if sample is None:
        return
    for script in SCRIPTS:
        text = to_script(sample, script)
        linter.check(text)
        linter.rewrite(text)


def openapi(max_text: int = MAX_TEXT, max_batch: int = MAX_BATCH) -> dict[str, Any]:
    """The service's contract (OpenAPI 3.1, ``openapi.json`` beside this module) with this service's
    version and limits filled in, so the document served is the one the service keeps."""
    document: dict[str, Any] = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    document["info"]["version"] = __version__
    schemas = document["components"]["schemas"]
    schemas["Message"]["properties"]["text"]["maxLength"] = max_text
    schemas["Batch"]["properties"]["messages"]["maxItems"] = max_batch
    return document


# --- the app ----------------------------------------------------------------------------------------


class _CatchAll:
    """Turn an exception no handler knew (a bug, never bad input) into a logged 500 with a JSON body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: ASGIMessage) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:  # the client went away mid-body: nobody to answer, nothing went wrong
            log.debug("client disconnected during %s %s", scope.get("method"), scope.get("path"))
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = JSONResponse(
                error_body(None, "internal error (logged by the service)"), status_code=500
            )
            await response(scope, receive, send)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    field: str | None = None
    if isinstance(exc, BadRequest):
        field, message = exc.field, exc.message
    elif exc.status_code == 404:
        message = f"not found: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"method not allowed: {request.method} {request.url.path} (allowed: {allowed})"
    else:
        message = exc.detail
    return JSONResponse(error_body(field, message), status_code=exc.status_code, headers=exc.headers)


def create_app(
    linter: Linter,
    *,
    max_body: int = MAX_BODY,
    cors_origins: Sequence[str] = (),
    roles: Roles | None = None,
    fail_on: str = "warning",
    script: str = "auto",
    max_batch: int = MAX_BATCH,
    max_text: int = MAX_TEXT,
    body_timeout: float = BODY_TIMEOUT,
) -> Starlette:
    """The service around one linter. ``roles`` tells staff from visitors by speaker name (default: the
    catalogue's lists); ``cors_origins`` are the web origins allowed to call it from a browser page;
    ``max_body`` bounds a request in bytes, ``max_text`` a message in characters, ``max_batch`` a batch."""
    if fail_on not in SEVERITIES:
        raise ValueError(f"fail_on must be one of {', '.join(SEVERITIES)}, not '{fail_on}'")
    if script not in SCRIPT_CHOICES:
        raise ValueError(f"script must be one of {', '.join(SCRIPT_CHOICES)}, not '{script}'")
    presend = PreSend(linter, roles or Roles.build(linter), fail_on, script)

    async def check(request: Request) -> Response:
        body = await read_body(request, max_body, body_timeout)
        message = parse_message(decode_json(body), max_text=max_text)
        if len(message.text) <= INLINE_TEXT:
            return JSONResponse(presend.check(message))
        return JSONResponse(await run_in_threadpool(presend.check, message))

    async def check_batch(request: Request) -> Response:
        body = await read_body(request, max_body, body_timeout)
        messages = parse_batch(decode_json(body), max_batch, max_text)
        results = await run_in_threadpool(lambda: [presend.check(m) for m in messages])
        return JSONResponse({"results": results})

    async def rules(request: Request) -> Response:
        return JSONResponse({"rules": presend.rules()})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "rules": len(linter.rules)})

    async def chat_page(request: Request) -> Response:
        return FileResponse(
            STATIC_DIR / "chat.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
        )

    contract = openapi(max_text, max_batch)

    async def openapi_document(request: Request) -> Response:
        return JSONResponse(contract)

    async def docs_page(request: Request) -> Response:
        return FileResponse(
            STATIC_DIR / "docs.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        warm(linter)
        yield

    middleware = [Middleware(_CatchAll)]
    if cors_origins:
        cors = Middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
        middleware.insert(0, cors)
    routes = [
        Route("/v1/check", check, methods=["POST"]),
        Route("/v1/check/batch", check_batch, methods=["POST"]),
        Route("/v1/rules", rules, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/", chat_page, methods=["GET"]),
        Route("/openapi.json", openapi_document, methods=["GET"]),
        Route("/docs", docs_page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before start-up: a port in use is one clear error, not a server that
    warms up and then dies. Made with the TCP protocol number, as uvicorn would: asyncio sets TCP_NODELAY only
    on sockets that say so, and without it every keep-alive answer waits 40 ms for a delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def server_config(
    app: ASGIApp, host: str, port: int, request_timeout: float = REQUEST_TIMEOUT, **options: Any
) -> Any:
    """uvicorn's configuration for the service: its HTTP/1.1 protocol with a deadline for each request's
    line and headers (``request_timeout``), which uvicorn lacks (its keep-alive timer stops at the first
    byte, so a client sending a byte now and then held a connection for ever), and the keep-alive time-out."""
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        """A connection must deliver each request's headers within ``request_timeout`` seconds of opening or
        of its last answer, or it is closed."""

        _deadline: asyncio.TimerHandle | None = None
        _timed_cycle: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None and self.cycle is not self._timed_cycle:  # headers are in
                self._timed_cycle = self.cycle
                self._disarm()

        def on_response_complete(self) -> None:
            self._arm()  # for the next request; disarmed again at once if it is in already (pipelined)
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            if not self.transport.is_closing():
                self._deadline = self.loop.call_later(request_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                log.debug("closing a connection that sent no whole request in %s s", request_timeout)
                self.transport.close()

    settings: dict[str, Any] = {
        "access_log": False,
        "server_header": False,
        "log_level": "info",
        "timeout_keep_alive": KEEP_ALIVE,
        **options,
    }
    return uvicorn.Config(app, host=host, port=port, http=TimedH11Protocol, **settings)


def run(
    linter: Linter,
    roles: Roles,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    max_body: int = MAX_BODY,
    cors_origins: Sequence[str] = (),
    fail_on: str = "warning",
    script: str = "auto",
) -> None:
    """Serve until interrupted: one uvicorn process (the engine is CPU-bound; one process serves a desk)."""
    import uvicorn

    sock = listen(host, port)
    app = create_app(
        linter, max_body=max_body, cors_origins=cors_origins, roles=roles, fail_on=fail_on, script=script
    )
    config = server_config(app, host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    url = (
        f"http://[{bound_host}]:{bound_port}/" if ":" in bound_host else f"http://{bound_host}:{bound_port}/"
    )
    # The socket listens already: a request that comes during warm-up waits for it, none is refused.
    logging.getLogger("uvicorn.error").info("Listening on %s (the chat page; the API under /v1/)", url)
    uvicorn.Server(config).run(sockets=[sock])
