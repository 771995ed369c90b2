"""Decide whether an HTTP request really comes from Alexa, before any handler sees it.

A skill served as a web service must reject requests that Amazon did not sign, that were replayed
later, or that are meant for another skill. ``AlexaVerifier.verify`` checks, cheapest first:

1. the ``Signature-256`` header (SHA-256 with RSA; the legacy SHA-1 ``Signature`` alone is refused)
   and the ``SignatureCertChainUrl`` header (https, s3.amazonaws.com, port 443, path /echo.api/);
2. the JSON envelope: ``request.timestamp`` within ``max_skew_seconds`` of now, and the
   application id in the allow-list (an empty list is refused at start unless ``accept_any_skill``);
3. the certificate chain at the URL (see ``alexa_certs``) and the signature over the raw body.

Every failure is a ``VerificationError`` (HTTP 400) with a one-sentence reason; nothing else escapes
for bad input. The Flask channel calls ``verify`` with the raw body and answers 400 on the error.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..errors import ConfigError
from .alexa_certs import (
    CertificateFetcher,
    SigningCertificates,
    UrllibFetcher,
    VerificationError,
    load_trusted_roots,
    validate_cert_url,
)
from .webhook import header

__all__ = [
    "AlexaVerifier",
    "AlexaVerifyConfig",
    "CertificateFetcher",
    "UrllibFetcher",
    "VerificationError",
    "load_trusted_roots",
]

_LOGGER = logging.getLogger(__name__)

SIGNATURE_HEADER = "Signature-256"
LEGACY_SIGNATURE_HEADER = "Signature"
CERT_URL_HEADER = "SignatureCertChainUrl"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlexaVerifyConfig:
    """How Alexa requests are verified; the defaults are what production needs."""

    enabled: bool = True
    """Off only for local development: then ``verify`` just parses the JSON."""
    application_ids: frozenset[str] = frozenset()
    """Skill ids (``amzn1.ask.skill.…``) to accept; empty is refused unless ``accept_any_skill``."""
    accept_any_skill: bool = False
    """Accept a signed request of any skill when ``application_ids`` is empty (a warning at start)."""
    max_skew_seconds: float = 150.0
    """Largest distance between ``request.timestamp`` and now; Amazon allows at most 150 s."""
    trusted_roots: tuple[x509.Certificate, ...] | None = None
    """Root certificates to trust; None loads certifi's bundle, else the system's."""
    fetcher: CertificateFetcher = field(default_factory=UrllibFetcher)
    """Gets the certificate chain; tests inject a fake that serves a test CA."""
    fetch_budget_seconds: float = 3.0
    """The whole certificate download, DNS included; the request fails (400) when it takes longer."""
    failure_seconds: float = 30.0
    """How long a certificate URL whose download or chain failed fails at once, without a new download."""
    clock: Callable[[], float] = time.monotonic
    """Measures ``failure_seconds``; replaced only in tests."""

    def __post_init__(self) -> None:
        # Accept any iterable (a list from TOML) but keep the frozen value immutable.
        object.__setattr__(self, "application_ids", frozenset(self.application_ids))

    @property
    def lacks_skill_ids(self) -> bool:
        """On, without a skill id and without ``accept_any_skill``: a verifier refuses to be built
        (``voice check`` warns of it, since ``voice serve --no-verify`` runs such a config)."""
        return self.enabled and not self.application_ids and not self.accept_any_skill


class AlexaVerifier:
    """Verifies Alexa requests; build one per app and share it between threads (it caches keys)."""

    def __init__(self, config: AlexaVerifyConfig | None = None) -> None:
        self.config = config or AlexaVerifyConfig()
        self._certificates: SigningCertificates | None = None
        config = self.config
        if config.enabled:
            _check_skill_ids(config)
            self._certificates = SigningCertificates(
                config.fetcher,
                config.trusted_roots if config.trusted_roots is not None else load_trusted_roots(),
                fetch_budget=config.fetch_budget_seconds,
                failure_seconds=config.failure_seconds,
                clock=config.clock,
            )
        else:
            _LOGGER.warning("Alexa request verification is OFF; never run like this in production")

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime | None = None) -> dict[str, Any]:
        """Return the request's JSON envelope if Alexa signed ``body``; raise ``VerificationError`` if not.

        ``headers`` is any mapping of the HTTP headers (names compare case-insensitively), ``body``
        the raw bytes as received, ``now`` the time to check against (default: the clock; naive is UTC).
        """
        if self._certificates is None:
            return _parse_envelope(body)
        now = _as_utc(now or datetime.now(UTC))
        signature = _signature(headers)
        url = validate_cert_url(_required_header(headers, CERT_URL_HEADER))
        envelope = _parse_envelope(body)
        _check_timestamp(envelope, now, self.config.max_skew_seconds)
        _check_application_id(envelope, self.config.application_ids)
        _check_signature(self._certificates.get(url, now).public_key, signature, body)
        return envelope


def _check_skill_ids(config: AlexaVerifyConfig) -> None:
    """Refuse an empty skill-id list unless the config accepts any skill explicitly (then warn)."""
    if config.application_ids:
        return
    if config.lacks_skill_ids:
        raise ConfigError(
            "alexa_application_ids is empty while Alexa verification is on, so any skill could call this "
            'webhook; set [server] alexa_application_ids = ["amzn1.ask.skill.…"] to your skill\'s id, '
            "or alexa_accept_any_skill = true to accept every skill."
        )
    _LOGGER.warning("alexa_accept_any_skill is on: a correctly signed request of ANY Alexa skill is accepted")


def _parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise VerificationError("the request body is not valid JSON") from exc
    if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
        raise VerificationError("the request body is not an Alexa request envelope")
    return envelope


def _required_header(headers: Mapping[str, str], name: str) -> str:
    value = header(headers, name)
    if not value:
        raise VerificationError(f"the request has no {name} header")
    return value


def _signature(headers: Mapping[str, str]) -> bytes:
    value = header(headers, SIGNATURE_HEADER)
    if not value and header(headers, LEGACY_SIGNATURE_HEADER):
        raise VerificationError(
            f"the request has only the legacy SHA-1 {LEGACY_SIGNATURE_HEADER} header, not {SIGNATURE_HEADER}"
        )
    if not value:
        raise VerificationError(f"the request has no {SIGNATURE_HEADER} header")
    try:
        signature = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError(f"the {SIGNATURE_HEADER} header is not valid base64") from exc
    if not signature:
        raise VerificationError(f"the {SIGNATURE_HEADER} header is empty")
    return signature


def _check_timestamp(envelope: dict[str, Any], now: datetime, max_skew_seconds: float) -> None:
    value = envelope["request"].get("timestamp")
    try:
        timestamp = _as_utc(datetime.fromisoformat(value))
    except (TypeError, ValueError, OverflowError) as exc:
        raise VerificationError(f"the request timestamp {value!r} is not an ISO 8601 time") from exc
    if abs((now - timestamp).total_seconds()) > max_skew_seconds:
        raise VerificationError(
            f"the request timestamp {value} is more than {max_skew_seconds:g} s from the server's clock"
        )


def _check_application_id(envelope: dict[str, Any], allowed: frozenset[str]) -> None:
    if not allowed:
        return
    ids = set(_application_ids(envelope))
    if not ids:
        raise VerificationError("the request names no application id")
    # Every id the request names must be ours, so session and context cannot disagree.
    unknown = sorted(ids - allowed)
    if unknown:
        raise VerificationError(f"the application id {unknown[0]!r} is not one of this skill's ids")


def _application_ids(envelope: dict[str, Any]) -> Iterator[str]:
    """Yield ``session.application.applicationId`` and ``context.System.application.applicationId``."""
    for outer, inner in (("session", None), ("context", "System")):
        node: Any = envelope.get(outer)
        if inner is not None and isinstance(node, dict):
            node = node.get(inner)
        application = node.get("application") if isinstance(node, dict) else None
        if not isinstance(application, dict) or "applicationId" not in application:
            continue
        app_id = application["applicationId"]
        if not isinstance(app_id, str):
            raise VerificationError(f"the {outer} application id is not a string")
        yield app_id


def _check_signature(key: rsa.RSAPublicKey, signature: bytes, body: bytes) -> None:
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise VerificationError("the request signature does not match its body") from exc


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
