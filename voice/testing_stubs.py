"""Loopback stand-ins for a company's API in conversation tests (a script's ``stubs``): every skill's
setting points at a local HTTP server that answers with the status, JSON and delay the script gives."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .router import Router


@contextmanager
def stubbed_setting(router: Router, setting: str, behaviour: Mapping[str, Any]) -> Iterator[None]:
    """Point every skill's ``setting`` at a loopback server that answers as ``behaviour`` says."""
    server = _stub_server(
        int(behaviour.get("status", 200)), behaviour.get("json", {}), float(behaviour.get("delay", 0))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {name: dict(skill.settings) for name, skill in router.skills.items()}
    url = f"http://127.0.0.1:{server.server_address[1]}"
    for skill in router.skills.values():
        skill.settings[setting] = url
    try:
        yield
    finally:
        for name, skill in router.skills.items():
            skill.settings = saved[name]
        server.shutdown()
        server.server_close()


def _stub_server(status: int, body: Any, delay: float) -> http.server.ThreadingHTTPServer:
    payload = json.dumps(body).encode("utf-8")

    class Stub(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    server.daemon_threads = True
    return server
