"""The service against clients that go away or never finish (issue 12, item 7): real uvicorn on the loopback,
real sockets. A disconnect is normal (no traceback, no "internal error"); a slow client is timed out."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from phraselint.engine.linter import Linter
from phraselint.service.server import create_app, server_config

TIMEOUT = 1.0  # the request and body time-outs of the service under test, in seconds


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    app = create_app(Linter(), body_timeout=TIMEOUT)
    server = uvicorn.Server(server_config(app, "127.0.0.1", 0, TIMEOUT, log_level="debug"))
    thread = threading.Thread(target=server.run, name="phraselint-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the service did not start")
        time.sleep(0.02)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed ``sock`` within ``seconds``, and what it sent before."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return False, received
    except ConnectionResetError:
        pass
    return True, received


HEAD = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"


def test_a_client_that_disconnects_mid_body_is_no_error(port: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        with connect(port) as sock:
            sock.sendall(HEAD + b'{"text": "')
        time.sleep(0.1)
    time.sleep(0.5)
    with connect(port) as sock:  # and the service goes on
        body = '{"text": "您好"}'.encode()
        sock.sendall(HEAD.replace(b"40", str(len(body)).encode()) + body)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "Traceback" not in caplog.text and "internal error" not in caplog.text
    assert "client disconnected during POST /v1/check" in caplog.text


def test_a_client_that_sends_its_headers_byte_by_byte_is_closed(port: int) -> None:
    with connect(port) as sock:
        started = time.monotonic()
        closed = False
        for byte in HEAD[:-4]:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if time.monotonic() - started > 3 * TIMEOUT:
                break
            time.sleep(0.2)
        if not closed:
            closed, _ = closed_within(sock, 3 * TIMEOUT)
        assert closed and time.monotonic() - started < 4 * TIMEOUT


def test_a_client_that_stalls_in_its_body_gets_408_and_is_closed(port: int) -> None:
    with connect(port) as sock:
        started = time.monotonic()
        sock.sendall(HEAD + b'{"text": ')
        closed, answer = closed_within(sock, 4 * TIMEOUT)
        assert (
            answer.startswith(b"HTTP/1.1 408")
            and b'{"error":{"field":"body","message":"not received within 1 s"}}' in answer
        )
        assert time.monotonic() - started < 3 * TIMEOUT


def test_many_idle_connections_are_all_closed(port: int) -> None:
    socks = [connect(port) for _ in range(50)]
    try:
        for sock in socks[::2]:
            sock.sendall(b"POST /v1/check HTTP/1.1\r\n")
        time.sleep(2.5 * TIMEOUT)
        assert all(closed_within(sock, 1.0)[0] for sock in socks)
    finally:
        for sock in socks:
            sock.close()
