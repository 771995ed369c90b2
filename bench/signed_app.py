"""Our app with Alexa verification ON, trusting the benchmark's throwaway test CA instead of Amazon's.

``bench/webhook.py`` builds the test PKI (``tests/voice/channels/alexa_test_ca.py``), writes its root
and signing chain as PEM files and names them in ``BENCH_ALEXA_ROOT_PEM`` / ``BENCH_ALEXA_CHAIN_PEM``;
each gunicorn worker then verifies every request exactly as production does, skill id included
(``BENCH_ALEXA_APPLICATION_ID``, by default the test CA's ``APPLICATION_ID`` that the bench sends),
except that the chain comes from that file instead of ``s3.amazonaws.com``:

    gunicorn -w 2 -b 127.0.0.1:8002 'bench.signed_app:create_app()'
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from flask import Flask

from voice.channels.alexa_certs import CertificateFetcher
from voice.channels.alexa_verify import AlexaVerifier, AlexaVerifyConfig
from voice.server import create_app as create_voice_app
from voice.server import settings_from_env

APPLICATION_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"
"""``tests/voice/channels/alexa_test_ca.APPLICATION_ID``, the id in every request the bench sends."""


class FileFetcher(CertificateFetcher):
    """Serves one PEM chain for any certificate URL (the URL rules are still checked before a fetch)."""

    def __init__(self, chain: bytes) -> None:
        self.chain = chain

    def fetch(self, url: str) -> bytes:
        return self.chain


def create_app() -> Flask:
    root = x509.load_pem_x509_certificate(Path(os.environ["BENCH_ALEXA_ROOT_PEM"]).read_bytes())
    chain = Path(os.environ["BENCH_ALEXA_CHAIN_PEM"]).read_bytes()
    application_id = os.environ.get("BENCH_ALEXA_APPLICATION_ID", APPLICATION_ID)
    config = AlexaVerifyConfig(
        trusted_roots=(root,), fetcher=FileFetcher(chain), application_ids=frozenset({application_id})
    )
    settings = settings_from_env()
    settings["VOICE_CONFIG"] = settings.pop("CONFIG", None)  # VOICE_CONFIG names the file, not a key
    settings |= {"ALEXA_VERIFY": True, "ALEXA_VERIFIER": AlexaVerifier(config)}
    return create_voice_app(settings)
