"""Alexa request verification against a throwaway CA: real keys, real signatures, no network."""

from __future__ import annotations

import base64
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alexa_test_ca import (
    APPLICATION_ID,
    CERT_URL,
    AlexaTestPki,
    FakeFetcher,
    build_test_pki,
    envelope,
    pem_chain,
)
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from voice.channels import alexa_certs
from voice.channels.alexa_certs import validate_cert_url
from voice.channels.alexa_verify import (
    AlexaVerifier,
    AlexaVerifyConfig,
    VerificationError,
    load_trusted_roots,
)
from voice.errors import ConfigError, VoiceError

Verifier = Callable[..., AlexaVerifier]


def _url(name: str) -> str:
    return f"https://s3.amazonaws.com/echo.api/{name}.pem"


@pytest.fixture(scope="module")
def pki() -> AlexaTestPki:
    return build_test_pki()


@pytest.fixture
def fetcher(pki: AlexaTestPki) -> FakeFetcher:
    chains = {CERT_URL: pki.valid.pem}
    for name in ("expired", "not_yet_valid", "wrong_san", "untrusted"):
        chains[_url(name)] = getattr(pki, name).pem
    return FakeFetcher(chains)


@pytest.fixture
def make_verifier(pki: AlexaTestPki, fetcher: FakeFetcher) -> Verifier:
    def make(**overrides: object) -> AlexaVerifier:
        options: dict[str, object] = {
            "trusted_roots": (pki.root,),
            "fetcher": fetcher,
            "accept_any_skill": True,
        }
        return AlexaVerifier(AlexaVerifyConfig(**(options | overrides)))  # type: ignore[arg-type]

    return make


@pytest.fixture
def verifier(make_verifier: Verifier) -> AlexaVerifier:
    return make_verifier()


# -- the valid case ----------------------------------------------------------------------------


def test_valid_signed_request_returns_the_envelope(pki: AlexaTestPki, verifier: AlexaVerifier) -> None:
    body = envelope(pki.now)
    result = verifier.verify(pki.valid.headers(body), body, now=pki.now)
    assert result["request"]["type"] == "LaunchRequest"
    assert result["session"]["application"]["applicationId"] == APPLICATION_ID


def test_header_names_compare_case_insensitively(pki: AlexaTestPki, verifier: AlexaVerifier) -> None:
    body = envelope(pki.now)
    headers = {name.lower(): value for name, value in pki.valid.headers(body).items()}
    assert verifier.verify(headers, body, now=pki.now)["version"] == "1.0"


def test_real_clock_and_naive_now_are_accepted(pki: AlexaTestPki, verifier: AlexaVerifier) -> None:
    body = envelope(datetime.now(UTC))
    assert verifier.verify(pki.valid.headers(body), body)["request"]
    naive_now = datetime.now(UTC).replace(tzinfo=None)
    assert verifier.verify(pki.valid.headers(body), body, now=naive_now)["request"]


def test_verification_error_is_a_400_voice_error() -> None:
    error = VerificationError("the request signature does not match its body")
    assert isinstance(error, VoiceError)
    assert error.http_status == 400
    assert VerificationError is alexa_certs.VerificationError  # defined there, re-exported here


# -- signature -----------------------------------------------------------------------------------


def test_tampered_body_is_rejected(pki: AlexaTestPki, verifier: AlexaVerifier) -> None:
    body = envelope(pki.now)
    tampered = body.replace(b"LaunchRequest", b"IntentRequest")
    with pytest.raises(VerificationError, match="signature does not match its body"):
        verifier.verify(pki.valid.headers(body), tampered, now=pki.now)


def test_only_the_legacy_sha1_signature_is_rejected(pki: AlexaTestPki, verifier: AlexaVerifier) -> None:
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match="only the legacy SHA-1 Signature header"):
        verifier.verify(pki.valid.legacy_headers(body), body, now=pki.now)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("not base64 at all!", "not valid base64"),
        ("QUJD=extra", "not valid base64"),
        ("héllo", "not valid base64"),
        ("", "no Signature-256 header"),
        (base64.b64encode(b"\x00" * 256).decode(), "signature does not match"),
        (base64.b64encode(b"short").decode(), "signature does not match"),
    ],
    ids=["garbage", "bad-padding", "non-ascii", "empty", "wrong-bytes", "wrong-length"],
)
def test_garbage_signature_is_rejected(
    pki: AlexaTestPki, verifier: AlexaVerifier, signature: str, reason: str
) -> None:
    body = envelope(pki.now)
    headers = pki.valid.headers(body) | {"Signature-256": signature}
    with pytest.raises(VerificationError, match=reason):
        verifier.verify(headers, body, now=pki.now)


@pytest.mark.parametrize("missing", ["Signature-256", "SignatureCertChainUrl"])
def test_missing_headers_are_rejected(pki: AlexaTestPki, verifier: AlexaVerifier, missing: str) -> None:
    body = envelope(pki.now)
    headers = {name: value for name, value in pki.valid.headers(body).items() if name != missing}
    with pytest.raises(VerificationError, match=f"no {missing} header"):
        verifier.verify(headers, body, now=pki.now)


# -- certificate URL -----------------------------------------------------------------------------

# Amazon's documented examples first, then the normalisation and case rules they imply.
VALID_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
]
INVALID_URLS = [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "does not use https"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "is not on host"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port other than 443"),
    ("https://s3.amazonaws.com/echo.api/../invalid.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/%2e%2e/invalid.pem", "path"),
    ("https://s3.amazonaws.com/echo.api", "path"),
    ("https://s3.amazonaws.com/echo.api\\..\\invalid.pem", "path"),
    ("https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert.pem", "is not on host"),
    ("https://evil.com@s3.amazonaws.com/echo.api/echo-api-cert.pem", "is not on host"),
    ("https://s3.amazonaws.com:99999/echo.api/echo-api-cert.pem", "not a valid URL"),
    ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "does not use https"),
    ("s3.amazonaws.com/echo.api/echo-api-cert.pem", "does not use https"),
]


@pytest.mark.parametrize("url", VALID_URLS, ids=range(len(VALID_URLS)))
def test_valid_certificate_urls_normalise_to_the_fetched_url(url: str) -> None:
    assert validate_cert_url(url) == "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.mark.parametrize(("url", "reason"), INVALID_URLS, ids=range(len(INVALID_URLS)))
def test_invalid_certificate_urls_are_rejected_before_any_fetch(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher, url: str, reason: str
) -> None:
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match=reason):
        verifier.verify(pki.valid.headers(body, url), body, now=pki.now)
    assert fetcher.calls == []


def test_a_valid_url_form_fetches_its_normalised_url(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher
) -> None:
    body = envelope(pki.now)
    url = "https://S3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert-test.pem"
    assert verifier.verify(pki.valid.headers(body, url), body, now=pki.now)
    assert fetcher.calls == [CERT_URL]


# -- certificate chain ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        ("expired", "signing certificate is not valid at"),
        ("not_yet_valid", "signing certificate is not valid at"),
        ("wrong_san", "does not name echo-api.amazon.com"),
        ("untrusted", "does not chain to a trusted root"),
    ],
)
def test_bad_certificates_are_rejected(
    pki: AlexaTestPki, verifier: AlexaVerifier, variant: str, reason: str
) -> None:
    body = envelope(pki.now)
    headers = getattr(pki, variant).headers(body, _url(variant))
    with pytest.raises(VerificationError, match=reason):
        verifier.verify(headers, body, now=pki.now)


def test_a_chain_without_its_intermediate_is_untrusted(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher
) -> None:
    leaf_only = x509.load_pem_x509_certificates(pki.valid.pem)[0]
    fetcher.chains[CERT_URL] = pem_chain(leaf_only)
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match="does not chain to a trusted root"):
        verifier.verify(pki.valid.headers(body), body, now=pki.now)


@pytest.mark.parametrize("san", ["*.amazon.com", "echo-api.amazon.com.evil.com"])
def test_a_name_that_is_not_exactly_echo_api_is_rejected(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher, san: str
) -> None:
    fetcher.chains[CERT_URL] = pki.issue(pki.valid.key.public_key(), san=san)
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match="does not name echo-api.amazon.com"):
        verifier.verify(pki.valid.headers(body), body, now=pki.now)


def test_a_non_rsa_signing_key_is_rejected(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher
) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    fetcher.chains[CERT_URL] = pki.issue(ec_key.public_key())
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match="does not hold an RSA key"):
        verifier.verify(pki.valid.headers(body), body, now=pki.now)


@pytest.mark.parametrize(
    "pem",
    [b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", b"\xff" * 100],
    ids=["empty", "text", "bad-der", "binary"],
)
def test_garbage_pem_is_rejected(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher, pem: bytes
) -> None:
    fetcher.chains[CERT_URL] = pem
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match="not a readable PEM chain"):
        verifier.verify(pki.valid.headers(body), body, now=pki.now)


def test_a_failed_fetch_is_a_verification_error(pki: AlexaTestPki, verifier: AlexaVerifier) -> None:
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match="could not fetch .* 404"):
        verifier.verify(pki.valid.headers(body, _url("missing")), body, now=pki.now)


# -- certificate cache ---------------------------------------------------------------------------


def test_a_second_request_uses_the_cached_certificate(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher
) -> None:
    for seconds in (0, 30):
        body = envelope(pki.now + timedelta(seconds=seconds))
        verifier.verify(pki.valid.headers(body), body, now=pki.now + timedelta(seconds=seconds))
    assert fetcher.calls == [CERT_URL]


def test_the_cache_expires_with_the_certificate(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher
) -> None:
    body = envelope(pki.now)
    verifier.verify(pki.valid.headers(body), body, now=pki.now)
    later = pki.now + timedelta(days=366)
    body = envelope(later)
    with pytest.raises(VerificationError, match="signing certificate is not valid at"):
        verifier.verify(pki.valid.headers(body), body, now=later)
    assert fetcher.calls == [CERT_URL, CERT_URL]


class Clock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("bad", "message"),
    [(b"garbage", "not a readable PEM chain"), (None, "could not fetch .* 404")],
    ids=["bad-chain", "http-error"],
)
def test_a_failure_is_cached_briefly_then_tried_again(
    pki: AlexaTestPki, make_verifier: Verifier, fetcher: FakeFetcher, bad: bytes | None, message: str
) -> None:
    clock = Clock()
    verifier = make_verifier(clock=clock, failure_seconds=30.0)
    if bad is None:
        del fetcher.chains[CERT_URL]
    else:
        fetcher.chains[CERT_URL] = bad
    body = envelope(pki.now)
    for seconds in (0.0, 29.9):  # within the window: the same error, no new fetch
        clock.now = 1000.0 + seconds
        with pytest.raises(VerificationError, match=message):
            verifier.verify(pki.valid.headers(body), body, now=pki.now)
    assert fetcher.calls == [CERT_URL]
    fetcher.chains[CERT_URL] = pki.valid.pem
    clock.now = 1030.0  # the window is over: fetched again, and now it works
    assert verifier.verify(pki.valid.headers(body), body, now=pki.now)
    assert verifier.verify(pki.valid.headers(body), body, now=pki.now)
    assert fetcher.calls == [CERT_URL, CERT_URL]


def test_a_failure_window_of_zero_caches_nothing(
    pki: AlexaTestPki, make_verifier: Verifier, fetcher: FakeFetcher
) -> None:
    verifier = make_verifier(failure_seconds=0)
    fetcher.chains[CERT_URL] = b"garbage"
    body = envelope(pki.now)
    for _ in range(2):
        with pytest.raises(VerificationError):
            verifier.verify(pki.valid.headers(body), body, now=pki.now)
    assert fetcher.calls == [CERT_URL, CERT_URL]


def test_a_failed_url_does_not_block_other_urls(
    pki: AlexaTestPki, make_verifier: Verifier, fetcher: FakeFetcher
) -> None:
    verifier = make_verifier(clock=Clock())
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match="404"):
        verifier.verify(pki.valid.headers(body, _url("missing")), body, now=pki.now)
    assert verifier.verify(pki.valid.headers(body), body, now=pki.now)


def test_concurrent_requests_share_one_verifier(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher
) -> None:
    body = envelope(pki.now)
    headers = pki.valid.headers(body)
    verifier.verify(headers, body, now=pki.now)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: verifier.verify(headers, body, now=pki.now), range(32)))
    assert all(result["request"]["type"] == "LaunchRequest" for result in results)
    assert fetcher.calls == [CERT_URL]


# -- timestamp -----------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-149, 0, 149])
def test_a_timestamp_within_150_seconds_passes(
    pki: AlexaTestPki, verifier: AlexaVerifier, offset: int
) -> None:
    body = envelope(pki.now + timedelta(seconds=offset))
    assert verifier.verify(pki.valid.headers(body), body, now=pki.now)


@pytest.mark.parametrize("offset", [-151, 151, -86400], ids=["stale", "future", "a-day-old"])
def test_a_stale_or_future_timestamp_is_rejected(
    pki: AlexaTestPki, verifier: AlexaVerifier, fetcher: FakeFetcher, offset: int
) -> None:
    body = envelope(pki.now + timedelta(seconds=offset))
    with pytest.raises(VerificationError, match="more than 150 s from the server's clock"):
        verifier.verify(pki.valid.headers(body), body, now=pki.now)
    assert fetcher.calls == []


def test_the_allowed_skew_is_configurable(pki: AlexaTestPki, make_verifier: Verifier) -> None:
    body = envelope(pki.now - timedelta(seconds=60))
    with pytest.raises(VerificationError, match="more than 30 s"):
        make_verifier(max_skew_seconds=30).verify(pki.valid.headers(body), body, now=pki.now)


# -- application id ------------------------------------------------------------------------------


def test_an_empty_id_list_is_refused_unless_any_skill_is_accepted(
    pki: AlexaTestPki, make_verifier: Verifier, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConfigError, match="alexa_application_ids is empty .* alexa_accept_any_skill = true"):
        make_verifier(accept_any_skill=False)
    with pytest.raises(ConfigError, match="alexa_application_ids is empty"):
        AlexaVerifier()
    caplog.set_level("WARNING", logger="voice.channels.alexa_verify")
    verifier = make_verifier(accept_any_skill=True)
    assert "ANY Alexa skill is accepted" in caplog.text
    body = envelope(pki.now, application_id="amzn1.ask.skill.someone-else")
    assert verifier.verify(pki.valid.headers(body), body, now=pki.now)


def test_without_verification_no_id_list_is_needed() -> None:
    assert not AlexaVerifier(AlexaVerifyConfig(enabled=False)).config.application_ids


def test_an_allowed_application_id_passes(pki: AlexaTestPki, make_verifier: Verifier) -> None:
    verifier = make_verifier(application_ids=["amzn1.ask.skill.other", APPLICATION_ID])
    body = envelope(pki.now)
    assert verifier.verify(pki.valid.headers(body), body, now=pki.now)


def test_a_wrong_application_id_is_rejected(pki: AlexaTestPki, make_verifier: Verifier) -> None:
    verifier = make_verifier(application_ids={"amzn1.ask.skill.other"})
    body = envelope(pki.now)
    with pytest.raises(VerificationError, match=f"application id '{APPLICATION_ID}' is not one of"):
        verifier.verify(pki.valid.headers(body), body, now=pki.now)


def test_a_missing_application_id_is_rejected_when_ids_are_configured(
    pki: AlexaTestPki, make_verifier: Verifier
) -> None:
    body = envelope(pki.now, application_id=None)
    with pytest.raises(VerificationError, match="names no application id"):
        make_verifier(application_ids={APPLICATION_ID}).verify(pki.valid.headers(body), body, now=pki.now)
    assert make_verifier().verify(pki.valid.headers(body), body, now=pki.now)


def test_session_and_context_must_both_name_an_allowed_id(pki: AlexaTestPki, make_verifier: Verifier) -> None:
    body = envelope(pki.now).replace(
        b'"System": {"application": {"applicationId": "amzn1',
        b'"System": {"application": {"applicationId": "evil1',
    )
    with pytest.raises(VerificationError, match="'evil1.ask.skill"):
        make_verifier(application_ids={APPLICATION_ID}).verify(pki.valid.headers(body), body, now=pki.now)


# -- malformed bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"[]", "not an Alexa request envelope"),
        (b'{"request": 1}', "not an Alexa request envelope"),
        (b'{"request": {}}', "timestamp None is not an ISO 8601 time"),
        (b'{"request": {"timestamp": 12}}', "timestamp 12 is not"),
        (b'{"request": {"timestamp": "yesterday"}}', "timestamp 'yesterday' is not"),
        (b'{"request": {"timestamp": "9999-12-31T23:59:59-05:00"}}', "is not an ISO 8601 time"),
    ],
    ids=[
        "truncated",
        "not-utf8",
        "empty",
        "deep",
        "array",
        "request-int",
        "no-time",
        "int-time",
        "word-time",
        "overflow-time",
    ],
)
def test_malformed_bodies_are_rejected(
    pki: AlexaTestPki, verifier: AlexaVerifier, body: bytes, reason: str
) -> None:
    with pytest.raises(VerificationError, match=reason):
        verifier.verify(pki.valid.headers(body), body, now=pki.now)


def test_a_non_string_application_id_is_rejected(pki: AlexaTestPki, make_verifier: Verifier) -> None:
    body = envelope(pki.now).replace(f'"{APPLICATION_ID}"'.encode(), b'["x"]', 1)
    with pytest.raises(VerificationError, match="session application id is not a string"):
        make_verifier(application_ids={APPLICATION_ID}).verify(pki.valid.headers(body), body, now=pki.now)


# -- switched off --------------------------------------------------------------------------------


def test_disabled_verification_only_parses(pki: AlexaTestPki, fetcher: FakeFetcher) -> None:
    verifier = AlexaVerifier(AlexaVerifyConfig(enabled=False, fetcher=fetcher))
    body = envelope(pki.now - timedelta(days=1))
    assert verifier.verify({}, body)["request"]["type"] == "LaunchRequest"
    with pytest.raises(VerificationError, match="not valid JSON"):
        verifier.verify({}, b"{")
    assert fetcher.calls == []


# -- trust store and the real fetcher (no external network) --------------------------------------


def test_the_default_trust_store_loads_without_warnings() -> None:
    roots = load_trusted_roots()
    assert any("Amazon Root CA 1" in root.subject.rfc4514_string() for root in roots)
    assert AlexaVerifier(AlexaVerifyConfig(application_ids=frozenset({APPLICATION_ID}))).config.enabled


def test_an_unreadable_trust_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VerificationError, match="cannot read trusted root certificates"):
        load_trusted_roots(tmp_path / "missing.pem")
    (tmp_path / "empty.pem").write_text("no certificates here\n")
    with pytest.raises(VerificationError, match="holds no readable root certificate"):
        load_trusted_roots(tmp_path / "empty.pem")


def test_a_trust_store_file_can_be_configured(tmp_path: Path, pki: AlexaTestPki) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(pem_chain(pki.root))
    assert load_trusted_roots(bundle) == (pki.root,)
