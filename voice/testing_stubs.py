"""Loopback stand-ins for a company's API in conversation tests (a script's ``stubs``): every skill's
setting points at a local HTTP server that answers with the status, JSON and delay the script gives.
A stub must name a setting the skill has: a misspelt one would leave the real API in place."""

from __future__ import annotations

import ast
import contextlib
import difflib
import http.server
import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .router import Router
from .skill import Skill


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


def unknown_stub(names: Iterable[str], skills: Iterable[Skill]) -> tuple[str, str] | None:
    """The first stub that names no setting of ``skills`` and why it is refused, or None. A skill's
    settings are those of its config table and those its code reads by name."""
    skills = list(skills)
    known = sorted({name for skill in skills for name in settings_of(skill)})
    for name in names:
        if name not in known:
            nearest = difflib.get_close_matches(name, known, n=1)
            fix = (
                f"did you mean {nearest[0]!r}?"
                if nearest
                else 'name a setting the skill reads (skill.settings.get("name")) or its config table has.'
            )
            owners = ", ".join(skill.name for skill in skills)
            return name, f"names no setting of {owners} (its settings: {', '.join(known) or 'none'}); {fix}"
    return None


def settings_of(skill: Skill) -> frozenset[str]:
    """The keys of the skill's ``[skill.<name>]`` table and the settings its modules read by name
    (``skill.settings["x"]``, ``skill.settings.get("x")``)."""
    return frozenset(skill.settings) | frozenset(
        name for path in sorted(skill.root.rglob("*.py")) for name in _read_settings(path)
    )


def _read_settings(path: Path) -> frozenset[str]:
    """Settings a module reads by a literal name; a name it builds shows through the config table."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_settings(node.value):
            key: ast.expr = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and _is_settings(node.func.value)
            and node.args
        ):
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.add(key.value)
    return frozenset(found)


def _is_settings(node: ast.expr) -> bool:
    """``settings`` or ``<anything>.settings``."""
    return (isinstance(node, ast.Name) and node.id == "settings") or (
        isinstance(node, ast.Attribute) and node.attr == "settings"
    )
