"""Fetch, check and cache the certificate chain that signs Alexa's requests.

Alexa names the chain of its signing key in each request (the ``SignatureCertChainUrl`` header).
Anyone can send that header, so before the leaf's key is trusted this module checks the URL against
Amazon's rules, fetches the PEM chain without following redirects, checks that the leaf is valid now
and names ``echo-api.amazon.com``, and verifies the chain up to a trusted root with
``cryptography.x509.verification``. A verified key is cached by URL until a certificate of its chain
expires, so a busy skill fetches the chain once.

Fetching is a ``CertificateFetcher`` (``alexa_fetch``) so tests hand in a throwaway CA instead of the
network. Every fetch runs within one time budget, DNS included, and a URL whose fetch or chain failed
fails fast for a short while (``failure_seconds``) instead of being fetched again by every request.
"""

from __future__ import annotations

import logging
import posixpath
import re
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as _ChainError

from .alexa_fetch import CertificateFetcher, FetchGate, UrllibFetcher, VerificationError

__all__ = [
    "CertificateFetcher",
    "FetchGate",
    "SigningCertificate",
    "SigningCertificates",
    "UrllibFetcher",
    "VerificationError",
    "load_trusted_roots",
    "validate_cert_url",
    "verify_chain",
]


_LOGGER = logging.getLogger(__name__)
_V = TypeVar("_V")

SIGNING_NAME = "echo-api.amazon.com"
_CERT_HOST = "s3.amazonaws.com"
_CERT_PATH_PREFIX = "/echo.api/"
_SYSTEM_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def validate_cert_url(url: str) -> str:
    """Check ``SignatureCertChainUrl`` against Amazon's rules and return the URL to fetch.

    The scheme and host compare case-insensitively, the port must be 443 or absent, and the path,
    percent-decoded with ``.`` and ``..`` resolved, must start with ``/echo.api/`` (case-sensitive).
    The returned URL is the normalised one without query or fragment, so what was checked is what
    is fetched.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise VerificationError(f"the certificate URL {url!r} is not a valid URL") from exc
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if parts.scheme.lower() != "https":
        reason = "does not use https"
    elif parts.hostname != _CERT_HOST or parts.username is not None or parts.password is not None:
        reason = f"is not on host {_CERT_HOST}"
    elif port not in (None, 443):
        reason = "names a port other than 443"
    elif "\\" in path or not path.startswith(_CERT_PATH_PREFIX):
        reason = f"has a path that does not start with {_CERT_PATH_PREFIX}"
    else:
        return f"https://{_CERT_HOST}{quote(path)}"
    raise VerificationError(f"the certificate URL {url!r} {reason}")


def load_trusted_roots(path: Path | str | None = None) -> tuple[x509.Certificate, ...]:
    """Load root certificates from a PEM bundle: ``path``, else certifi's bundle, else the system's."""
    bundle = Path(path) if path is not None else _default_bundle()
    try:
        blocks = _PEM_BLOCK.findall(bundle.read_bytes())
    except OSError as exc:
        raise VerificationError(f"cannot read trusted root certificates from {bundle}: {exc}") from exc
    roots = tuple(cert for block in blocks if (cert := _load_root(block)) is not None)
    if not roots:
        raise VerificationError(
            f"{bundle} holds no readable root certificate; point the trust store at a PEM bundle"
        )
    return roots


def _default_bundle() -> Path:
    try:
        import certifi
    except ImportError:
        return _SYSTEM_BUNDLE
    return Path(certifi.where())


def _load_root(block: bytes) -> x509.Certificate | None:
    # Mozilla's bundle still holds a few roots with serial number 0 (Starfield, Go Daddy); cryptography
    # warns about them but they are trusted anchors, and one unreadable root must not break the rest.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            return x509.load_pem_x509_certificate(block)
        except ValueError:
            _LOGGER.warning("Skipping an unreadable root certificate in the trust store")
            return None


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningCertificate:
    """The verified key of an Alexa signing chain and the window in which the whole chain is valid."""

    public_key: rsa.RSAPublicKey
    valid_from: datetime
    """Latest ``not_valid_before`` of the chain, UTC."""
    valid_until: datetime
    """Earliest ``not_valid_after`` of the chain, UTC."""

    def is_valid_at(self, when: datetime) -> bool:
        """Whether every certificate of the chain is valid at ``when`` (timezone-aware)."""
        return self.valid_from <= when <= self.valid_until


def verify_chain(pem: bytes, store: Store, now: datetime) -> SigningCertificate:
    """Verify a PEM chain (leaf first, then intermediates) at ``now`` and return the leaf's key."""
    leaf, *intermediates = _parse_chain(pem)
    _check_leaf(leaf, now)
    verifier = PolicyBuilder().store(store).time(now).build_server_verifier(x509.DNSName(SIGNING_NAME))
    try:
        path = verifier.verify(leaf, intermediates)
    except _ChainError as exc:
        _LOGGER.info("Alexa certificate chain rejected: %s", exc)
        raise VerificationError("the Alexa signing certificate does not chain to a trusted root") from exc
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationError("the Alexa signing certificate does not hold an RSA key")
    return SigningCertificate(
        public_key=key,
        valid_from=max(cert.not_valid_before_utc for cert in path),
        valid_until=min(cert.not_valid_after_utc for cert in path),
    )


def _parse_chain(pem: bytes) -> list[x509.Certificate]:
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except (ValueError, CryptographyDeprecationWarning) as exc:
        # The warning arrives as an exception only where warnings are errors (the test suite).
        raise VerificationError("the Alexa certificate chain is not a readable PEM chain") from exc
    return chain


def _check_leaf(leaf: x509.Certificate, now: datetime) -> None:
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise VerificationError(
            f"the Alexa signing certificate is not valid at {now:%Y-%m-%d %H:%M:%S} UTC "
            f"(valid {leaf.not_valid_before_utc:%Y-%m-%d} to {leaf.not_valid_after_utc:%Y-%m-%d})"
        )
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names: list[str] = []
    else:
        names = [name.lower() for name in san.get_values_for_type(x509.DNSName)]
    # Exactly this name, as Amazon asks: a wildcard that merely matches it is not enough.
    if SIGNING_NAME not in names:
        raise VerificationError(f"the Alexa signing certificate does not name {SIGNING_NAME}")


class SigningCertificates:
    """Verified signing keys by certificate URL: fetched and verified once, kept until they expire.

    Each fetch runs through a ``FetchGate``: within ``fetch_budget`` seconds, DNS included, and one
    at a time per URL, so threads that miss at once share one download. A URL whose fetch or chain
    failed is remembered for ``failure_seconds`` (by ``clock``): requests that name it then fail
    at once with the same message, and the first one after that window tries again. Thread-safe.
    """

    def __init__(
        self,
        fetcher: CertificateFetcher,
        roots: Sequence[x509.Certificate],
        *,
        max_entries: int = 32,
        fetch_budget: float = 3.0,
        failure_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not roots:
            raise VerificationError("the Alexa trust store is empty; configure at least one root certificate")
        self.gate = FetchGate(fetcher, budget=fetch_budget)
        self._store = Store(list(roots))
        self._max_entries = max_entries
        self._failure_seconds = failure_seconds
        self._clock = clock
        self._entries: dict[str, SigningCertificate] = {}
        self._failures: dict[str, tuple[float, str]] = {}
        """URL -> (clock time until which it fails fast, the message)."""
        self._lock = threading.Lock()

    def get(self, url: str, now: datetime) -> SigningCertificate:
        """Return the verified signing certificate for a validated ``url`` at ``now``."""
        with self._lock:
            cached = self._entries.get(url)
            failed = self._failures.get(url)
        if cached is not None and cached.is_valid_at(now):
            return cached
        if failed is not None and self._clock() < failed[0]:
            raise VerificationError(failed[1])
        try:
            certificate = verify_chain(self.gate.fetch(url), self._store, now)
        except VerificationError as exc:
            self._fail(url, exc.message)
            raise
        self._remember(url, certificate)
        return certificate

    def _remember(self, url: str, certificate: SigningCertificate) -> None:
        with self._lock:
            self._failures.pop(url, None)
            _put(self._entries, url, certificate, self._max_entries)

    def _fail(self, url: str, message: str) -> None:
        if self._failure_seconds <= 0:
            return
        _LOGGER.warning(
            "Alexa certificate chain %s failed (%s); requests naming it fail for %g s",
            url,
            message,
            self._failure_seconds,
        )
        with self._lock:
            _put(self._failures, url, (self._clock() + self._failure_seconds, message), self._max_entries)


def _put(entries: dict[str, _V], key: str, value: _V, max_entries: int) -> None:
    """Set ``entries[key]`` as the newest entry, dropping the oldest one when it is full."""
    entries.pop(key, None)
    if len(entries) >= max_entries:
        del entries[next(iter(entries))]
    entries[key] = value
