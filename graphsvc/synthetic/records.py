"""The building blocks of the synthetic register: a true human, one agency's record of them,
and the writer's state and primitives (ids, person records, incidents, orders).

Split from :mod:`graphsvc.synthetic.generator`, which composes these into offender cases.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from dataclasses import dataclass, field
from typing import IO, Any

from graphsvc.synthetic import identifiers as ids
from graphsvc.synthetic import names
from graphsvc.synthetic import params as P

__all__ = ["RecordMaker"]

AS_OF = P.AS_OF.toordinal()
EARLIEST = P.EARLIEST.toordinal()
FIRST_LATEST = P.FIRST_START_LATEST.toordinal()
PHASE_TABLES = (P.REMOTE_TYPES, P.PRESENCE_TYPES, P.HARM_TYPES)
PHASE_MIX = tuple(dict(enumerate(mix)) for mix in P.PHASE_MIX)
PHYSICAL = frozenset(("surveillance", "following", "loitering", "visit", "damage"))
DESCRIPTIONS = {
    "call": "Repeated unwanted phone calls to the victim, some at night.",
    "text": "Unwanted text messages asking where the victim is and who they are with.",
    "email": "Unwanted emails to the victim's personal address.",
    "social_media": "Messages and comments on the victim's social media after being blocked.",
    "letter": "Letter left for the victim at home.",
    "gift": "Unwanted gift left on the victim's doorstep.",
    "visit": "Attended the victim's home uninvited and refused to leave.",
    "following": "Followed the victim from work to the bus stop.",
    "loitering": "Seen waiting outside the victim's home and workplace.",
    "surveillance": "Appeared to know the victim's movements; vehicle seen parked nearby.",
    "damage": "Damage to the victim's car and front door.",
    "threat": "Threatened to hurt the victim if they did not reply.",
    "assault": "Pushed the victim against a wall outside their home.",
    "breach": "Contacted the victim in breach of the order.",
}
CONDITIONS = (
    "Not to contact the protected person directly or indirectly, including through social "
    "media or third parties. Not to attend the protected person's home or workplace."
)


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


CUMULATIVE: dict[int, tuple[tuple[Any, ...], list[float]]] = {}


def weighted(rng: random.Random, table: dict[Any, float]) -> Any:
    """One key of ``table`` drawn by its weight (cumulative weights cached per table)."""
    entry = CUMULATIVE.get(id(table))
    if entry is None:
        entry = CUMULATIVE[id(table)] = (tuple(table), list(itertools.accumulate(table.values())))
    return rng.choices(entry[0], cum_weights=entry[1])[0]


@dataclass(slots=True)
class Rec:
    """One person record: the id an agency gave a human, and the noise applied to it."""

    id: str
    source: str
    noise: list[str]
    payload: dict[str, Any]


@dataclass(slots=True)
class Human:
    """A true human being and everything the truth file says about them."""

    num: int
    entity_id: str
    gender: str
    given: str
    family: str
    dob: int
    force: str
    phones: list[tuple[str, str]]
    emails: list[str]
    handles: list[tuple[str, str]]
    vehicles: list[str]
    address: dict[str, str]
    aliases: list[str]
    records: dict[tuple[str, int], Rec] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)
    incident_ids: list[str] = field(default_factory=list)
    unidentified_ids: list[str] = field(default_factory=list)
    victimised_ids: list[str] = field(default_factory=list)
    victims: dict[str, None] = field(default_factory=dict)
    primary_victims: dict[str, None] = field(default_factory=dict)
    third_parties: dict[str, None] = field(default_factory=dict)
    victim_person_ids: dict[str, None] = field(default_factory=dict)
    offenders: dict[str, None] = field(default_factory=dict)
    respondent_orders: list[str] = field(default_factory=list)
    protected_orders: list[str] = field(default_factory=list)
    breach_ids: list[str] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    burners: dict[str, list[Any]] = field(default_factory=dict)
    namesake_group: str | None = None
    namesakes: list[str] = field(default_factory=list)
    profile: str | None = None



class RecordMaker:
    """The writer's state (the random generator, the output files, counters, the phone pool, the
    chunk under way) and the primitives that mint ids and make records."""

    def __init__(self, seed: int, records: IO[str], truth: IO[str]) -> None:
        self.rng = random.Random(seed)  # nosec B311: synthetic data, reproducible by seed
        self.records = records
        self.truth = truth
        self.pool = ids.PhonePool(self.rng)
        self.n_person = 1000
        self.n_incident = 1000
        self.n_order = 1000
        self.n_entity = 0
        self.n_tag = 0
        self.n_namesake = 0
        self.n_check = 0
        self.counts: dict[str, int] = dict.fromkeys(
            ("person_records", "incidents", "orders", "humans", "offenders", "victims",
             "serial_offenders", "concurrent_offenders", "unidentified_incidents",
             "breach_incidents", "expired_orders", "checks", "namesake_groups",
             "humans_with_several_records"), 0)
        self._chunk_humans: list[Human] = []
        self._chunk_records: list[Rec] = []
        self._events: list[tuple[int, int, int, dict[str, Any]]] = []
        self._checks: list[dict[str, Any]] = []


    # -- people ----------------------------------------------------------------------------
    def _tag(self) -> str:
        self.n_tag += 1
        return ids.base36(self.n_tag * 7 + 11)

    def _human(self, gender: str, born_before: int, age: tuple[int, int], force: str,
               kind: str, family: str | None = None) -> Human:
        rng = self.rng
        self.n_entity += 1
        given = rng.choice(names.MALE if gender == "male" else names.FEMALE)
        family = family or rng.choice(names.FAMILY)
        years = rng.randint(*age)
        dob = born_before - int(years * 365.25) - rng.randrange(365)
        dob = max(dob, dt.date(1930, 1, 1).toordinal())
        towns, areas, plate_letters = P.FORCES[force][1:] if force in P.FORCES else P.FORCES["MPS"][1:]
        tag = self._tag()
        g_key, f_key = given.lower(), family.lower().replace("'", "")
        phones = [self.pool.take()]
        if rng.random() < P.SECOND_PHONE:
            phones.append(self.pool.take())
        emails = [f"{g_key}.{f_key}.{tag}@{rng.choice(('example.com', 'example.org', 'example.net'))}"] \
            if rng.random() < P.HAS_EMAIL[kind] else []
        handles = []
        n_handles = weighted(rng, P.HANDLE_COUNT_WEIGHTS)
        for platform in rng.sample(P.PLATFORMS, n_handles):
            handles.append((platform, f"{g_key[:5]}{f_key[:6]}_{tag}"))
        vehicles = [ids.vehicle(rng, plate_letters)] if rng.random() < P.HAS_VEHICLE[kind] else []
        address = {"line1": ids.street_line(rng), "town": rng.choice(towns),
                   "postcode": ids.postcode(rng, rng.choice(areas))}
        aliases: list[str] = []
        if kind == "offender" and rng.random() < P.HAS_ALIAS:
            nick = names.NICKNAMES.get(given)
            aliases.append(f"{rng.choice(nick)} {family}" if nick else f"{given} {rng.choice(names.FAMILY)}")
        human = Human(self.n_entity, f"H-{self.n_entity:07d}", gender, given, family, dob, force,
                       phones, emails, handles, vehicles, address, aliases)
        self._chunk_humans.append(human)
        return human

    def _record(self, human: Human, force: str, dup: int = 0) -> str:
        """The id of the person record ``force`` holds for ``human`` (made on first use)."""
        key = (force, dup)
        rec = human.records.get(key)
        if rec is None:
            rec = self._make_record(human, force, primary=not human.records)
            human.records[key] = rec
            self._chunk_records.append(rec)
        return rec.id

    def _make_record(self, h: Human, force: str, primary: bool, rng: random.Random | None = None,
                     rid: str | None = None) -> Rec:
        """A person record of ``h`` by ``force``; ``rng`` and ``rid`` for the register's records,
        drawn apart from the rest (:mod:`graphsvc.synthetic.register`)."""
        if rng is None:
            rng = self.rng
        if rid is None:
            self.n_person += 1
            rid = f"{force}-P-{self.n_person}"
        table = P.NOISE_PRIMARY if primary else P.NOISE_DUPLICATE
        noise = [name for name, rate in table.items() if rng.random() < rate]
        given, family = h.given, h.family
        if "nickname" in noise:
            if h.given in names.NICKNAMES:
                given = rng.choice(names.NICKNAMES[h.given])
            else:
                noise.remove("nickname")
        if "typo_given" in noise and "nickname" not in noise:
            given = ids.typo(rng, given)
        elif "typo_given" in noise:
            noise.remove("typo_given")
        if "typo_family" in noise:
            family = ids.typo(rng, family)
        if rng.random() < P.FAMILY_UPPER:
            family = family.upper()
        rec: dict[str, Any] = {"kind": "person", "id": rid, "source": force,
                               "given_name": given, "family_name": family}
        if not h.aliases and "aliases_missing" in noise:
            noise.remove("aliases_missing")
        elif h.aliases and "aliases_missing" not in noise:
            rec["aliases"] = list(h.aliases)
        dob = dt.date.fromordinal(h.dob)
        if "dob_swapped" in noise:
            if dob.day <= 12 and dob.day != dob.month and "dob_missing" not in noise:
                dob = dt.date(dob.year, dob.day, dob.month)
            else:
                noise.remove("dob_swapped")
        if "dob_missing" not in noise:
            rec["dob"] = dob.isoformat()
        if "gender_missing" not in noise:
            rec["gender"] = h.gender
        phones = h.phones
        if "phones_missing" in noise:
            phones = []
            if "phones_partial" in noise:
                noise.remove("phones_partial")
        elif "phones_partial" in noise:
            if len(phones) > 1:
                phones = [rng.choice(phones)]
            else:
                noise.remove("phones_partial")
        if phones:
            rec["phones"] = [ids.format_phone(p, rng.randrange(5)) for p in phones]
        for tag, present in (("emails_missing", h.emails), ("handles_missing", h.handles),
                             ("vehicles_missing", h.vehicles)):
            if tag in noise and not present:
                noise.remove(tag)  # nothing to lose
        if h.emails and "emails_missing" not in noise:
            rec["emails"] = [e if rng.random() < 0.8 else e.title() for e in h.emails]
        if h.handles and "handles_missing" not in noise:
            rec["handles"] = [{"platform": p, "handle": ("@" + v) if rng.random() < 0.3 else v}
                              for p, v in h.handles]
        if h.vehicles and "vehicles_missing" not in noise:
            rec["vehicles"] = [ids.format_vehicle(v, rng.randrange(3)) for v in h.vehicles]
        if "addresses_missing" not in noise:
            addr = dict(h.address)
            if rng.random() < 0.2:
                addr["postcode"] = addr["postcode"].replace(" ", "").lower()
            rec["addresses"] = [addr]
        return Rec(rid, force, noise, rec)

    # -- events ----------------------------------------------------------------------------
    def _incident(self, force: str, day: int, minute: int, itype: str, offender_ids: list[str],
                  victim_ids: list[str], used: dict[str, list[Any]], reported: int,
                  outcome: str) -> dict[str, Any]:
        self.n_incident += 1
        occurred = dt.date.fromordinal(day).isoformat()
        if self.rng.random() >= P.DATE_ONLY_RATE:
            occurred += f"T{minute // 60:02d}:{minute % 60:02d}:00"
        rec: dict[str, Any] = {
            "kind": "incident", "id": f"{force}-I-{self.n_incident}", "source": force,
            "occurred_at": occurred, "reported_at": dt.date.fromordinal(reported).isoformat(),
            "type": itype, "offender_ids": offender_ids, "victim_ids": victim_ids,
        }
        if used:
            rec["identifiers_used"] = used
        rec["outcome"] = outcome
        rec["description"] = DESCRIPTIONS[itype]
        self._events.append((day, minute, len(self._events), rec))
        return rec

    def _order(self, force: str, otype: str, issued: int, respondent: str,
               protected: list[str]) -> dict[str, Any] | None:
        rng = self.rng
        if issued > AS_OF:
            return None
        self.n_order += 1
        share_open, lo, hi = P.ORDER_EXPIRY[otype]
        expires = None if rng.random() < share_open else issued + rng.randint(lo, hi)
        source = P.COURT_SOURCE if rng.random() < P.ORDER_FROM_COURT else force
        rec = {"kind": "order", "id": f"{source}-O-{self.n_order}", "source": source,
               "type": otype, "issued_on": dt.date.fromordinal(issued).isoformat(),
               "expires_on": None if expires is None else dt.date.fromordinal(expires).isoformat(),
               "respondent_id": respondent, "protected_ids": protected, "conditions": CONDITIONS}
        if expires is not None and expires < AS_OF:
            self.counts["expired_orders"] += 1
        self._events.append((issued, -1, len(self._events), rec))
        return rec
