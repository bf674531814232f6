"""What the fake messenger servers share: a stall-free HTTP server on 127.0.0.1 in a thread.

A subclass of `LoopbackFake` implements `_handle_http(method, path, headers, body)` →
`(status, body bytes, content type)`. Responses leave in one write with Nagle off (a
server that writes headers and body apart makes each call wait ~40 ms for the delayed
ACK), on keep-alive connections; `stop()` also wakes long polls and idle connections.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

client = threading.local()  # `client.connection`: the socket of the request a handler thread serves


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, fake: LoopbackFake, port: int = 0):
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    disable_nagle_algorithm = True
    server: _Server
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.server_version = type(self.server.fake).__name__
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._read_body()
        client.connection = self.connection
        fake = self.server.fake
        try:
            status, payload, content_type = fake._handle_http(self.command, self.path, self.headers, body)
        except Exception as exc:  # a bug in the fake: answer it rather than hang the client
            status, content_type = 500, "application/json"
            description = f"{type(fake).__name__} error: {exc!r}"
            payload = json.dumps({"ok": False, "error_code": 500, "description": description}).encode()
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self._headers_buffer.append(b"\r\n" + payload)  # type: ignore[attr-defined]  # one write
        try:
            self.flush_headers()
        except OSError:  # the client went away (e.g. gave up a long poll)
            self.close_connection = True


class LoopbackFake:
    """Start/stop and the lock every fake guards its state with (`_cond`)."""

    def __init__(self) -> None:
        self.url = ""
        self.port = 0
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._version = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    def _handle_http(self, method: str, path: str, headers, body: bytes) -> tuple[int, bytes, str]:
        raise NotImplementedError

    def _changed(self) -> None:
        self._version += 1
        self._cond.notify_all()

    def sent(self, chat_id=None) -> list[dict]:
        """The messages the bot sent (to one chat)."""
        raise NotImplementedError

    def dump(self, last: int = 25) -> str:
        """The recent calls, for a failing test's message."""
        raise NotImplementedError

    def sent_count(self, chat_id=None) -> int:
        return len(self.sent(chat_id))

    def wait_for(self, predicate: Callable[[], object], timeout: float = 10) -> None:
        """Waits until `predicate()` is true, waking on every change; AssertionError with `dump()`."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                version = self._version
            if predicate():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout} s waiting for {predicate!r}\n{self.dump()}")
            with self._cond:
                if self._version == version:
                    # also re-check now and then: the predicate may look at other state
                    self._cond.wait(min(remaining, 0.1))

    def wait_sent(self, count: int, chat_id=None, timeout: float = 10) -> list[dict]:
        """Waits until the bot has sent at least `count` messages (to `chat_id`) in all."""
        try:
            self.wait_for(lambda: self.sent_count(chat_id) >= count, timeout)
        except AssertionError as exc:
            where = "" if chat_id is None else f" to chat {chat_id}"
            raise AssertionError(f"expected {count} sent messages{where}, got "
                                 f"{self.sent_count(chat_id)}\n{exc}") from None
        return self.sent(chat_id)

    def start(self, port: int = 0):
        """Listens on `port` (default: any free one), e.g. one a process was told of before."""
        self._stopping = False
        self._server = _Server(self, port)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{type(self).__name__}:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops listening; waiting long polls answer at once. The URL stays, now refusing."""
        server = self._server
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._changed()
        server.shutdown()
        with server.connections_lock:
            connections = list(server.connections)
        for connection in connections:  # wake handler threads blocked on idle keep-alive connections
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
