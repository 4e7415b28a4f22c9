"""Attachments in multipart/mixed (xAPI-Communication.md §1.5.2, xAPI-Data.md §2.4.11)."""

from __future__ import annotations

import hashlib
import json

import pytest

from trellis.lrs.models import AttachmentContent, Statement
from trellis.lrs.multipart import parse_multipart
from trellis.lrs.tests.test_statements_support import (
    URL,
    lrs_fixture,  # noqa: F401
    new_id,
    statement,
)

pytestmark = pytest.mark.django_db

BOUNDARY = "abcABC0123'()+_,-./:=?"
CONTENT = b"here is a simple attachment\r\n--not-the-boundary\x00\xff"
SHA = hashlib.sha256(CONTENT).hexdigest()


def attachment(sha2: str = SHA, **extra) -> dict:
    return {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "application/octet-stream",
        "length": len(CONTENT),
        "sha2": sha2,
        **extra,
    }


def multipart(body, parts: list[tuple[dict[str, str], bytes]]) -> bytes:
    chunks = [
        f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode()
        + json.dumps(body).encode()
    ]
    for headers, content in parts:
        head = "".join(f"{k}:{v}\r\n" for k, v in headers.items())
        chunks.append(f"--{BOUNDARY}\r\n{head}\r\n".encode() + content)
    return b"\r\n".join(chunks) + f"\r\n--{BOUNDARY}--".encode()


def part(content: bytes = CONTENT, sha2: str = SHA) -> tuple[dict[str, str], bytes]:
    return (
        {
            "Content-Type": "application/octet-stream",
            "Content-Transfer-Encoding": "binary",
            "X-Experience-API-Hash": sha2,
        },
        content,
    )


def post_multipart(lrs, body, parts, path=URL, method="POST"):
    return lrs.raw(method, path, multipart(body, parts), f'multipart/mixed; boundary="{BOUNDARY}"')


def test_post_with_attachment_stores_the_payload_once(lrs):
    response = post_multipart(
        lrs,
        [statement(attachments=[attachment()]), statement(attachments=[attachment()])],
        [part()],
    )
    assert response.status_code == 200, response.content
    stored = AttachmentContent.objects.get()
    assert stored.sha2 == SHA and bytes(stored.content) == CONTENT and stored.length == len(CONTENT)
    assert list(Statement.objects.values_list("has_attachments", flat=True)) == [True, True]
    again = post_multipart(lrs, statement(attachments=[attachment()]), [part()])
    assert again.status_code == 200
    assert AttachmentContent.objects.count() == 1


def test_put_with_attachment(lrs):
    statement_id = new_id()
    response = post_multipart(
        lrs,
        statement(attachments=[attachment()]),
        [part()],
        path=f"{URL}?statementId={statement_id}",
        method="PUT",
    )
    assert response.status_code == 204
    assert AttachmentContent.objects.get().sha2 == SHA


def test_attachment_without_part_or_file_url_is_400(lrs):
    response = post_multipart(lrs, statement(attachments=[attachment()]), [])
    assert response.status_code == 400
    assert response.json()["property"] == "attachments[0].sha2"
    json_response = lrs.post(statement(attachments=[attachment()]))
    assert json_response.status_code == 400
    assert Statement.objects.count() == 0 and AttachmentContent.objects.count() == 0


def test_attachment_with_file_url_needs_no_part(lrs):
    body = statement(attachments=[attachment(fileUrl="http://example.com/cert.pdf")])
    assert lrs.post(body).status_code == 200
    assert post_multipart(lrs, body, []).status_code == 200


def test_part_matching_no_attachment_is_400(lrs):
    response = post_multipart(lrs, statement(), [part()])
    assert response.status_code == 400
    assert Statement.objects.count() == 0 and AttachmentContent.objects.count() == 0


def test_part_whose_content_does_not_match_its_hash_is_400(lrs):
    response = post_multipart(lrs, statement(attachments=[attachment()]), [part(content=b"other")])
    assert response.status_code == 400
    assert Statement.objects.count() == 0


def test_part_without_hash_header_or_binary_encoding_is_400(lrs):
    headers, content = part()
    no_hash = {k: v for k, v in headers.items() if k != "X-Experience-API-Hash"}
    assert (
        post_multipart(lrs, statement(attachments=[attachment()]), [(no_hash, content)]).status_code
        == 400
    )
    base64_encoded = {**headers, "Content-Transfer-Encoding": "base64"}
    assert (
        post_multipart(
            lrs, statement(attachments=[attachment()]), [(base64_encoded, content)]
        ).status_code
        == 400
    )
    assert Statement.objects.count() == 0


def test_multipart_without_attachments_is_accepted(lrs):
    assert post_multipart(lrs, [statement(), statement()], []).status_code == 200
    assert Statement.objects.count() == 2


def test_get_with_attachments_true_returns_multipart_with_the_payload(lrs):
    statement_id = post_multipart(lrs, statement(attachments=[attachment()]), [part()]).json()[0]
    response = lrs.get({"statementId": statement_id, "attachments": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("multipart/mixed; boundary=")
    parts = parse_multipart(response.content, response["Content-Type"])
    assert [p.content_type for p in parts] == ["application/json", "application/octet-stream"]
    assert json.loads(parts[0].body)["id"] == statement_id
    assert parts[1].headers["x-experience-api-hash"] == SHA
    assert parts[1].headers["content-transfer-encoding"] == "binary"
    assert parts[1].body == CONTENT
    query = lrs.get({"attachments": "true"})
    query_parts = parse_multipart(query.content, query["Content-Type"])
    assert [s["id"] for s in json.loads(query_parts[0].body)["statements"]] == [statement_id]
    assert query_parts[1].body == CONTENT


def test_get_with_attachments_false_is_json(lrs):
    statement_id = post_multipart(lrs, statement(attachments=[attachment()]), [part()]).json()[0]
    response = lrs.get({"statementId": statement_id, "attachments": "false"})
    assert response["Content-Type"] == "application/json"
    assert response.json()["attachments"][0]["sha2"] == SHA


def test_parser_keeps_bytes_and_reads_quoted_boundary():
    body = multipart({"a": 1}, [part()])
    parts = parse_multipart(body, f'multipart/mixed; boundary="{BOUNDARY}"')
    assert len(parts) == 2 and parts[1].body == CONTENT
    assert parts[1].headers["content-transfer-encoding"] == "binary"
