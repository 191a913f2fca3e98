"""Fault injection: error answers, dropped connections, lost answers, latency and 429 bursts.

Spec syntax (the command line's ``--faults``): comma-separated ``key=value`` pairs, any order,
each key at most once, e.g. ``error=0.2,drop=0.1,lost=0.05,latency=0.01,burst429=0.02,seed=7``.

    error=P             probability of a 500 or 503 answer (chosen at random), data unchanged
    drop=P              probability that the connection is reset before any answer, data unchanged
    lost=P              probability, for PUT/POST only, that the change is made and then the
                        connection is reset with no answer (the write happened, the answer was lost)
    latency=S           seconds added before every answer
    burst429=P          probability that a request starts a burst of 429 answers
    burst429_length=N   how many consecutive requests a burst answers with 429 (default 5)
    burst429_at=N       the N-th request to reach the faults (from 1) starts a burst, whatever
                        the probabilities: a 429 at a known moment
    seed=N              random seed, for reproducible runs

Probabilities are in [0, 1]; the empty spec means no faults. A 429 of a burst, and a 503,
carry ``Retry-After: 1``.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from enum import Enum


@dataclass
class Faults:
    """Fault settings; mutable, and read afresh for every request."""

    error_rate: float = 0
    drop_rate: float = 0
    lost_rate: float = 0
    latency: float = 0
    burst429_rate: float = 0
    burst429_length: int = 5
    burst429_at: int | None = None
    seed: int | None = None


_SPEC_KEYS = {
    "error": "error_rate",
    "drop": "drop_rate",
    "lost": "lost_rate",
    "latency": "latency",
    "burst429": "burst429_rate",
    "burst429_length": "burst429_length",
    "burst429_at": "burst429_at",
    "seed": "seed",
}
_RATES = {"error_rate", "drop_rate", "lost_rate", "burst429_rate"}


def parse_faults(spec: str) -> Faults:
    """Parse a ``--faults`` spec; ``ValueError`` naming the offending part."""
    faults = Faults()
    seen: set[str] = set()
    for part in (piece.strip() for piece in spec.split(",")):
        if not part:
            continue
        key, sep, raw = (text.strip() for text in part.partition("="))
        if not sep or not raw:
            raise ValueError(f"fault spec part {part!r} is not key=value")
        if key not in _SPEC_KEYS:
            known = ", ".join(_SPEC_KEYS)
            raise ValueError(f"unknown fault {key!r} (known: {known})")
        if key in seen:
            raise ValueError(f"fault {key!r} is given more than once")
        seen.add(key)
        setattr(faults, _SPEC_KEYS[key], _parse_value(_SPEC_KEYS[key], key, raw))
    return faults


def _parse_value(attribute: str, key: str, raw: str) -> float | int:
    if attribute in ("seed", "burst429_length", "burst429_at"):
        try:
            number = int(raw)
        except ValueError:
            raise ValueError(f"fault {key}={raw!r}: expected a whole number") from None
        if attribute == "burst429_length" and number < 1:
            raise ValueError(f"fault {key}={raw!r}: a burst is at least 1 request long")
        if attribute == "burst429_at" and number < 1:
            raise ValueError(f"fault {key}={raw!r}: requests are counted from 1, at least 1")
        return number
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"fault {key}={raw!r}: expected a number") from None
    if not math.isfinite(value) or value < 0 or (attribute in _RATES and value > 1):
        bound = "between 0 and 1" if attribute in _RATES else "0 or more seconds"
        raise ValueError(f"fault {key}={raw!r}: expected {bound}")
    return value


class Fault(Enum):
    """What to do with a request instead of answering it normally."""

    BURST_429 = "burst429"
    DROP = "drop"
    ERROR_500 = "error500"
    ERROR_503 = "error503"


class FaultInjector:
    """Draws the faults for each request from one seeded random generator."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self.faults = faults

    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._reseed()

    def _reseed(self) -> None:
        self._seeded_with = (id(self._faults), self._faults.seed)
        self._random = random.Random(self._faults.seed)
        self._burst_left = 0
        self._counted = 0

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    def before(self) -> Fault | None:
        """The fault to answer this request with, if any, before the request is handled."""
        with self._lock:
            faults = self._faults
            if self._seeded_with != (id(faults), faults.seed):
                self._reseed()
            self._counted += 1
            if self._burst_left > 0:
                self._burst_left -= 1
                return Fault.BURST_429
            if self._counted == faults.burst429_at or self._roll(faults.burst429_rate):
                self._burst_left = max(1, faults.burst429_length) - 1
                return Fault.BURST_429
            if self._roll(faults.drop_rate):
                return Fault.DROP
            if self._roll(faults.error_rate):
                return self._random.choice((Fault.ERROR_500, Fault.ERROR_503))
            return None

    def lose_answer(self) -> bool:
        """Whether the answer to a write that has just been made is lost."""
        with self._lock:
            return self._roll(self._faults.lost_rate)

    @property
    def latency(self) -> float:
        return max(0.0, float(self._faults.latency))
