"""Whisper's text decoder in numpy, one token at a time with its cache kept.

CTranslate2 exposes no decoder state: every `generate` call decodes a forced prefix from its
first token again (about 7.5 ms per position on two cores), so walking the grammar's token trie
through it (audio/grammar_search.py) costs the square of the answer's length, 0.3-1.6 s. This
decoder keeps each prefix's keys and values, so a step of the walk decodes only the tokens the
step adds: a few milliseconds, most of it the projection onto the vocabulary.

It reads the decoder's weights from the same checksummed `model.bin` CTranslate2 loads (the
format of `ctranslate2.specs.model_spec`) and computes in float32, where CTranslate2 computes in
int8: log probabilities differ by a few hundredths per token (`tests/test_whisper_decoder.py`
compares them). Callers that gate on a score take the final score from CTranslate2.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .bounds import log_softmax

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
"""CTranslate2's type ids (include/ctranslate2/types.h), those a Whisper model.bin holds."""
_LN_EPSILON = 1e-5

CrossAttention = Callable[[np.ndarray], np.ndarray]
"""One layer's attention of the decoder's new positions (queries) over the audio."""


def read_decoder(model_bin: Path) -> dict[str, np.ndarray]:
    """The `decoder/...` variables of a CTranslate2 model.bin, as float32 arrays. The encoder's,
    most of the file, are skipped unread. ValueError for a file that is not one."""
    try:
        with open(model_bin, "rb") as file:
            return _read_decoder(file)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{model_bin} is not a CTranslate2 model: {exc}") from None


def _read_decoder(file: BinaryIO) -> dict[str, np.ndarray]:
    def take(fmt: str) -> Any:
        (value,) = struct.unpack(fmt, file.read(struct.calcsize(fmt)))
        return value

    def text() -> str:
        return file.read(take("H"))[:-1].decode()

    version = take("I")
    if version < 5:
        raise ValueError(f"format {version} is too old")
    text()  # spec name
    take("I")  # spec revision
    out: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = text()
        shape = [take("I") for _ in range(take("B"))]
        dtype = _DTYPES.get(take("B"))
        size = take("I")
        if name.startswith("decoder/") and dtype is not None and dtype != np.int8:
            raw = np.frombuffer(file.read(size), dtype=dtype)
            out[name] = raw.reshape(shape).astype(np.float32)
        else:
            file.seek(size, 1)
    for _ in range(take("I")):
        alias, target = text(), text()
        if target in out:
            out[alias] = out[target]
    return out


@dataclass
class Prefix:
    """A decoded prefix: every layer's keys and values, and its last positions' states."""

    keys: list[np.ndarray]
    """Per layer, (positions, width)."""
    values: list[np.ndarray]
    hidden: np.ndarray
    """The decoder's output at the positions this prefix added to its base, (new, width)."""
    base: Prefix | None
    """The prefix it extends."""
    rows: np.ndarray | None = None
    """Log probabilities over the vocabulary at each of those positions (of the token after
    it); filled by `WhisperDecoder.project`, for many prefixes in one product."""


class WhisperDecoder:
    """Incremental decoding of one model's text decoder; weights shared, state per utterance."""

    def __init__(self, model_bin: Path):
        weights = read_decoder(model_bin)
        self.w = weights
        self.heads = int(weights.get("decoder/num_heads", np.array(6)).reshape(-1)[0])
        self.layers = sum(1 for k in weights if k.endswith("/self_attention/linear_0/weight"))
        missing = [name for name in self._needed() if name not in weights]
        if missing:
            # Weights quantized at conversion (int8) are not read: CTranslate2 decodes those.
            raise ValueError(f"{model_bin} has no float {missing[0]}")
        self.embedding = weights["decoder/embeddings/weight"]
        self.positions = weights["decoder/position_encodings/encodings"]

    def _needed(self) -> list[str]:
        """Every weight `extend` reads."""
        linears = ["self_attention/linear_0", "self_attention/linear_1", "ffn/linear_0"]
        linears += [
            "ffn/linear_1",
            "attention/linear_0",
            "attention/linear_1",
            "attention/linear_2",
        ]
        norms = ["self_attention", "attention", "ffn"]
        names = ["decoder/embeddings/weight", "decoder/position_encodings/encodings"]
        names.append("decoder/layer_norm/gamma")
        for layer in range(self.layers):
            names += [f"decoder/layer_{layer}/{part}/weight" for part in linears]
            names += [f"decoder/layer_{layer}/{part}/layer_norm/gamma" for part in norms]
        return names

    def cross(self, encoded: np.ndarray) -> list[CrossAttention]:
        """Per layer, attention over the audio (`encoded`: (frames, width)) with its keys and
        values computed once: for a walk that decodes many prefixes over the same audio."""
        width = self.embedding.shape[1]
        out: list[CrossAttention] = []
        for layer in range(self.layers):
            kv = self._linear(encoded, f"decoder/layer_{layer}/attention/linear_1")
            keys, values = kv[:, :width], kv[:, width:]

            def attend(q: np.ndarray, k: np.ndarray = keys, v: np.ndarray = values) -> np.ndarray:
                return self._attend(q, k, v, causal_from=None)

            out.append(attend)
        return out

    def light_cross(self, encoded: np.ndarray) -> list[CrossAttention]:
        """The same attention as `cross`, for a few queries only: each head's query is taken
        into the audio's space (q Wk) instead of every frame into the keys' (E Wk), and the
        weighted audio through Wv after the sum, so nothing of size frames x width is made
        (about 40 ms for `cross`, under 1 ms here). The keys' bias adds the same to every
        score of a query and the values' bias the same to every output (the weights sum to
        one), so both are added once."""
        heads = self.heads
        width = self.embedding.shape[1]
        size = width // heads
        out: list[CrossAttention] = []
        for layer in range(self.layers):
            name = f"decoder/layer_{layer}/attention/linear_1"
            weight = self.w[f"{name}/weight"]
            bias = self.w.get(f"{name}/bias")
            to_keys, to_values = weight[:width], weight[width:]
            value_bias = bias[width:] if bias is not None else None

            def attend(
                q: np.ndarray,
                wk: np.ndarray = to_keys,
                wv: np.ndarray = to_values,
                bv: np.ndarray | None = value_bias,
            ) -> np.ndarray:
                n = q.shape[0]
                qh = q.reshape(n, heads, size).transpose(1, 0, 2)
                in_audio = (qh @ wk.reshape(heads, size, width)).reshape(heads * n, width)
                scores = (in_audio @ encoded.T) * (size**-0.5)  # one product for all heads
                scores -= scores.max(axis=-1, keepdims=True)
                weights = np.exp(scores)
                weights /= weights.sum(axis=-1, keepdims=True)
                heard = (weights @ encoded).reshape(heads, n, width)
                result = heard @ wv.reshape(heads, size, width).transpose(0, 2, 1)
                merged = result.transpose(1, 0, 2).reshape(n, width)
                return np.asarray(merged + bv if bv is not None else merged)

            out.append(attend)
        return out

    def extend(self, cross: list[CrossAttention], base: Prefix | None, tokens: list[int]) -> Prefix:
        """`base` (None: nothing yet) followed by `tokens`, decoded in one pass."""
        start = 0 if base is None else base.keys[0].shape[0]
        x = self.embedding[tokens] + self.positions[start : start + len(tokens)]
        keys, values = [], []
        for layer in range(self.layers):
            name = f"decoder/layer_{layer}"
            h = self._norm(x, f"{name}/self_attention/layer_norm")
            q, k, v = np.split(self._linear(h, f"{name}/self_attention/linear_0"), 3, axis=1)
            if base is not None:
                k = np.concatenate([base.keys[layer], k])
                v = np.concatenate([base.values[layer], v])
            keys.append(k)
            values.append(v)
            attended = self._attend(q, k, v, causal_from=start)
            x = x + self._linear(attended, f"{name}/self_attention/linear_1")
            h = self._norm(x, f"{name}/attention/layer_norm")
            q = self._linear(h, f"{name}/attention/linear_0")
            attended = cross[layer](q)
            x = x + self._linear(attended, f"{name}/attention/linear_2")
            h = self._norm(x, f"{name}/ffn/layer_norm")
            h = _gelu(self._linear(h, f"{name}/ffn/linear_0"))
            x = x + self._linear(h, f"{name}/ffn/linear_1")
        x = self._norm(x, "decoder/layer_norm")
        assert x.dtype == np.float32  # a float64 here would copy the vocabulary's weights
        return Prefix(keys, values, x, base)

    def project(self, prefixes: list[Prefix]) -> None:
        """Fill each prefix's `rows`. One product for all: it reads the whole vocabulary's
        weights (80 MB), which costs the same for one row as for a few."""
        todo = [p for p in prefixes if p.rows is None]
        if not todo:
            return
        rows = log_softmax(np.concatenate([p.hidden for p in todo]) @ self.embedding.T)
        start = 0
        for p in todo:
            p.rows = rows[start : start + len(p.hidden)]
            start += len(p.hidden)

    def _attend(
        self, q: np.ndarray, k: np.ndarray, v: np.ndarray, causal_from: int | None
    ) -> np.ndarray:
        """Multi-head attention of `q` (new positions) over `k`, `v`; with `causal_from`, new
        position i (absolute `causal_from + i`) sees only keys up to itself."""
        heads = self.heads
        n, width = q.shape
        size = width // heads
        qh = q.reshape(n, heads, size).transpose(1, 0, 2)
        kh = k.reshape(-1, heads, size).transpose(1, 2, 0)
        vh = v.reshape(-1, heads, size).transpose(1, 0, 2)
        scores = (qh @ kh) * (size**-0.5)  # a Python float keeps float32
        if causal_from is not None and n > 1:
            seen = np.arange(k.shape[0])[None, :] <= (causal_from + np.arange(n))[:, None]
            scores = np.where(seen[None], scores, -np.inf)
        scores -= scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(axis=-1, keepdims=True)
        return np.asarray((weights @ vh).transpose(1, 0, 2).reshape(n, width))

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        out = x @ self.w[f"{name}/weight"].T
        bias = self.w.get(f"{name}/bias")
        return np.asarray(out + bias if bias is not None else out)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / np.sqrt(var + _LN_EPSILON)
        return np.asarray(normed * self.w[f"{name}/gamma"] + self.w[f"{name}/beta"])


def _gelu(x: np.ndarray) -> np.ndarray:
    """Whisper's exact (erf) GELU."""
    from scipy.special import erf

    return np.asarray(0.5 * x * (1.0 + erf(x * 0.5**0.5)))


class DecoderWalk:
    """The prefixes of one utterance's transcript decoded so far, each kept for the prefixes
    that extend it (a beam search asks for a prefix plus a token or a few, step after step)."""

    def __init__(self, decoder: WhisperDecoder, encoded: np.ndarray, prompt: list[int]):
        """`encoded`: the encoder's output for the utterance, (frames, width)."""
        self._decoder = decoder
        self._cross = decoder.cross(encoded)
        self._prompt = len(prompt)
        self._known: dict[tuple[int, ...], Prefix] = {(): decoder.extend(self._cross, None, prompt)}

    def continuations(
        self, prefixes: list[list[int]], scored_from: list[int]
    ) -> list[tuple[float, np.ndarray]]:
        """As `WhisperModel.continuations`: for each prefix, the log probability of its tokens
        from `scored_from` on, and the log probabilities of every token that may come next."""
        decoded = [self._decoded(tuple(p)) for p in prefixes]
        chains = [_chain(d) for d in decoded]
        self._decoder.project([p for chain in chains for p in chain])
        out = []
        for prefix, start, chain in zip(prefixes, scored_from, chains, strict=True):
            # Token i of the prefix is read at the row of the position before it.
            first = self._prompt - 1
            cost = sum(_row(chain, first + i)[prefix[i]] for i in range(start, len(prefix)))
            out.append((float(cost), _row(chain, -1)))
        return out

    def _decoded(self, prefix: tuple[int, ...]) -> Prefix:
        known = self._known.get(prefix)
        if known is not None:
            return known
        cut = len(prefix) - 1
        while prefix[:cut] not in self._known:
            cut -= 1
        decoded = self._decoder.extend(self._cross, self._known[prefix[:cut]], list(prefix[cut:]))
        self._known[prefix] = decoded
        return decoded


def _chain(prefix: Prefix) -> list[Prefix]:
    """`prefix` and the prefixes it extends, the first first."""
    chain = []
    node: Prefix | None = prefix
    while node is not None:
        chain.append(node)
        node = node.base
    return chain[::-1]


def _row(chain: list[Prefix], position: int) -> np.ndarray:
    """The log probabilities after `position` of the text `chain` decoded (-1: its last)."""
    if position < 0:
        rows = chain[-1].rows
        assert rows is not None
        return rows[-1]
    for prefix in chain:
        assert prefix.rows is not None
        if position < len(prefix.rows):
            return prefix.rows[position]
        position -= len(prefix.rows)
    raise IndexError(position)
