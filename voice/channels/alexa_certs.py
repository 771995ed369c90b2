"""Fetch, check and cache the certificate chain that signs Alexa's requests.

Alexa names the chain of its signing key in each request (the ``SignatureCertChainUrl`` header).
Anyone can send that header, so before the leaf's key is trusted this module checks the URL against
Amazon's rules, fetches the PEM chain without following redirects, checks that the leaf is valid now
and names ``echo-api.amazon.com``, and verifies the chain up to a trusted root with
``cryptography.x509.verification``. A verified key is cached by URL until a certificate of its chain
expires, so a busy skill fetches the chain once.

Fetching is a ``CertificateFetcher`` so tests hand in a throwaway CA instead of the network.
"""

from __future__ import annotations

import logging
import posixpath
import re
import threading
import urllib.request
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.client import HTTPException
from pathlib import Path
from typing import IO
from urllib.parse import quote, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as _ChainError

from ..errors import VoiceError

__all__ = [
    "CertificateFetcher",
    "SigningCertificate",
    "SigningCertificates",
    "UrllibFetcher",
    "VerificationError",
    "load_trusted_roots",
    "validate_cert_url",
    "verify_chain",
]


class VerificationError(VoiceError):
    """An Alexa request failed verification: its signature, certificate, timestamp or application id."""

    http_status = 400


_LOGGER = logging.getLogger(__name__)

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


class CertificateFetcher(ABC):
    """Gets the PEM certificate chain at a URL; subclass it to fetch from somewhere else (tests do)."""

    @abstractmethod
    def fetch(self, url: str) -> bytes:
        """Return the bytes at ``url``; raise ``VerificationError`` (or ``OSError``) when it fails."""


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead away from the checked URL, so a 3xx answer is an error."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_Opener = Callable[[str, float], IO[bytes]]


def _open_without_redirects(url: str, timeout: float) -> IO[bytes]:
    response: IO[bytes] = urllib.request.build_opener(_RefuseRedirects).open(url, timeout=timeout)
    return response


@dataclass(frozen=True, slots=True, kw_only=True)
class UrllibFetcher(CertificateFetcher):
    """Fetches over https with the standard library, a short timeout and a size limit."""

    timeout: float = 3.0
    """Seconds per socket operation; Alexa waits about 8 s for the whole answer."""
    max_bytes: int = 64 * 1024
    """A real chain is about 5 KB; anything much larger is not one."""
    opener: _Opener = _open_without_redirects
    """Opens a URL with a timeout; replaced only in tests."""

    def fetch(self, url: str) -> bytes:
        """Return the body at the https ``url``, refusing other schemes, redirects and oversize bodies."""
        if urlsplit(url).scheme.lower() != "https":
            raise VerificationError(f"refusing to fetch a certificate chain over a non-https URL {url!r}")
        try:
            with self.opener(url, self.timeout) as response:
                data = response.read(self.max_bytes + 1)
        except (OSError, HTTPException, ValueError) as exc:
            raise VerificationError(f"could not fetch the Alexa certificate chain from {url}: {exc}") from exc
        if len(data) > self.max_bytes:
            raise VerificationError(f"the certificate chain at {url} is larger than {self.max_bytes} bytes")
        return data


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

    Thread-safe. Two threads that miss at once may both fetch; the second result simply replaces
    the first, which keeps network I/O outside the lock.
    """

    def __init__(
        self, fetcher: CertificateFetcher, roots: Sequence[x509.Certificate], *, max_entries: int = 32
    ) -> None:
        if not roots:
            raise VerificationError("the Alexa trust store is empty; configure at least one root certificate")
        self._fetcher = fetcher
        self._store = Store(list(roots))
        self._max_entries = max_entries
        self._entries: dict[str, SigningCertificate] = {}
        self._lock = threading.Lock()

    def get(self, url: str, now: datetime) -> SigningCertificate:
        """Return the verified signing certificate for a validated ``url`` at ``now``."""
        with self._lock:
            cached = self._entries.get(url)
        if cached is not None and cached.is_valid_at(now):
            return cached
        try:
            pem = self._fetcher.fetch(url)
        except OSError as exc:
            raise VerificationError(f"could not fetch the Alexa certificate chain from {url}: {exc}") from exc
        certificate = verify_chain(pem, self._store, now)
        self._remember(url, certificate)
        return certificate

    def _remember(self, url: str, certificate: SigningCertificate) -> None:
        with self._lock:
            self._entries.pop(url, None)
            if len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]  # the oldest entry
            self._entries[url] = certificate
