"""Signed statements (xAPI-Data.md §2.6): a JWS (compact serialization, RS256/RS384/RS512) carried as
an attachment with the signature usageType. The LRS decodes it, checks that its payload is the
statement (logically equivalent), and, when the header has an ``x5c`` chain, verifies the signature
with the first certificate. Anything else is a 400 naming the attachment.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from trellis.lrs.xapi.compare import statements_equivalent
from trellis.lrs.xapi.errors import XapiValidationError

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


def _b64url(value: str, *, path: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise XapiValidationError(path, f"the JWS {what} is not base64url") from None


def without_signatures(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement as it was before its signature attachment(s) were added."""
    unsigned = copy.copy(statement)
    kept = [
        a
        for a in statement.get("attachments") or []
        if not (isinstance(a, dict) and a.get("usageType") == SIGNATURE_USAGE)
    ]
    if kept:
        unsigned["attachments"] = kept
    else:
        unsigned.pop("attachments", None)
    return unsigned


def verify_signature(statement: dict[str, Any], jws: bytes, *, path: str) -> None:
    """Raise XapiValidationError(path) unless ``jws`` is a well-formed signature of ``statement``."""
    try:
        compact = jws.decode("ascii").strip()
    except UnicodeDecodeError:
        raise XapiValidationError(
            path, "the signature must be a JWS compact serialization"
        ) from None
    pieces = compact.split(".")
    if len(pieces) != 3 or not all(pieces):
        raise XapiValidationError(
            path, "the signature must be a JWS compact serialization (header.payload.signature)"
        )
    header_b64, payload_b64, signature_b64 = pieces
    try:
        header = json.loads(_b64url(header_b64, path=path, what="header"))
        payload = json.loads(_b64url(payload_b64, path=path, what="payload"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise XapiValidationError(path, "the JWS header and payload must be JSON") from None
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise XapiValidationError(path, "the JWS algorithm (alg) must be RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise XapiValidationError(path, "the JWS payload must be a statement (a JSON object)")
    if not statements_equivalent(payload, without_signatures(statement)):
        raise XapiValidationError(
            path, "the JWS payload is not the statement it signs (they differ)"
        )
    chain = header.get("x5c")
    if chain is None:
        return
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise XapiValidationError(path, "the JWS x5c header must be a list of certificates")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (binascii.Error, ValueError):
        raise XapiValidationError(path, "the first x5c certificate cannot be read") from None
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise XapiValidationError(path, "the x5c certificate must hold an RSA key")
    signature = _b64url(signature_b64, path=path, what="signature")
    try:
        public_key.verify(
            signature,
            f"{header_b64}.{payload_b64}".encode("ascii"),
            padding.PKCS1v15(),
            ALGORITHMS[header["alg"]](),
        )
    except InvalidSignature:
        raise XapiValidationError(
            path, "the JWS signature does not verify with its x5c certificate"
        ) from None
