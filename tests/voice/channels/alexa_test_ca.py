"""A throwaway PKI that signs requests the way Alexa does, so verification is tested offline.

``build_test_pki()`` makes (once per process) a root CA, an intermediate and a leaf for
``echo-api.amazon.com``, plus the broken variants the verifier must reject: an expired leaf, a leaf
that is not valid yet, a leaf for another name, and a chain under a root nobody trusts. Each
``SigningChain`` signs a body and returns the headers Alexa would send; ``FakeFetcher`` serves the
PEM chains in place of the network. Validity periods are relative to the time the PKI was built, so
tests may use the real clock or ``pki.now``.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from voice.channels.alexa_certs import CertificateFetcher

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
APPLICATION_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"
SIGNING_NAME = "echo-api.amazon.com"

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SigningChain:
    """A leaf's private key and its PEM chain (leaf first, then the intermediate)."""

    key: rsa.RSAPrivateKey
    pem: bytes

    def headers(self, body: bytes, url: str = CERT_URL) -> dict[str, str]:
        """Sign ``body`` with SHA-256 and RSA and return Alexa's two signature headers."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return {"Signature-256": base64.b64encode(signature).decode(), "SignatureCertChainUrl": url}

    def legacy_headers(self, body: bytes, url: str = CERT_URL) -> dict[str, str]:
        """Sign ``body`` with SHA-1 only, as Alexa did before ``Signature-256``."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA1())
        return {"Signature": base64.b64encode(signature).decode(), "SignatureCertChainUrl": url}


@dataclass(frozen=True, slots=True, kw_only=True)
class AlexaTestPki:
    """The test CA's root (to trust) and signing chains, good and bad."""

    now: datetime
    root: x509.Certificate
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    valid: SigningChain
    expired: SigningChain
    not_yet_valid: SigningChain
    wrong_san: SigningChain
    untrusted: SigningChain

    def issue(self, public_key: Any, *, san: str = SIGNING_NAME, days: tuple[int, int] = (-1, 365)) -> bytes:
        """A PEM chain whose new leaf, for any key and name, the trusted intermediate issued."""
        leaf = leaf_cert(
            public_key,
            self.intermediate,
            self.intermediate_key,
            san=san,
            not_before=self.now + days[0] * _DAY,
            not_after=self.now + days[1] * _DAY,
        )
        return pem_chain(leaf, self.intermediate)


@dataclass(slots=True)
class FakeFetcher(CertificateFetcher):
    """Serves PEM chains by URL and records every fetch; an unknown URL is an ``OSError`` like a 404."""

    chains: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def fetch(self, url: str) -> bytes:
        self.calls.append(url)
        try:
            return self.chains[url]
        except KeyError:
            raise OSError(f"HTTP Error 404: Not Found: {url}") from None


@functools.cache
def build_test_pki() -> AlexaTestPki:
    """Build the test PKI once; RSA key generation is the slow part, so keys are shared."""
    now = datetime.now(UTC).replace(microsecond=0)
    root_key, inter_key, leaf_key, rogue_key = (_rsa_key() for _ in range(4))
    root = _ca_cert("Test Alexa Root CA", root_key, None, root_key, now)
    inter = _ca_cert("Test Alexa Intermediate CA", inter_key, root, root_key, now)
    rogue_root = _ca_cert("Rogue Root CA", rogue_key, None, rogue_key, now)
    rogue_inter = _ca_cert("Rogue Intermediate CA", inter_key, rogue_root, rogue_key, now)

    def chain(
        issuer: x509.Certificate, san: str = SIGNING_NAME, start: int = -1, end: int = 365
    ) -> SigningChain:
        """A chain whose leaf is valid from ``start`` to ``end`` days from now."""
        validity = {"not_before": now + start * _DAY, "not_after": now + end * _DAY}
        leaf = leaf_cert(leaf_key.public_key(), issuer, inter_key, san=san, **validity)
        return SigningChain(leaf_key, pem_chain(leaf, issuer))

    return AlexaTestPki(
        now=now,
        root=root,
        intermediate=inter,
        intermediate_key=inter_key,
        valid=chain(inter),
        expired=chain(inter, start=-60, end=-1),
        not_yet_valid=chain(inter, start=1, end=60),
        wrong_san=chain(inter, san="echo-api.example.com"),
        untrusted=chain(rogue_inter),
    )


def leaf_cert(
    public_key: Any,
    issuer: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    *,
    san: str,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """Issue a TLS-style leaf certificate for ``san`` (any public key type, for the odd cases)."""
    builder = _builder(san, public_key, issuer, issuer_key, not_before, not_after)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = builder.add_extension(_key_usage(digital_signature=True, key_encipherment=True), critical=True)
    builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    builder = builder.add_extension(
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
        critical=False,
    )
    return builder.sign(issuer_key, hashes.SHA256())


def pem_chain(*certs: x509.Certificate) -> bytes:
    """Concatenate certificates as PEM, in the order given."""
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def envelope(
    timestamp: datetime, *, application_id: str | None = APPLICATION_ID, request_type: str = "LaunchRequest"
) -> bytes:
    """A minimal Alexa request body as Alexa serialises it, with both application id places filled."""
    application = {"applicationId": application_id} if application_id is not None else {}
    body = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.test", "application": application},
        "context": {"System": {"application": application, "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.test",
            "timestamp": timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": "en-US",
        },
    }
    return json.dumps(body).encode()


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_cert(
    name: str,
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: rsa.RSAPrivateKey,
    now: datetime,
) -> x509.Certificate:
    builder = _builder(name, key.public_key(), issuer, issuer_key, now - 30 * _DAY, now + 3650 * _DAY)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    builder = builder.add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _builder(
    common_name: str,
    public_key: Any,
    issuer: x509.Certificate | None,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    """Subject, issuer (None: self-signed), validity and the key identifiers every profile wants."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )


def _key_usage(**enabled: bool) -> x509.KeyUsage:
    flags = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{flag: enabled.get(flag, False) for flag in flags})
