"""Never-real identifiers: Ofcom drama phone numbers (then the unopened 04 range), example.*
emails, UK-format plates.

Everything here is a pure function of a :class:`random.Random` (or a counter), so the
register stays deterministic for a seed.
"""

from __future__ import annotations

import random

__all__ = [
    "PhonePool",
    "format_phone",
    "e164",
    "vehicle",
    "format_vehicle",
    "postcode",
    "street_line",
    "base36",
    "typo",
]

# Ofcom's numbers reserved for TV, radio and film (never allocated to subscribers):
# (area code, local prefix, number of digits after the prefix, separator in the local part).
_DRAMA_RANGES: tuple[tuple[str, str, int], ...] = (
    ("07700", "900", 3),
    ("01632", "960", 3),
    ("020", "7946 0", 3),
    ("0113", "496 0", 3),
    ("0114", "496 0", 3),
    ("0115", "496 0", 3),
    ("0116", "496 0", 3),
    ("0117", "496 0", 3),
    ("0118", "496 0", 3),
    ("0121", "496 0", 3),
    ("0131", "496 0", 3),
    ("0141", "496 0", 3),
    ("0151", "496 0", 3),
    ("0161", "496 0", 3),
    ("0191", "498 0", 3),
    ("028", "9649 6", 3),
    ("029", "2018 0", 3),
)
_STRIDE = 7919  # a prime that shares no factor with the pool size (17,000 = 2^3 * 5^3 * 17)

# Beyond the drama numbers: the UK's 04 range, which Ofcom's numbering plan keeps unopened (no
# number in it is allocated), written 0400 NNN NNNN. libphonenumber calls these *possible* (right
# length) but not *valid*, and the loader keeps possible numbers, so they load like any other.
_RESERVE_AREA = "0400"
_RESERVE_SIZE = 10**7
_RESERVE_STRIDE = 1_000_003  # a prime: no factor in common with 10^7


class PhonePool:
    """Never-real phone numbers, each issued once, in a seed-dependent order.

    First the 17,000 drama numbers: the k-th is ``pool[(offset + k * stride) % 17000]``. Then
    (registers above ~13k people) the 10,000,000 numbers 0400 000 0000 - 0400 999 9999 in the
    same kind of permutation, so no two people share a number by accident until 10,017,000
    numbers have been issued; after that the sequence starts over (``exhausted``).
    """

    def __init__(self, rng: random.Random) -> None:
        self.numbers: list[tuple[str, str]] = [
            (area, f"{prefix}{n:0{digits}d}")
            for area, prefix, digits in _DRAMA_RANGES
            for n in range(10**digits)
        ]
        self.drama = len(self.numbers)
        self.size = self.drama + _RESERVE_SIZE
        self.offset = rng.randrange(self.drama)
        # from the same draw: registers that never reach the reserve stay exactly as they were
        self.reserve_offset = (self.offset * _RESERVE_STRIDE) % _RESERVE_SIZE
        self.issued = 0

    def take(self) -> tuple[str, str]:
        """The next number as ``(area code, local part)``."""
        k = self.issued % self.size
        self.issued += 1
        if k < self.drama:
            return self.numbers[(self.offset + k * _STRIDE) % self.drama]
        n = (self.reserve_offset + (k - self.drama) * _RESERVE_STRIDE) % _RESERVE_SIZE
        return _RESERVE_AREA, f"{n // 10**4:03d} {n % 10**4:04d}"

    @property
    def exhausted(self) -> bool:
        """True once some number has been issued twice."""
        return self.issued > self.size


def format_phone(number: tuple[str, str], style: int) -> str:
    """One of the notations agencies use: national, compact, +44 spaced/compact, bracketed."""
    area, local = number
    if style == 0:
        return f"{area} {local}"
    if style == 1:
        return f"{area}{local}".replace(" ", "")
    if style == 2:
        return f"+44 {area[1:]} {local}"
    if style == 3:
        return f"+44{area[1:]}{local}".replace(" ", "")
    return f"({area}) {local}"


def e164(number: tuple[str, str]) -> str:
    """The stored form (contract: E.164, default region GB)."""
    area, local = number
    return f"+44{area[1:]}{local}".replace(" ", "")


_PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
_PLATE_AREA2 = "ABCDEFGHJKLMNOPRSTUVWXY"
_AGE_IDS = tuple(f"{y:02d}" for y in range(2, 26)) + tuple(f"{y:02d}" for y in range(52, 76))


def vehicle(rng: random.Random, area_letters: str) -> str:
    """A current-format UK registration, stored form (``AB12CDE``)."""
    return (
        rng.choice(area_letters)
        + rng.choice(_PLATE_AREA2)
        + rng.choice(_AGE_IDS)
        + "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
    )


def format_vehicle(stored: str, style: int) -> str:
    """``AB12 CDE`` (style 0), ``AB12CDE`` (1) or lower case ``ab12 cde`` (2)."""
    if style == 0:
        return f"{stored[:4]} {stored[4:]}"
    if style == 1:
        return stored
    return f"{stored[:4]} {stored[4:]}".lower()


_INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def postcode(rng: random.Random, area: str) -> str:
    """A plausible postcode in an area, stored form (``LS6 2QT``)."""
    district = rng.randint(1, 28 if len(area) == 1 else 20)
    return f"{area}{district} {rng.randint(1, 9)}{rng.choice(_INWARD)}{rng.choice(_INWARD)}"


_STREETS = (
    "Church", "Station", "Victoria", "Park", "Mill", "High", "Queen's", "King's", "Albert",
    "York", "Grange", "Manor", "Chapel", "School", "Green", "Oak", "Elm", "Cedar", "Willow",
    "Meadow", "Orchard", "Brook", "Hawthorn", "Windsor", "Beech",
)
_STREET_KINDS = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Gardens")


def street_line(rng: random.Random) -> str:
    """``12 Church Lane``."""
    return f"{rng.randint(1, 220)} {rng.choice(_STREETS)} {rng.choice(_STREET_KINDS)}"


_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    """Compact unique tag for emails and handles."""
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _B36[r] + out
        if n == 0:
            return out


def typo(rng: random.Random, name: str) -> str:
    """One keyboard slip: a substitution, a swap of neighbours, a dropped or doubled letter.

    The first letter is kept (clerks rarely mistype it); the result always differs.
    """
    if len(name) < 3:
        return name + name[-1]
    for _ in range(8):
        i = rng.randint(1, len(name) - 1)
        op = rng.randrange(4)
        if op == 0:
            out = name[:i] + rng.choice("aeiouylnrst") + name[i + 1:]
        elif op == 1 and i < len(name) - 1:
            out = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        elif op == 2 and len(name) > 3:
            out = name[:i] + name[i + 1:]
        else:
            out = name[:i] + name[i] + name[i:]
        if out != name:
            return out
    return name + name[-1]
