"""``round(x, places)`` and its ``repr`` for a whole array of probabilities at once,
exactly as Python computes and writes them (what the output of ``score`` shows).

Per number, ``round`` and ``repr`` each cost a correctly rounded decimal conversion
(dtoa), most of the time spent writing a batch. Here ``k = rint(x * 10**places)`` is
computed with numpy: it is the integer of the correctly rounded decimal, except where
``x * 10**places`` lies within its rounding error of a half, which is checked, and
those few go through ``round``. ``k / 10**places`` is then the float ``round`` gives
(one correctly rounded division), and as a decimal of ``places`` digits is the shortest
that reads back as that float, its ``repr`` is those digits without trailing zeros
(exponent form below 1e-4), written from two small tables.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["round_array"]


def round_array(values: np.ndarray, places: int) -> tuple[np.ndarray, list[str]]:
    """``round(x, places)`` of each value of a float array (an array of the same shape)
    and the ``repr`` of each (a flat list). Values outside [0, 1], NaN and ``places``
    outside 1-8 take the plain way."""
    values = np.asarray(values, dtype=np.float64)
    x = values.ravel()
    if not 1 <= places <= 8 or not len(x) or not ((x >= 0.0) & (x <= 1.0)).all():
        rounded = [round(v, places) for v in x.tolist()]
        return np.array(rounded).reshape(values.shape), list(map(repr, rounded))
    scale = 10**places
    scaled = x * float(scale)
    k = np.rint(scaled)
    # The product is off by at most half an ulp of 10**places (< 1e-8 for 8 places).
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-7
    floats = k / float(scale)
    texts = _texts(k.astype(np.int64), places)
    for i in np.flatnonzero(near).tolist():
        floats[i] = round(float(x[i]), places)
        texts[i] = repr(float(floats[i]))
    return floats.reshape(values.shape), texts


def _texts(k: np.ndarray, places: int) -> list[str]:
    """``repr(k / 10**places)`` of each integer 0 <= k <= 10**places."""
    high, bare, low, small = _tables(places)
    split = 10 ** (places // 2)
    one = k == 10**places  # 1.0, past the tables
    below = np.where(one, 0, k)
    h, lo = np.divmod(below, split)
    # Object arrays: the strings are picked and joined in C, not in a Python loop.
    out = np.where(lo == 0, bare[h], high[h]) + low[lo]
    tiny = k < len(small)  # below 1e-4 (and 0): 1.2e-05
    if tiny.any():
        out[tiny] = small[k[tiny]]
    if one.any():
        out[one] = "1.0"
    return out.tolist()


@lru_cache(maxsize=8)
def _tables(places: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For ``k = h * 10**(places // 2) + lo``: the text of ``h`` with every digit, the
    text of ``h * 10**(places // 2)`` alone, the digits of ``lo`` without trailing
    zeros, and ``repr(k / 10**places)`` of each ``k`` below 1e-4 (object arrays)."""
    low_digits = places // 2
    high_digits = places - low_digits
    high = ["0." + f"{h:0{high_digits}d}" for h in range(10**high_digits)]
    bare = [t.rstrip("0") + ("0" if t.rstrip("0").endswith(".") else "") for t in high]
    low = [f"{lo:0{low_digits}d}".rstrip("0") for lo in range(10**low_digits)]
    small = [repr(k / 10**places) for k in range(10 ** max(places - 4, 0))]
    return tuple(np.array(t, dtype=object) for t in (high, bare, low, small))  # type: ignore[return-value]
