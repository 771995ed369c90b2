"""Download the certificate chain that signs Alexa's requests, within one time budget, DNS included.

``socket.getaddrinfo`` has no timeout: with a DNS server that never answers it blocks for as long
as the system resolver keeps retrying (10 s and more), past Alexa's window of about 8 s. Two
pieces keep a download inside its budget:

- ``FetchGate`` runs each download in a daemon thread and stops waiting when the budget is spent.
  One download per URL is in flight at a time (a later caller waits for the running one instead
  of starting another), and at most ``max_in_flight`` URLs at once, so a resolver that hangs on
  every request holds a few threads, not one per request.
- ``UrllibFetcher`` resolves the host with an injectable resolver, connects to the address it got
  with the time that is left, checks the server's TLS certificate against the URL's host name, and
  reads at most ``max_bytes``. Redirects are not followed: any answer but 200 is an error.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from ..errors import VoiceError

__all__ = [
    "CertificateFetcher",
    "FetchGate",
    "Resolver",
    "UrllibFetcher",
    "VerificationError",
    "resolve",
]


class VerificationError(VoiceError):
    """An Alexa request failed verification: its signature, certificate, timestamp or application id."""

    http_status = 400


Resolver = Callable[[str, int], Sequence[tuple[Any, ...]]]
"""``(host, port) -> getaddrinfo entries`` ``(family, type, proto, canonname, sockaddr)``."""


def resolve(host: str, port: int) -> Sequence[tuple[Any, ...]]:
    """The system's resolver (``socket.getaddrinfo`` for TCP); it may block for many seconds."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


class CertificateFetcher(ABC):
    """Gets the PEM certificate chain at a URL; subclass it to fetch from somewhere else (tests do)."""

    @abstractmethod
    def fetch(self, url: str) -> bytes:
        """Return the bytes at ``url``; raise ``VerificationError`` (or ``OSError``) when it fails."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UrllibFetcher(CertificateFetcher):
    """Fetches over https with the standard library (``socket``, ``ssl``, ``http.client``).

    ``timeout`` counts from the start of ``fetch``: resolving, connecting, the TLS handshake and
    each read get only what is left of it. The resolver call itself cannot be interrupted; the
    ``FetchGate`` that ``SigningCertificates`` puts around every fetcher stops waiting for it.
    """

    timeout: float = 3.0
    """Seconds for the whole download; Alexa waits about 8 s for the whole answer."""
    max_bytes: int = 64 * 1024
    """A real chain is about 5 KB; anything much larger is not one."""
    resolver: Resolver = resolve
    """Turns the URL's host into addresses; tests inject one that hangs or points at 127.0.0.1."""
    context: ssl.SSLContext | None = None
    """TLS settings; None is ``ssl.create_default_context()`` (system roots, host name checked)."""

    def fetch(self, url: str) -> bytes:
        """Return the body at the https ``url``, refusing other schemes, redirects and oversize bodies."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            raise VerificationError(f"refusing to fetch a certificate chain over a non-https URL {url!r}")
        deadline = time.monotonic() + self.timeout
        try:
            with self._connect(parts.hostname, parts.port or 443, deadline) as sock:
                data = self._get(sock, parts, deadline)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # ssl and DNS errors are OSErrors
            raise VerificationError(f"could not fetch the Alexa certificate chain from {url}: {exc}") from exc
        if len(data) > self.max_bytes:
            raise VerificationError(f"the certificate chain at {url} is larger than {self.max_bytes} bytes")
        return data

    def _connect(self, host: str, port: int, deadline: float) -> ssl.SSLSocket:
        """A TLS connection to the first address of ``host`` that answers, checked against ``host``."""
        addresses = self.resolver(host, port)
        context = self.context if self.context is not None else ssl.create_default_context()
        error: OSError = OSError(f"{host} has no address")
        for family, _kind, _proto, _name, address in addresses:
            sock: socket.socket = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(_remaining(deadline, self.timeout))
                sock.connect(address)
                sock = context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
                sock.settimeout(_remaining(deadline, self.timeout))
                sock.do_handshake()
            except OSError as exc:
                sock.close()
                error = exc
                continue
            assert isinstance(sock, ssl.SSLSocket)
            return sock
        raise error

    def _get(self, sock: ssl.SSLSocket, parts: SplitResult, deadline: float) -> bytes:
        """GET the URL's path over ``sock``; at most ``max_bytes + 1`` bytes of a 200 answer."""
        assert parts.hostname is not None
        connection = http.client.HTTPSConnection(parts.hostname, parts.port or 443, context=sock.context)
        connection.sock = sock  # already connected and verified: http.client only speaks HTTP on it
        path = parts.path or "/"
        connection.request("GET", f"{path}?{parts.query}" if parts.query else path)
        sock.settimeout(_remaining(deadline, self.timeout))
        with connection.getresponse() as response:
            if response.status != 200:
                raise OSError(f"HTTP {response.status} {response.reason}")
            data = bytearray()
            while len(data) <= self.max_bytes:
                sock.settimeout(_remaining(deadline, self.timeout))
                chunk = response.read1(self.max_bytes + 1 - len(data))
                if not chunk:
                    break
                data += chunk
        return bytes(data)


def _remaining(deadline: float, budget: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(f"the download took longer than {budget:g} s")
    return left


class FetchGate:
    """Runs each fetch in a daemon thread and waits at most ``budget`` seconds for it.

    A caller that finds a fetch of its URL running waits for that one, so a resolver that never
    answers holds one thread per URL however many requests name it. At most ``max_in_flight`` URLs
    are fetched at once; a caller beyond that fails at once instead of starting a thread.
    """

    def __init__(self, fetcher: CertificateFetcher, *, budget: float = 3.0, max_in_flight: int = 4) -> None:
        self.fetcher = fetcher
        self.budget = budget
        self.max_in_flight = max_in_flight
        self._running: dict[str, Future[bytes]] = {}
        self._lock = threading.Lock()

    def fetch(self, url: str) -> bytes:
        """The fetcher's bytes for ``url``, or ``VerificationError`` when they take longer than the budget."""
        future = self._join(url)
        if not wait([future], timeout=self.budget).done:
            raise VerificationError(
                f"the Alexa certificate chain at {url} did not arrive within {self.budget:g} s"
            )
        try:
            return future.result()
        except OSError as exc:
            raise VerificationError(f"could not fetch the Alexa certificate chain from {url}: {exc}") from exc

    def in_flight(self) -> int:
        """How many fetches are running now (threads that the gate started and that have not ended)."""
        with self._lock:
            return len(self._running)

    def _join(self, url: str) -> Future[bytes]:
        with self._lock:
            future = self._running.get(url)
            if future is None:
                if len(self._running) >= self.max_in_flight:
                    raise VerificationError(
                        f"{self.max_in_flight} Alexa certificate downloads are still running; "
                        "the certificate server or DNS is not answering, try again shortly"
                    )
                future = self._running[url] = Future()
                thread = threading.Thread(
                    target=self._run, args=(url, future), name="alexa-cert-fetch", daemon=True
                )
                thread.start()
        return future

    def _run(self, url: str, future: Future[bytes]) -> None:
        try:
            data = self.fetcher.fetch(url)
        except BaseException as exc:  # handed to every waiter, raised there
            self._forget(url)
            future.set_exception(exc)
        else:
            self._forget(url)
            future.set_result(data)

    def _forget(self, url: str) -> None:
        """Before the waiters wake up, so that a caller after them starts a new fetch."""
        with self._lock:
            self._running.pop(url, None)
