"""TLS certificates checked as a visitor's browser checks them.

Scrapy does not verify server certificates by default: a self-signed,
expired or wrong-host certificate would be fetched as if it were fine, while
every visitor's browser refuses the page. :class:`VerifyingContextFactory`
(``DOWNLOADER_CLIENTCONTEXTFACTORY`` in crawler/settings.py) verifies the
chain against the system trust store, certifi's bundle when installed, and
the optional ``network.ca_bundle`` (setting ``ZWGK_CA_BUNDLE``), and the
host name against the certificate, as Twisted's ``optionsForClientTLS``
does. A refusal fails the connection with :class:`CertificateInvalid`,
whose text names the reason (:data:`zwgk.vocab.TLS_REASONS`), so that the
stored error can say *why* (expired, self-signed, another host's).

Scrapy's ``DOWNLOAD_VERIFY_CERTIFICATES`` verifies too, but only against
the platform store (no configured CA bundle) and with OpenSSL's one-line
"certificate verify failed", which does not say why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from OpenSSL import SSL
from OpenSSL.crypto import X509
from scrapy.core.downloader.contextfactory import (
    _ScrapyCertificateOptions,
    _ScrapyClientContextFactory,
)
from scrapy.crawler import Crawler
from service_identity import VerificationError
from service_identity.hazmat import DNS_ID, IPAddress_ID, ServiceID, verify_service_identity
from service_identity.pyopenssl import extract_patterns
from twisted.internet._sslverify import ClientTLSOptions, IOpenSSLTrustRoot
from twisted.python.failure import Failure
from zope.interface import implementer

from zwgk.vocab import TlsReason

CA_BUNDLE_SETTING = "ZWGK_CA_BUNDLE"

# OpenSSL's X509_V_ERR_* codes (openssl/x509_vfy.h), stable across versions.
_EXPIRED = {10, 12}  # certificate / CRL has expired
_NOT_YET_VALID = {9, 11}
_SELF_SIGNED = {18, 19}  # self-signed leaf; self-signed root not trusted
_UNTRUSTED = {2, 20, 21, 27, 28}  # no trusted issuer, untrusted, rejected


def reason_of_verify_error(code: int) -> TlsReason:
    if code in _EXPIRED:
        return TlsReason.EXPIRED
    if code in _NOT_YET_VALID:
        return TlsReason.NOT_YET_VALID
    if code in _SELF_SIGNED:
        return TlsReason.SELF_SIGNED
    if code in _UNTRUSTED:
        return TlsReason.UNTRUSTED
    return TlsReason.INVALID


class CertificateInvalid(Exception):
    """The server's certificate is one a browser refuses."""

    def __init__(self, reason: TlsReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(reason, detail)

    def __str__(self) -> str:
        # The reason's phrase is what zwgk.vocab.tls_reason finds again in
        # the stored error text.
        return f"{self.reason.phrase}{f' ({self.detail})' if self.detail else ''}"


@implementer(IOpenSSLTrustRoot)
class _TrustStore:
    """The system's CAs, certifi's and the configured bundle's, together."""

    def __init__(self, ca_bundle: str | None) -> None:
        self.ca_bundle = ca_bundle

    def _addCACertsToContext(self, context: SSL.Context) -> None:
        context.set_default_verify_paths()
        try:
            import certifi
        except ImportError:  # pragma: no cover - the system store still applies
            pass
        else:
            context.load_verify_locations(certifi.where())
        if self.ca_bundle:
            context.load_verify_locations(self.ca_bundle)


def _verify_callback(
    tls_protocol: Any, hostname: str, is_dns: bool
) -> Callable[[SSL.Connection, X509, int, int, int], bool]:
    """OpenSSL's per-certificate verdict, plus the host name check on the
    leaf; the first refusal aborts the handshake with its reason."""
    service: ServiceID = DNS_ID(hostname) if is_dns else IPAddress_ID(hostname)
    failed = False

    def fail(reason: TlsReason, detail: str) -> bool:
        nonlocal failed
        if not failed:
            failed = True
            tls_protocol.failVerification(Failure(CertificateInvalid(reason, detail)))
        return False

    def callback(conn: SSL.Connection, cert: X509, err: int, depth: int, ok: int) -> bool:
        if failed:
            return False
        if not ok:
            return fail(reason_of_verify_error(err), f"X509 error {err} at depth {depth}")
        if depth != 0:
            return True
        try:
            verify_service_identity(extract_patterns(cert), [service], [])
        except VerificationError as exc:
            return fail(TlsReason.HOSTNAME_MISMATCH, str(exc)[:200])
        except Exception as exc:  # no subjectAltName at all, or garbage in it
            return fail(TlsReason.HOSTNAME_MISMATCH, f"{type(exc).__name__}: {exc}"[:200])
        return True

    return callback


class _VerifyingClientTLSOptions(ClientTLSOptions):
    """Twisted's client options (SNI, IDNA host name) with our verify
    callback in place of Twisted's, which reports only the host name check."""

    def clientConnectionForTLS(self, tlsProtocol: Any) -> SSL.Connection:
        connection = super().clientConnectionForTLS(tlsProtocol)
        connection.set_verify(
            SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT,
            _verify_callback(tlsProtocol, self._hostnameASCII, self._hostnameIsDnsName),
        )
        return connection


class VerifyingContextFactory(_ScrapyClientContextFactory):
    """Scrapy's context factory (TLS versions, ciphers, legacy renegotiation
    for old government servers) that verifies certificates."""

    def __init__(self, *args: Any, ca_bundle: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ca_bundle = ca_bundle
        self._trust = _TrustStore(ca_bundle)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        bundle = crawler.settings.get(CA_BUNDLE_SETTING) or None
        if bundle is not None and not Path(bundle).is_file():
            # Validated in the config already; this catches a setting made
            # some other way, before every https fetch fails obscurely.
            raise ValueError(f"{CA_BUNDLE_SETTING}: {bundle} is not a file")
        return super().from_crawler(crawler, *args, ca_bundle=bundle, **kwargs)

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        name = hostname.decode("ascii")
        # zope's @implementer is invisible to mypy: _TrustStore is an
        # IOpenSSLTrustRoot at run time.
        trust: Any = self._trust
        options = _ScrapyCertificateOptions(trustRoot=trust, **self._get_cert_options_kwargs())
        return _VerifyingClientTLSOptions(options._makeTLSConnection, name)
