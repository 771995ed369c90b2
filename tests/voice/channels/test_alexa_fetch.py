"""The certificate download's time budget and failure cache, on loopback only.

Nothing here resolves a real name or contacts another host: every fetcher gets an injected resolver
that points at a server on 127.0.0.1 (or hangs, or fails), and ``socket.getaddrinfo`` itself is
replaced by one that refuses, so a resolver that slipped through would fail the test.
"""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alexa_test_ca import CERT_URL, AlexaTestPki, FakeFetcher, build_test_pki, envelope, leaf_cert, pem_chain
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from voice.channels.alexa_fetch import CertificateFetcher, FetchGate, UrllibFetcher, resolve
from voice.channels.alexa_verify import AlexaVerifier, AlexaVerifyConfig, VerificationError

BUDGET = 0.5
SLACK = 1.0
"""A give-up must come within ``BUDGET + SLACK`` seconds; generous, for a loaded machine."""
CHAIN = b"-----BEGIN CERTIFICATE-----\nnot checked by the fetcher\n-----END CERTIFICATE-----\n"
URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.fixture(autouse=True)
def no_real_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to resolve a real name: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@dataclass
class Resolver:
    """Resolves every name to one loopback port, records the calls; can hang or fail instead."""

    port: int = 9
    hang: threading.Event | None = None
    """While set to an unset event, a call blocks until it is set: a DNS server that never answers."""
    fail: bool = False
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, host: str, port: int) -> Sequence[tuple[Any, ...]]:
        self.calls.append((host, port))
        if self.hang is not None:
            self.hang.wait()
        if self.fail:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", self.port))]


@pytest.fixture
def hung() -> Iterator[threading.Event]:
    """An event that hanging resolvers wait for; set at teardown so no thread outlives the test."""
    event = threading.Event()
    yield event
    event.set()


# -- a TLS server on 127.0.0.1 with a certificate for s3.amazonaws.com --------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies = {
        "/echo.api/echo-api-cert.pem": CHAIN,
        "/echo.api/ten.pem": b"x" * 10,
        "/echo.api/big.pem": b"x" * 11,
    }

    def do_GET(self) -> None:
        if self.path == "/echo.api/moved.pem":
            self.send_response(302)
            self.send_header("Location", "https://elsewhere.example/cert.pem")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/echo.api/chunked.pem":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (CHAIN[:20], CHAIN[20:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/echo.api/stalls.pem":  # the headers, then a body that never comes
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(BUDGET + SLACK + 1)
        else:
            body = self.bodies.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class TlsServer:
    port: int
    client_context: ssl.SSLContext
    """Trusts only the test root, as the default context trusts the real ones."""


def _tls_server(folder: Path, pki: AlexaTestPki, name: str) -> tuple[http.server.HTTPServer, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = leaf_cert(
        key.public_key(),
        pki.intermediate,
        pki.intermediate_key,
        san=name,
        not_before=pki.now.replace(year=pki.now.year - 1),
        not_after=pki.now.replace(year=pki.now.year + 1),
    )
    (folder / "chain.pem").write_bytes(pem_chain(leaf, pki.intermediate))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(folder / "chain.pem", folder / "key.pem")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    client_context = ssl.create_default_context(cadata=pem_chain(pki.root).decode())
    return server, client_context


def _serve(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[TlsServer]:
    server, client_context = _tls_server(tmp_path_factory.mktemp("tls"), build_test_pki(), name)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield TlsServer(server.server_address[1], client_context)
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    """Answers as s3.amazonaws.com would, with a certificate for that name from the test CA."""
    yield from _serve(tmp_path_factory, "s3.amazonaws.com")


@pytest.fixture(scope="module")
def impostor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    """The same server with a trusted certificate for another name."""
    yield from _serve(tmp_path_factory, "impostor.example")


@pytest.fixture
def silent() -> Iterator[int]:
    """A loopback port that accepts connections and never says anything (no TLS handshake)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


def fetcher(server: TlsServer | int, **options: Any) -> UrllibFetcher:
    port = server if isinstance(server, int) else server.port
    context = None if isinstance(server, int) else server.client_context
    return UrllibFetcher(resolver=Resolver(port), context=context, **options)


# -- UrllibFetcher against the loopback server --------------------------------------------------


def test_the_fetcher_connects_to_the_resolved_address_and_checks_the_urls_host(s3: TlsServer) -> None:
    resolver = Resolver(s3.port)
    assert UrllibFetcher(resolver=resolver, context=s3.client_context).fetch(URL) == CHAIN
    assert resolver.calls == [("s3.amazonaws.com", 443)]  # the URL's host and port, not the address's


def test_a_certificate_for_another_host_is_refused(impostor: TlsServer) -> None:
    with pytest.raises(VerificationError, match="could not fetch .*certificate verify failed"):
        fetcher(impostor).fetch(URL)


def test_a_server_the_default_context_does_not_trust_is_refused(s3: TlsServer) -> None:
    with pytest.raises(VerificationError, match="certificate verify failed"):
        UrllibFetcher(resolver=Resolver(s3.port)).fetch(URL)


@pytest.mark.parametrize(("name", "status"), [("moved", 302), ("missing", 404)])
def test_redirects_and_errors_are_not_followed(s3: TlsServer, name: str, status: int) -> None:
    with pytest.raises(VerificationError, match=f"could not fetch .*HTTP {status}"):
        fetcher(s3).fetch(f"https://s3.amazonaws.com/echo.api/{name}.pem")


def test_a_chunked_answer_is_read_whole(s3: TlsServer) -> None:
    assert fetcher(s3).fetch("https://s3.amazonaws.com/echo.api/chunked.pem") == CHAIN


def test_the_size_limit(s3: TlsServer) -> None:
    assert fetcher(s3, max_bytes=10).fetch("https://s3.amazonaws.com/echo.api/ten.pem") == b"x" * 10
    with pytest.raises(VerificationError, match="larger than 10 bytes"):
        fetcher(s3, max_bytes=10).fetch("https://s3.amazonaws.com/echo.api/big.pem")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/echo.api/cert.pem", "file:///etc/passwd", "https:///x"])
def test_non_https_urls_are_refused_before_resolving(url: str) -> None:
    resolver = Resolver()
    with pytest.raises(VerificationError, match="non-https URL"):
        UrllibFetcher(resolver=resolver).fetch(url)
    assert resolver.calls == []


def test_a_name_that_does_not_resolve_is_a_verification_error() -> None:
    with pytest.raises(VerificationError, match="could not fetch .*Name or service not known"):
        UrllibFetcher(resolver=Resolver(fail=True)).fetch(URL)


def test_the_default_resolver_is_getaddrinfo_for_tcp(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[object, ...]] = []

    def getaddrinfo(*args: object, **kwargs: object) -> list[tuple[Any, ...]]:
        seen.append((*args, kwargs))
        return []

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert resolve("s3.amazonaws.com", 443) == []
    assert seen == [("s3.amazonaws.com", 443, {"type": socket.SOCK_STREAM})]
    with pytest.raises(VerificationError, match="has no address"):
        UrllibFetcher().fetch(URL)


@pytest.mark.parametrize("where", ["handshake", "body"])
def test_a_server_that_stops_answering_is_given_up_within_the_budget(
    s3: TlsServer, silent: int, where: str
) -> None:
    if where == "handshake":  # accepts the connection, never answers the TLS hello
        chosen, url = fetcher(silent, timeout=BUDGET), URL
    else:  # answers the headers, then never sends the body
        chosen, url = fetcher(s3, timeout=BUDGET), "https://s3.amazonaws.com/echo.api/stalls.pem"
    start = time.monotonic()
    with pytest.raises(VerificationError, match="could not fetch"):
        chosen.fetch(url)
    assert time.monotonic() - start < BUDGET + SLACK


# -- the whole budget, DNS included, through the verifier ----------------------------------------


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def verifier(fetcher: CertificateFetcher, clock: Callable[[], float], **options: Any) -> AlexaVerifier:
    config = AlexaVerifyConfig(
        trusted_roots=(build_test_pki().root,),
        fetcher=fetcher,
        accept_any_skill=True,
        fetch_budget_seconds=BUDGET,
        failure_seconds=30.0,
        clock=clock,
        **options,
    )
    return AlexaVerifier(config)


def _verify(chosen: AlexaVerifier) -> float:
    """Verify a signed request; the seconds it took to fail."""
    pki = build_test_pki()
    body = envelope(pki.now)
    start = time.monotonic()
    with pytest.raises(VerificationError) as failed:
        chosen.verify(pki.valid.headers(body), body, now=pki.now)
    assert failed.value.http_status == 400
    return time.monotonic() - start


def test_a_dns_server_that_never_answers_fails_within_the_budget_and_is_remembered(
    hung: threading.Event,
) -> None:
    resolver = Resolver(hang=hung)
    clock = Clock()
    chosen = verifier(UrllibFetcher(resolver=resolver, timeout=BUDGET), clock)
    assert _verify(chosen) < BUDGET + SLACK
    clock.now += 29  # within the failure window: the same error at once, no new resolution
    assert _verify(chosen) < SLACK  # loose, for a loaded machine: the resolver's calls tell
    assert resolver.calls == [("s3.amazonaws.com", 443)]


def test_many_requests_while_dns_hangs_hold_one_thread(hung: threading.Event) -> None:
    resolver = Resolver(hang=hung)
    clock = Clock()
    chosen = verifier(UrllibFetcher(resolver=resolver), clock)
    before = threading.active_count()
    with ThreadPoolExecutor(max_workers=8) as pool:
        took = list(pool.map(lambda _: _verify(chosen), range(16)))
    assert max(took) < BUDGET + SLACK
    clock.now += 60  # after the window the next request waits for the download still running
    assert _verify(chosen) < BUDGET + SLACK
    assert resolver.calls == [("s3.amazonaws.com", 443)]
    assert threading.active_count() <= before + 1  # the one hung download
    hung.set()


def test_after_the_window_a_failed_download_is_tried_again() -> None:
    resolver = Resolver(fail=True)
    clock = Clock()
    chosen = verifier(UrllibFetcher(resolver=resolver), clock)
    _verify(chosen)
    clock.now += 29.9
    _verify(chosen)
    assert len(resolver.calls) == 1
    clock.now += 0.1
    _verify(chosen)
    assert len(resolver.calls) == 2


def test_the_failure_is_the_same_message_in_the_window() -> None:
    chosen = verifier(UrllibFetcher(resolver=Resolver(fail=True)), Clock())
    pki = build_test_pki()
    body = envelope(pki.now)
    messages = []
    for _ in range(2):
        with pytest.raises(VerificationError) as failed:
            chosen.verify(pki.valid.headers(body), body, now=pki.now)
        messages.append(failed.value.message)
    assert messages[0] == messages[1]
    assert "could not fetch the Alexa certificate chain" in messages[0]


# -- FetchGate ----------------------------------------------------------------------------------


class Blocking(CertificateFetcher):
    """A fetcher that blocks until released, counting its calls."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.calls: list[str] = []

    def fetch(self, url: str) -> bytes:
        self.calls.append(url)
        self.release.wait()
        return CHAIN


def test_the_gate_gives_up_at_the_budget_and_joins_the_running_fetch(hung: threading.Event) -> None:
    blocking = Blocking(hung)
    gate = FetchGate(blocking, budget=BUDGET)
    for _ in range(2):
        start = time.monotonic()
        with pytest.raises(VerificationError, match=f"did not arrive within {BUDGET:g} s"):
            gate.fetch(URL)
        assert BUDGET - 0.05 < time.monotonic() - start < BUDGET + SLACK
    assert blocking.calls == [URL] and gate.in_flight() == 1
    hung.set()  # the download ends late: the next caller starts afresh
    deadline = time.monotonic() + 5
    while gate.in_flight() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gate.in_flight() == 0
    assert gate.fetch(URL) == CHAIN
    assert blocking.calls == [URL, URL]


def test_the_gate_bounds_the_urls_in_flight(hung: threading.Event) -> None:
    blocking = Blocking(hung)
    gate = FetchGate(blocking, budget=0.05, max_in_flight=2)
    urls = [f"https://s3.amazonaws.com/echo.api/{name}.pem" for name in "abc"]
    for url in urls[:2]:
        with pytest.raises(VerificationError, match="did not arrive"):
            gate.fetch(url)
    start = time.monotonic()
    with pytest.raises(VerificationError, match="2 Alexa certificate downloads are still running"):
        gate.fetch(urls[2])
    assert time.monotonic() - start < SLACK  # loose, for a loaded machine: the calls tell
    assert gate.in_flight() == 2
    deadline = time.monotonic() + 5  # the two downloads' threads may start late on a loaded machine
    while len(blocking.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(blocking.calls) == urls[:2], "the third URL was refused without a download"


def test_the_gate_passes_results_and_wraps_os_errors() -> None:
    gate = FetchGate(FakeFetcher({CERT_URL: CHAIN}), budget=BUDGET)
    assert gate.fetch(CERT_URL) == CHAIN
    with pytest.raises(VerificationError, match="could not fetch .* 404"):
        gate.fetch(URL.replace("echo-api-cert", "missing"))
