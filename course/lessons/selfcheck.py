"""Self-checks for the lessons' exercises: they say right or wrong, never the answer.

An answer is turned into a canonical text (numbers rounded, tensors turned into lists) and only
a fingerprint (SHA-256) of that text is stored in the notebook, so reading a notebook's source
does not give the answer away. Nothing here needs torch or minigrad: tensors are read through
their ``tolist()`` method, which both engines have.
"""
from __future__ import annotations

import hashlib
import json
import math

__all__ = ["check", "fingerprint"]

_SALT = "minigrad-course"


def _canonical(value, decimals: int):
    if hasattr(value, "tolist"):  # tensors of either engine, NumPy arrays and scalars
        value = value.tolist()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        number = round(float(value), decimals)
        if math.isnan(number):
            return "nan"
        return number + 0.0  # turns -0.0 into 0.0
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, (list, tuple)):
        return [_canonical(item, decimals) for item in value]
    raise TypeError(f"cannot check a value of type {type(value).__name__}; "
                    "give a number, a string, a list or a tensor")


def fingerprint(value, decimals: int = 3) -> str:
    """The stored form of an answer: 16 hex digits of SHA-256 of its canonical text."""
    text = json.dumps(_canonical(value, decimals))
    return hashlib.sha256(f"{_SALT}|{decimals}|{text}".encode()).hexdigest()[:16]


def check(label: str, answer, expected: str, hint: str, decimals: int = 3) -> None:
    """Print whether ``answer`` is right; on a wrong answer print ``hint`` too.

    ``expected`` is the fingerprint of the right answer; numbers are compared after rounding to
    ``decimals`` places, so float32 and float64 answers both count.
    """
    if answer is None or answer is Ellipsis:
        print(f"{label}: not answered yet. Replace the ... above with your answer and run both cells.")
        return
    try:
        right = fingerprint(answer, decimals) == expected
    except TypeError as error:
        print(f"{label}: wrong. {error}.")
        return
    print(f"{label}: right." if right else f"{label}: wrong. Hint: {hint}")
