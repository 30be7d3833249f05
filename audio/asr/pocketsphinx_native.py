"""pocketsphinx's search called without the GIL.

The Cython binding holds the GIL through `process_raw`, the whole search: a 7 s clip stopped
every other thread of the process for 0.7 s on an idle machine, and a bot's event loop stood
still while a thread decoded (over a second with both cores busy). ctypes releases the GIL
around a foreign call, so the same C function called through it lets the loop run.

The decoder's C pointer is read from the binding's object, laid out as in the pinned release
(`LAID_OUT_AS`): the version and both objects' sizes are checked before the pointer is read,
and the pointer must give back, through `ps_get_config`, the configuration the binding itself
holds. Where a check fails, `native` is None and the binding's own call is used."""

from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

LAID_OUT_AS = "5.1.1"
"""The pocketsphinx release whose objects' layout the offsets below describe (pyproject pins it)."""
_HEAD = ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)
"""A Python object's header: reference count and type."""
_POINTER = ctypes.sizeof(ctypes.c_void_p)
_DECODER_PS = _HEAD
"""`Decoder._ps` (pocketsphinx 5.1: `ps_decoder_t *_ps` is its first field)."""
_CONFIG_PS = _HEAD + _POINTER
"""`Config.config` (after the vtable pointer: the class has a C method)."""


@dataclass(frozen=True)
class Native:
    """The C functions of one decoder; the decoder object must outlive each call."""

    decoder: Any
    """The binding's decoder: held here so its C state is not freed while this is used."""
    ps: int
    """Its `ps_decoder_t *`."""
    lib: ctypes.CDLL

    def process_raw(self, pcm: bytes, full_utt: bool) -> None:
        """`Decoder.process_raw(pcm, full_utt=...)`, the GIL released while it searches."""
        samples = len(pcm) // 2
        if self.lib.ps_process_raw(self.ps, pcm, samples, 0, int(full_utt)) < 0:
            raise RuntimeError(f"pocketsphinx failed to process {samples} samples")

    def end_utt(self) -> None:
        """`Decoder.end_utt()`, the GIL released (it finishes the search)."""
        if self.lib.ps_end_utt(self.ps) < 0:
            raise RuntimeError("pocketsphinx failed to end the utterance")


def _library() -> ctypes.CDLL | None:
    try:
        from importlib.metadata import version

        from pocketsphinx import Config, Decoder, _pocketsphinx

        sizes = {Config.__basicsize__, Decoder.__basicsize__}
        if version("pocketsphinx") != LAID_OUT_AS or sizes != {_CONFIG_PS + _POINTER}:
            log.warning("pocketsphinx is not %s: decoding holds the GIL", LAID_OUT_AS)
            return None

        lib = ctypes.CDLL(_pocketsphinx.__file__)
        lib.ps_get_config.restype = ctypes.c_void_p
        lib.ps_get_config.argtypes = [ctypes.c_void_p]
        lib.ps_process_raw.restype = ctypes.c_int
        lib.ps_process_raw.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.ps_end_utt.restype = ctypes.c_int
        lib.ps_end_utt.argtypes = [ctypes.c_void_p]
        return lib
    except (ImportError, OSError, AttributeError, ValueError) as exc:
        log.warning(
            "pocketsphinx's C functions are not reachable (%s): decoding holds the GIL", exc
        )
        return None


_LIB = _library()


def native(decoder: Any) -> Native | None:
    """`decoder`'s C functions, or None where its layout is not the one checked for."""
    if _LIB is None:
        return None
    ps = ctypes.c_void_p.from_address(id(decoder) + _DECODER_PS).value
    config = decoder.config
    held = ctypes.c_void_p.from_address(id(config) + _CONFIG_PS).value
    if not ps or not held or _LIB.ps_get_config(ps) != held:
        log.warning("pocketsphinx's decoder is not laid out as expected: decoding holds the GIL")
        return None
    return Native(decoder, ps, _LIB)
