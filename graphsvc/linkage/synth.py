"""A quick noisy synthetic person register with known truth (tests, benchmarks, the default model).

Every value is invented: names from small made-up syllable tables, phone numbers from Ofcom's
drama range (+447700900000-+447700900999, extended with +4477009xxxxx-style fakes), example.org
emails. Each true person yields one or more records with realistic noise: typos, nicknames as
aliases, day/month transposed dates of birth, missing fields, a changed phone. Households share a
family name, a phone and a postcode, so the link rule has something to refuse.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["generate_persons"]

_GIVEN_M = ("adam alan alfie arlo barry callum conor darren dean declan ellis euan finn gavin "
            "glen harvey ivor jamie jared kieran lewis liam logan mason milo neil nolan owen "
            "reece rhys robin rory ryan scott shane stuart tobias troy wade warren wyatt zane").split()
_GIVEN_F = ("abbie aisha alana amber bethan briony carys ciara daisy delia eden elin erin esme "
            "faye freya gemma hollie imogen isla jade kayla keira lacey leah maisie megan mia "
            "nadia niamh orla paige poppy rhian rosa sadie tamsin tegan willa yasmin zara").split()
_NICK = {"barry": "baz", "darren": "daz", "jamie": "jay", "kieran": "kez", "stuart": "stu",
         "tobias": "toby", "callum": "cal", "declan": "dec", "abbie": "abs", "imogen": "immy",
         "yasmin": "yaz", "gemma": "gem", "megan": "meg", "rosa": "ro", "hollie": "holly"}
_SYL_A = ("ash bar bel black brad brook cal carr dal dun el fair fen gar grey hal har hol kel "
          "lang lin mar mor nor oak pen rad red rush sal shaw stan thorn tre wal wes whit win "
          "wood yar").split()
_SYL_B = ("by comb croft dale den don field ford gate grove ham hurst ley low mere more ridge "
          "son stead ston ter thwaite ton well wick worth").split()
_PLATFORMS = ("instagram", "x", "tiktok", "snapchat", "facebook")
_AREAS = ("B", "CV", "DY", "WS", "WV", "LS", "M", "NE", "S", "NG", "LE", "BS")


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.4:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op < 0.7:
        return s[:i] + s[i + 1:]
    return s[:i] + rng.choice("aeioulnrst") + s[i + 1:]


def _person(rng: random.Random, n: int, family: str | None = None,
            phone: str | None = None, postcode: str | None = None) -> dict[str, Any]:
    gender = rng.choice(("male", "female"))
    given = rng.choice(_GIVEN_M if gender == "male" else _GIVEN_F)
    fam = family or (rng.choice(_SYL_A) + rng.choice(_SYL_B))
    y = rng.randint(1950, 2006)
    dob = f"{y:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    phones = [phone] if phone else []
    if rng.random() < 0.8:
        phones.append(f"+4477009{n % 100000:05d}{rng.randint(0, 9)}"[:13])
    emails = [f"{given}.{fam}{n}@example.org"] if rng.random() < 0.6 else []
    handles = [f"{rng.choice(_PLATFORMS)}:{given}{fam[:3]}{n}"] if rng.random() < 0.5 else []
    vehicles = [f"{rng.choice('ABCDEFGHJKLMNOPRSTUVWXY')}{rng.choice('ABCDEFGHJKLMNOPRSTUVWXY')}"
                f"{rng.randint(10, 75)}{''.join(rng.choice('ABCDEFGHJKLMNOPRSTUVWXYZ') for _ in range(3))}"
                ] if rng.random() < 0.3 else []
    pc = postcode or f"{rng.choice(_AREAS)}{rng.randint(1, 30)}{rng.randint(1, 9)}" \
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    return {"given_name": given, "family_name": fam, "aliases": [], "dob": dob, "gender": gender,
            "phones": phones, "emails": emails, "handles": handles, "vehicles": vehicles,
            "postcodes": [pc]}


def _noisy(rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    r: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in base.items()}
    if rng.random() < 0.15:
        r["given_name"] = _typo(rng, r["given_name"])
    if rng.random() < 0.15:
        r["family_name"] = _typo(rng, r["family_name"])
    nick = _NICK.get(base["given_name"])
    if nick and rng.random() < 0.3:
        r["aliases"] = [nick]
        if rng.random() < 0.5:
            r["given_name"] = nick
    if rng.random() < 0.08:
        y, m, d = r["dob"].split("-")
        if int(d) <= 12:
            r["dob"] = f"{y}-{d}-{m}"
    elif rng.random() < 0.05:
        if rng.random() < 0.5:
            i = rng.choice((2, 3, 9))
            r["dob"] = r["dob"][:i] + str(rng.randint(0, 9)) + r["dob"][i + 1:]
        else:
            r["dob"] = None
    for f in ("phones", "emails", "handles", "vehicles"):
        if r[f] and rng.random() < 0.35:
            r[f] = r[f][:-1]
    if rng.random() < 0.15:
        r["phones"] = r["phones"] + [f"+4477009{rng.randint(0, 99999):05d}"]
    if rng.random() < 0.15:  # moved house
        r["postcodes"] = [f"{rng.choice(_AREAS)}{rng.randint(1, 30)}{rng.randint(1, 9)}XY"]
    if r["emails"] and rng.random() < 0.15:
        r["emails"] = [f"{r['family_name']}{rng.randint(1, 99)}@example.net"]
    if rng.random() < 0.05:
        r["family_name"] = rng.choice(_SYL_A) + rng.choice(_SYL_B)  # married, new name
    if rng.random() < 0.1:
        r["given_name"] = None
    if rng.random() < 0.1:
        r["gender"] = None
    return r


def generate_persons(
    people: int, *, seed: int = 0, duplicate_rate: float = 0.5, household_rate: float = 0.1,
    sources: tuple[str, ...] = ("WMP", "GMP", "MET"),
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Generate a noisy register.

    Parameters
    ----------
    people : int
        True persons (records are about ``people * (1 + duplicate_rate)``).
    seed : int
        Random seed (the same seed gives the same register).
    duplicate_rate : float
        Mean extra records per person (geometric).
    household_rate : float
        Share of persons given a household member (same family name, phone and postcode).
    sources : tuple of str
        Agency codes to draw record sources from.

    Returns
    -------
    (records, truth)
        Normalised person records, and ``{record id: person key}``.
    """
    if people < 1:
        raise ValueError("people must be positive")
    if not 0 <= duplicate_rate < 5 or not 0 <= household_rate <= 1:
        raise ValueError("duplicate_rate must be in [0, 5) and household_rate in [0, 1]")
    rng = random.Random(seed)  # nosec B311: synthetic test data, reproducible by seed
    bases: list[dict[str, Any]] = []
    n = 0
    while len(bases) < people:
        b = _person(rng, n)
        bases.append(b)
        n += 1
        if rng.random() < household_rate and len(bases) < people and b["phones"]:
            bases.append(_person(rng, n, b["family_name"], b["phones"][0], b["postcodes"][0]))
            n += 1
    p_more = duplicate_rate / (1 + duplicate_rate)
    records: list[dict[str, Any]] = []
    truth: dict[str, str] = {}
    for i, b in enumerate(bases):
        copies = 1
        while rng.random() < p_more:
            copies += 1
        for c in range(copies):
            r = dict(b) if c == 0 else _noisy(rng, b)
            rid = f"SYN-P-{i}-{c}"
            r["id"] = rid
            r["source"] = rng.choice(sources)
            records.append(r)
            truth[rid] = f"person-{i}"
    rng.shuffle(records)
    return records, truth
