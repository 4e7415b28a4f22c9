"""Signed statements (xAPI-Data.md §2.6): JWS compact serialization with RS256/384/512 and x5c."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from trellis.lrs.models import Statement
from trellis.lrs.tests.test_statements_attachments import BOUNDARY, multipart
from trellis.lrs.tests.test_statements_support import (
    URL,
    lrs_fixture,  # noqa: F401
    statement,
)

pytestmark = pytest.mark.django_db

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


@pytest.fixture(scope="module")
def key_and_cert():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign(payload: dict, key, cert, alg: str = "RS256", with_x5c: bool = True) -> bytes:
    header = {"alg": alg}
    if with_x5c:
        header["x5c"] = [base64.b64encode(cert.public_bytes(Encoding.DER)).decode()]
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    algorithm = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}.get(
        alg, hashes.SHA256()
    )
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), algorithm)
    return f"{signing_input}.{b64url(signature)}".encode()


def post_signed(lrs, signed: dict, jws: bytes):
    sha2 = hashlib.sha256(jws).hexdigest()
    body = {
        **signed,
        "attachments": [
            {
                "usageType": SIGNATURE,
                "display": {"en-US": "Signature"},
                "contentType": "application/octet-stream",
                "length": len(jws),
                "sha2": sha2,
            }
        ],
    }
    part = (
        {
            "Content-Type": "application/octet-stream",
            "Content-Transfer-Encoding": "binary",
            "X-Experience-API-Hash": sha2,
        },
        jws,
    )
    return lrs.raw("POST", URL, multipart(body, [part]), f'multipart/mixed; boundary="{BOUNDARY}"')


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_well_signed_statement_is_stored(lrs, key_and_cert, alg):
    key, cert = key_and_cert
    signed = statement()
    response = post_signed(lrs, signed, sign(signed, key, cert, alg))
    assert response.status_code == 200, response.content
    assert Statement.objects.count() == 1


def test_signature_without_x5c_is_checked_for_payload_only(lrs, key_and_cert):
    key, cert = key_and_cert
    signed = statement()
    assert post_signed(lrs, signed, sign(signed, key, cert, with_x5c=False)).status_code == 200


def test_payload_differing_from_statement_is_400(lrs, key_and_cert):
    key, cert = key_and_cert
    jws = sign(statement(verb="http://example.com/verbs/other"), key, cert)
    response = post_signed(lrs, statement(), jws)
    assert response.status_code == 400
    assert response.json()["property"] == "attachments[0]"
    assert Statement.objects.count() == 0


def test_signature_not_matching_certificate_is_400(lrs, key_and_cert):
    _key, cert = key_and_cert
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signed = statement()
    response = post_signed(lrs, signed, sign(signed, other_key, cert))
    assert response.status_code == 400
    assert "does not verify" in response.json()["error"]
    assert Statement.objects.count() == 0


def test_wrong_algorithm_or_malformed_jws_is_400(lrs, key_and_cert):
    key, cert = key_and_cert
    signed = statement()
    assert post_signed(lrs, signed, sign(signed, key, cert, alg="HS256")).status_code == 400
    assert post_signed(lrs, signed, b"not-a-jws").status_code == 400
    assert Statement.objects.count() == 0
