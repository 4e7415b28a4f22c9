"""``multipart/mixed`` bodies of the Statement resource (xAPI-Communication.md §1.5.2, RFC 2046).

Parsing keeps every part's bytes intact (attachments are matched by the SHA-2 of their raw data);
headers are read with the standard library's ``email`` header parser.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser

from trellis.lrs.xapi.errors import XapiError


@dataclass(frozen=True)
class Part:
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def boundary_of(content_type: str) -> str:
    """The ``boundary`` parameter of a multipart Content-Type header (quoted or not)."""
    message = Message()
    message["Content-Type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise XapiError("Content-Type: multipart/mixed needs a boundary parameter.")
    return boundary


def _part(raw: bytes, index: int) -> Part:
    if raw.startswith(b"\r\n"):
        header_bytes, body = b"", raw[2:]
    elif raw.startswith(b"\n"):
        header_bytes, body = b"", raw[1:]
    else:
        crlf, lf = raw.find(b"\r\n\r\n"), raw.find(b"\n\n")
        if crlf != -1 and (lf == -1 or crlf <= lf):
            header_bytes, body = raw[:crlf], raw[crlf + 4 :]
        elif lf != -1:
            header_bytes, body = raw[:lf], raw[lf + 2 :]
        else:
            raise XapiError(f"multipart part {index}: no blank line after its headers.")
    parsed = BytesHeaderParser().parsebytes(header_bytes + b"\r\n\r\n")
    headers = {name.lower(): str(value).strip() for name, value in parsed.items()}
    return Part(headers=headers, body=body)


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """The parts of a ``multipart/mixed`` body, in order. Raises XapiError(400) when malformed."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    position = body.find(delimiter)
    if position == -1 or (position > 0 and body[position - 1 : position] != b"\n"):
        raise XapiError("multipart/mixed: the body does not start with the boundary.")
    parts: list[Part] = []
    while True:
        start = position + len(delimiter)
        if body[start : start + 2] == b"--":
            break
        end_of_line = body.find(b"\n", start)
        if end_of_line == -1:
            raise XapiError("multipart/mixed: the body ends inside a boundary line.")
        start = end_of_line + 1
        following = body.find(b"\n" + delimiter, start - 1)
        if following == -1:
            raise XapiError("multipart/mixed: the closing boundary is missing.")
        end = following
        if end > start - 1 and body[end - 1 : end] == b"\r":
            end -= 1
        parts.append(_part(body[start:end] if end >= start else b"", len(parts)))
        position = following + 1
    if not parts:
        raise XapiError("multipart/mixed: the body has no parts.")
    return parts


def build_multipart(parts: list[tuple[dict[str, str], bytes]]) -> tuple[str, bytes]:
    """(Content-Type header value, body) of a multipart/mixed message of ``(headers, body)`` parts."""
    boundary = "xapi-" + secrets.token_hex(16)
    chunks: list[bytes] = []
    for headers, content in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        chunks.append(f"--{boundary}\r\n{head}\r\n".encode("latin-1") + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("latin-1"))
    return f'multipart/mixed; boundary="{boundary}"', b"".join(chunks)
