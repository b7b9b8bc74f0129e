"""The synthetic register: offender groups generated one at a time and written as they go.

A *chunk* is one offender case (the offender, every victim of theirs, third parties, and the
person records every agency made of them), or, for namesakes, two cases whose people share a
name. Nothing outlives its chunk except counters and the phone pool, so memory stays flat
however many people are asked for. See docs/synthetic.md for the model and every rate.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
from dataclasses import dataclass, field
from typing import IO, Any

from graphsvc.synthetic import identifiers as ids
from graphsvc.synthetic import names
from graphsvc.synthetic import params as P

__all__ = ["RegisterWriter"]

_AS_OF = P.AS_OF.toordinal()
_EARLIEST = P.EARLIEST.toordinal()
_FIRST_LATEST = P.FIRST_START_LATEST.toordinal()
_PHASE_TABLES = (P.REMOTE_TYPES, P.PRESENCE_TYPES, P.HARM_TYPES)
_PHASE_MIX = tuple(dict(enumerate(mix)) for mix in P.PHASE_MIX)
_PHYSICAL = frozenset(("surveillance", "following", "loitering", "visit", "damage"))
_DESCRIPTIONS = {
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
_CONDITIONS = (
    "Not to contact the protected person directly or indirectly, including through social "
    "media or third parties. Not to attend the protected person's home or workplace."
)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


_CUMULATIVE: dict[int, tuple[tuple[Any, ...], list[float]]] = {}


def _weighted(rng: random.Random, table: dict[Any, float]) -> Any:
    """One key of ``table`` drawn by its weight (cumulative weights cached per table)."""
    entry = _CUMULATIVE.get(id(table))
    if entry is None:
        entry = _CUMULATIVE[id(table)] = (tuple(table), list(itertools.accumulate(table.values())))
    return rng.choices(entry[0], cum_weights=entry[1])[0]


@dataclass(slots=True)
class _Rec:
    """One person record: the id an agency gave a human, and the noise applied to it."""

    id: str
    source: str
    noise: list[str]
    payload: dict[str, Any]


@dataclass(slots=True)
class _Human:
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
    records: dict[tuple[str, int], _Rec] = field(default_factory=dict)
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


class RegisterWriter:
    """Generates chunks and writes records and truth lines to two open text files."""

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
        self._chunk_humans: list[_Human] = []
        self._chunk_records: list[_Rec] = []
        self._events: list[tuple[int, int, int, dict[str, Any]]] = []
        self._checks: list[dict[str, Any]] = []

    # -- the run ---------------------------------------------------------------------------
    def chunk(self) -> int:
        """Generate and write one chunk; return how many person records it wrote."""
        rng = self.rng
        first = self._case()
        if rng.random() < P.NAMESAKE_RATE:
            self._case(namesake_of=first)
        for human in self._chunk_humans:
            if "offender" in human.roles and human.records and rng.random() < P.CHECK_PROBE_RATE:
                self._probe(human)
        if rng.random() < P.NEGATIVE_PROBE_RATE:
            self._negative_probe()
        return self._flush()

    def _flush(self) -> int:
        write = self.records.write
        held = self._chunk_records[0] if len(self._chunk_records) > 1 \
            and self.rng.random() < P.FORWARD_REFERENCE else None
        for rec in self._chunk_records:
            if rec is not held:
                write(_dumps(rec.payload) + "\n")
        self._events.sort(key=lambda e: (e[0], e[1], e[2]))
        for _, _, _, event in self._events:
            write(_dumps(event) + "\n")
            self.counts["incidents" if event["kind"] == "incident" else "orders"] += 1
        if held is not None:
            write(_dumps(held.payload) + "\n")
        written = len(self._chunk_records)
        self.counts["person_records"] += written
        twrite = self.truth.write
        for human in self._chunk_humans:
            twrite(_dumps(self._truth_line(human)) + "\n")
        for check in self._checks:
            twrite(_dumps(check) + "\n")
        self._chunk_humans, self._chunk_records, self._events, self._checks = [], [], [], []
        return written

    def _truth_line(self, h: _Human) -> dict[str, Any]:
        c = self.counts
        c["humans"] += 1
        c["offenders"] += "offender" in h.roles
        c["victims"] += "victim" in h.roles
        c["unidentified_incidents"] += len(h.unidentified_ids)
        c["humans_with_several_records"] += len(h.records) > 1
        spans = sorted((cp["first"], cp["last"]) for cp in h.campaigns)
        concurrent = any(spans[i + 1][0] <= spans[i][1] for i in range(len(spans) - 1))
        serial = len(h.victims) >= 2
        c["serial_offenders"] += serial
        c["concurrent_offenders"] += concurrent
        pattern = ("none" if not h.campaigns else "single" if len(h.primary_victims) < 2
                   else "concurrent" if concurrent else "sequential")
        burners = h.burners
        return {
            "kind": "entity", "entity_id": h.entity_id, "roles": sorted(h.roles),
            "name": {"given_name": h.given, "family_name": h.family}, "aliases": h.aliases,
            "dob": dt.date.fromordinal(h.dob).isoformat(), "gender": h.gender,
            "home_force": h.force, "profile": h.profile,
            "identifiers": _identifiers(h.phones, h.emails, h.handles, h.vehicles),
            "address": h.address,
            "burner_identifiers": _identifiers(burners.get("phones", []), burners.get("emails", []),
                                               burners.get("handles", []), []) if burners else None,
            "person_ids": [r.id for r in h.records.values()],
            "person_records": [{"id": r.id, "source": r.source, "noise": r.noise}
                               for r in h.records.values()],
            "incident_ids": h.incident_ids, "unidentified_incident_ids": h.unidentified_ids,
            "breach_incident_ids": h.breach_ids, "respondent_order_ids": h.respondent_orders,
            "victim_entity_ids": list(h.victims),
            "primary_victim_entity_ids": list(h.primary_victims),
            "third_party_victim_entity_ids": list(h.third_parties),
            "victim_person_ids": list(h.victim_person_ids),
            "serial": serial, "concurrent": concurrent, "pattern": pattern,
            "campaigns": h.campaigns,
            "offender_entity_ids": list(h.offenders), "victimised_incident_ids": h.victimised_ids,
            "protected_order_ids": h.protected_orders,
            "namesake_group": h.namesake_group, "namesake_entity_ids": h.namesakes,
        }

    def _probe(self, h: _Human) -> None:
        """A complainant's description of their stalker, as an intake check would receive it."""
        rng = self.rng
        subject: dict[str, Any] = {}
        noise: list[str] = []
        if rng.random() < 0.9:
            given = h.given
            if h.given in names.NICKNAMES and rng.random() < 0.4:
                given = rng.choice(names.NICKNAMES[h.given])
                noise.append("nickname")
            elif rng.random() < 0.1:
                given = ids.typo(rng, given)
                noise.append("typo_given")
            subject["given_name"] = given
        if rng.random() < 0.75:
            family = h.family
            if rng.random() < 0.1:
                family = ids.typo(rng, family)
                noise.append("typo_family")
            subject["family_name"] = family
        if rng.random() < 0.2:
            subject["dob"] = dt.date.fromordinal(h.dob).isoformat()
        if rng.random() < 0.5:
            subject["phones"] = [ids.format_phone(rng.choice(h.phones), rng.randrange(5))]
        if h.handles and rng.random() < 0.3:
            platform, handle = rng.choice(h.handles)
            subject["handles"] = [{"platform": platform, "handle": handle}]
        if h.vehicles and rng.random() < 0.3:
            subject["vehicles"] = [ids.format_vehicle(h.vehicles[0], rng.randrange(3))]
        if h.emails and rng.random() < 0.2:
            subject["emails"] = [h.emails[0]]
        if not subject:
            subject["family_name"] = h.family
        self.n_check += 1
        self.counts["checks"] += 1
        self._checks.append({
            "kind": "check", "check_id": f"C-{self.n_check}", "subject": subject,
            "complainant_id": next(iter(h.victim_person_ids), None),
            "expected_entity_id": h.entity_id, "expected_person_ids": [r.id for r in h.records.values()],
            "noise": noise,
        })

    def _negative_probe(self) -> None:
        """A description of nobody in the register (a common name, fresh dob and handle)."""
        rng = self.rng
        gender = rng.choice(("male", "female"))
        day = rng.randint(dt.date(1960, 1, 1).toordinal(), dt.date(2005, 12, 31).toordinal())
        self.n_check += 1
        self.counts["checks"] += 1
        self._checks.append({
            "kind": "check", "check_id": f"C-{self.n_check}",
            "subject": {"given_name": rng.choice(names.MALE if gender == "male" else names.FEMALE),
                        "family_name": rng.choice(names.FAMILY),
                        "dob": dt.date.fromordinal(day).isoformat(),
                        "handles": [{"platform": rng.choice(P.PLATFORMS),
                                     "handle": f"nobody_{self._tag()}"}]},
            "complainant_id": None, "expected_entity_id": None, "expected_person_ids": [],
            "noise": ["negative"],
        })

    # -- people ----------------------------------------------------------------------------
    def _tag(self) -> str:
        self.n_tag += 1
        return ids.base36(self.n_tag * 7 + 11)

    def _human(self, gender: str, born_before: int, age: tuple[int, int], force: str,
               kind: str, family: str | None = None) -> _Human:
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
        n_handles = _weighted(rng, P.HANDLE_COUNT_WEIGHTS)
        for platform in rng.sample(P.PLATFORMS, n_handles):
            handles.append((platform, f"{g_key[:5]}{f_key[:6]}_{tag}"))
        vehicles = [ids.vehicle(rng, plate_letters)] if rng.random() < P.HAS_VEHICLE[kind] else []
        address = {"line1": ids.street_line(rng), "town": rng.choice(towns),
                   "postcode": ids.postcode(rng, rng.choice(areas))}
        aliases: list[str] = []
        if kind == "offender" and rng.random() < P.HAS_ALIAS:
            nick = names.NICKNAMES.get(given)
            aliases.append(f"{rng.choice(nick)} {family}" if nick else f"{given} {rng.choice(names.FAMILY)}")
        human = _Human(self.n_entity, f"H-{self.n_entity:07d}", gender, given, family, dob, force,
                       phones, emails, handles, vehicles, address, aliases)
        self._chunk_humans.append(human)
        return human

    def _record(self, human: _Human, force: str, dup: int = 0) -> str:
        """The id of the person record ``force`` holds for ``human`` (made on first use)."""
        key = (force, dup)
        rec = human.records.get(key)
        if rec is None:
            rec = self._make_record(human, force, primary=not human.records)
            human.records[key] = rec
            self._chunk_records.append(rec)
        return rec.id

    def _make_record(self, h: _Human, force: str, primary: bool) -> _Rec:
        rng = self.rng
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
        return _Rec(rid, force, noise, rec)

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
        rec["description"] = _DESCRIPTIONS[itype]
        self._events.append((day, minute, len(self._events), rec))
        return rec

    def _order(self, force: str, otype: str, issued: int, respondent: str,
               protected: list[str]) -> dict[str, Any] | None:
        rng = self.rng
        if issued > _AS_OF:
            return None
        self.n_order += 1
        share_open, lo, hi = P.ORDER_EXPIRY[otype]
        expires = None if rng.random() < share_open else issued + rng.randint(lo, hi)
        source = P.COURT_SOURCE if rng.random() < P.ORDER_FROM_COURT else force
        rec = {"kind": "order", "id": f"{source}-O-{self.n_order}", "source": source,
               "type": otype, "issued_on": dt.date.fromordinal(issued).isoformat(),
               "expires_on": None if expires is None else dt.date.fromordinal(expires).isoformat(),
               "respondent_id": respondent, "protected_ids": protected, "conditions": _CONDITIONS}
        if expires is not None and expires < _AS_OF:
            self.counts["expired_orders"] += 1
        self._events.append((issued, -1, len(self._events), rec))
        return rec

    # -- a case ----------------------------------------------------------------------------
    def _case(self, namesake_of: _Human | None = None) -> _Human:
        rng = self.rng
        profile = _weighted(rng, P.PROFILE_WEIGHTS)
        k = _weighted(rng, P.VICTIM_COUNT_WEIGHTS[profile])
        start = rng.randint(_EARLIEST, _FIRST_LATEST)
        home = _weighted(rng, P.FORCE_WEIGHTS)
        gender = "male" if rng.random() < P.OFFENDER_MALE else "female"
        name_offender = namesake_of is not None and rng.random() < P.NAMESAKE_IS_OFFENDER
        offender = self._human(gender, start, P.OFFENDER_AGE, home, "offender")
        offender.profile = profile
        offender.roles.add("offender")
        if name_offender:
            if namesake_of is None:
                raise ValueError("a namesake offender needs the human they share a name with")
            self._rename(offender, namesake_of)
        if rng.random() < P.HAS_BURNERS[profile]:
            tag = self._tag()
            word = rng.choice(names.BURNER_WORDS) + "_" + rng.choice(names.BURNER_WORDS)
            offender.burners = {"phones": [self.pool.take()],
                                "handles": [(rng.choice(P.PLATFORMS), f"{word}_{tag}")]}
            if rng.random() < 0.5:
                offender.burners["emails"] = [f"{word.replace('_', '.')}.{tag}@example.org"]
        concurrent = k > 1 and rng.random() < P.CONCURRENT_RATE
        prev_start, prev_end = start, start
        for index in range(k):
            if index:
                if concurrent:
                    start = prev_start + rng.randint(0, max(1, int((prev_end - prev_start) * 0.8)))
                else:
                    gap = rng.lognormvariate(math.log(P.SEQUENTIAL_GAP_MEDIAN_DAYS), P.SEQUENTIAL_GAP_SIGMA)
                    start = prev_end + 1 + int(gap)
                if start > _AS_OF - 1:
                    break
            relationship = profile if index == 0 else _weighted(rng, P.RELATIONSHIP_WEIGHTS[profile])
            if index == 0 or rng.random() >= P.OTHER_FORCE_VICTIM:
                vforce = home
            else:
                vforce = _weighted(rng, P.FORCE_WEIGHTS)
            if rng.random() < P.VICTIM_OPPOSITE_GENDER:
                vgender = "female" if gender == "male" else "male"
            else:
                vgender = gender
            victim = self._human(vgender, start, P.VICTIM_AGE, vforce, "victim")
            if namesake_of is not None and not name_offender and index == 0:
                self._rename(victim, namesake_of)
            end = self._campaign(offender, victim, profile, relationship, start, vforce)
            prev_start, prev_end = start, end
        self._anchor_unidentified(offender)
        return offender

    def _rename(self, human: _Human, original: _Human) -> None:
        """Make ``human`` a namesake of ``original``: same name, clearly different dob."""
        human.given, human.family = original.given, original.family
        human.gender = original.gender
        while abs(human.dob - original.dob) < 400:
            human.dob -= self.rng.randint(400, 4000)
        if original.namesake_group is None:
            self.n_namesake += 1
            original.namesake_group = f"NS-{self.n_namesake}"
            self.counts["namesake_groups"] += 1
        human.namesake_group = original.namesake_group
        human.namesakes.append(original.entity_id)
        original.namesakes.append(human.entity_id)

    def _campaign(self, off: _Human, vic: _Human, profile: str, relationship: str, start: int,
                  vforce: str) -> int:
        """One offender's course of conduct against one victim; returns its last day."""
        rng = self.rng
        n = int(round(rng.lognormvariate(math.log(P.INCIDENTS_MEDIAN), P.INCIDENTS_SIGMA)))
        n = min(max(n, P.INCIDENTS_MIN), P.INCIDENTS_MAX)
        span = rng.lognormvariate(math.log(P.SPAN_MEDIAN_DAYS), P.SPAN_SIGMA)
        span = min(max(span, n - 1, 1), P.SPAN_MAX_DAYS)
        offsets = sorted([0.0] + [span * rng.random() ** 0.7 for _ in range(n - 1)])
        days = [d for d in (start + int(o) for o in offsets) if d <= _AS_OF]
        n = len(days)
        b1 = rng.uniform(0.2, 0.6) if rng.random() < P.REACH_PRESENCE[relationship] else 2.0
        b2 = rng.uniform(b1 + 0.05, 0.9) if b1 < 1 and rng.random() < P.REACH_HARM[relationship] else 2.0
        # Orders, and whether the conduct stops at them.
        orders: list[tuple[dict[str, Any], int, int | None]] = []
        order_at: int | None = None
        order_type = None
        if n >= P.ORDER_MIN_INCIDENTS and rng.random() < P.ORDER_RATE[relationship]:
            j = max(2, math.ceil(0.6 * n))
            order_at = days[j - 1] + rng.randint(1, 30)
            order_type = _weighted(rng, P.ORDER_TYPE_WEIGHTS[relationship])
            if order_at <= _AS_OF and rng.random() >= P.ORDER_BREACHED:
                days = days[:j]
                n = j
        # Who records what.
        forces = [vforce] * n
        if n > 2 and rng.random() < P.VICTIM_MOVES:
            moved_to = _weighted(rng, P.FORCE_WEIGHTS)
            for i in range(rng.randint(1, n - 1), n):
                forces[i] = moved_to
        btp = rng.random() < P.BTP_RECORDS
        dup_from = rng.randint(1, n - 1) if n > 2 and rng.random() < P.SAME_FORCE_DUPLICATE else n
        third: _Human | None = None
        want_third = rng.random() < P.THIRD_PARTY_RATE
        report_from = int(n * rng.uniform(0, P.REPORT_DELAY_SHARE))
        first_report = min(_AS_OF, days[report_from] + rng.randint(0, 3))
        vic.roles.add("victim")
        campaign_incidents: list[str] = []
        campaign_orders: list[str] = []
        max_phase = 0
        for i, day in enumerate(days):
            t = i / n
            phase = 2 if t >= b2 else 1 if t >= b1 else 0
            actual = _weighted(rng, _PHASE_MIX[phase])
            max_phase = max(max_phase, actual)
            itype = _weighted(rng, _PHASE_TABLES[actual])
            force = forces[i]
            if btp and itype in ("following", "loitering", "surveillance") and rng.random() < 0.5:
                force = P.BTP
            used, itype = self._used(off, itype)
            if order_type is not None and order_at is not None and day >= order_at and not orders:
                self._issue(off, vic, order_type, order_at, forces[max(0, i - 1)], orders,
                            campaign_orders)
            unidentified = bool(used) and rng.random() < P.UNIDENTIFIED_RATE[profile]
            breached = [] if unidentified else [
                o["id"] for o, iss, exp in orders if iss < day and (exp is None or day <= exp)]
            if breached and rng.random() < P.BREACH_TYPED:
                itype = "breach"
            victims = [(vic, self._record(vic, force))]
            if want_third and actual > 0 and rng.random() < 0.5:
                if third is None:
                    third = self._human(rng.choice(("male", "female")), start, P.VICTIM_AGE,
                                        vforce, "victim",
                                        family=vic.family if rng.random() < 0.5 else None)
                victims.append((third, self._record(third, force)))
            off_ids = [] if unidentified else [
                self._record(off, force, 1 if i >= dup_from and force == vforce else 0)]
            outcome = _weighted(rng, P.OUTCOME_UNIDENTIFIED if unidentified else P.OUTCOME_IDENTIFIED)
            reported = max(day, first_report) if i < report_from else min(max(day, _AS_OF), day + rng.randint(0, 7))
            minute = rng.randrange(1440)
            rec = self._incident(force, day, minute, itype, off_ids,
                                 [v[1] for v in victims], used, reported, outcome)
            if breached:
                rec["breached_order_ids"] = breached
                off.breach_ids.append(rec["id"])
                self.counts["breach_incidents"] += 1
            self._commit(off, rec, unidentified)
            for v, vid in victims:
                self._victimise(v, vid, off, rec["id"])
            campaign_incidents.append(rec["id"])
        if order_type is not None and order_at is not None and not orders and order_at <= _AS_OF:
            self._issue(off, vic, order_type, order_at, forces[-1], orders, campaign_orders)
        if relationship == "ex_partner" and rng.random() < P.COUNTER_ALLEGATION:
            day = rng.choice(days)
            force = forces[days.index(day)]
            rec = self._incident(force, day, rng.randrange(1440), "text", [self._record(vic, force)],
                                 [self._record(off, force)],
                                 {"phones": [ids.format_phone(vic.phones[0], 0)]},
                                 min(_AS_OF, day + rng.randint(0, 5)), "no_further_action")
            vic.roles.add("offender")
            self._commit(vic, rec, False)
            self._victimise(off, rec["victim_ids"][0], vic, rec["id"])
            vic.primary_victims[off.entity_id] = None
            vic.campaigns.append({
                "victim_entity_id": off.entity_id, "relationship": "ex_partner",
                "first": dt.date.fromordinal(day).isoformat(),
                "last": dt.date.fromordinal(day).isoformat(), "incident_ids": [rec["id"]],
                "max_phase": "remote", "order_ids": [], "third_party_entity_id": None,
                "counter_allegation": True})
        off.primary_victims[vic.entity_id] = None
        if third is not None:
            off.third_parties[third.entity_id] = None
        off.campaigns.append({
            "victim_entity_id": vic.entity_id, "relationship": relationship,
            "first": dt.date.fromordinal(days[0]).isoformat(),
            "last": dt.date.fromordinal(days[-1]).isoformat(),
            "incident_ids": campaign_incidents, "max_phase": ("remote", "presence", "harm")[max_phase],
            "order_ids": campaign_orders,
            "third_party_entity_id": third.entity_id if third is not None else None,
        })
        return days[-1]

    def _issue(self, off: _Human, vic: _Human, otype: str, issued: int, force: str,
               orders: list[tuple[dict[str, Any], int, int | None]], ids_out: list[str]) -> None:
        plan = [(otype, issued)]
        for kind, day in plan:
            rec = self._order(force, kind, day, self._record(off, force), [self._record(vic, force)])
            if rec is None:
                continue
            exp = None if rec["expires_on"] is None else dt.date.fromisoformat(rec["expires_on"]).toordinal()
            orders.append((rec, day, exp))
            ids_out.append(rec["id"])
            off.respondent_orders.append(rec["id"])
            vic.protected_orders.append(rec["id"])
            if kind == "interim_stalking_protection_order" and exp is not None \
                    and self.rng.random() < P.FULL_SPO_AFTER_INTERIM:
                plan.append(("stalking_protection_order", exp))

    def _used(self, off: _Human, itype: str) -> tuple[dict[str, list[Any]], str]:
        """The identifiers the perpetrator used in an incident of this type (may change the type
        when the offender has no means for it: an email needs an address)."""
        rng = self.rng
        burn = off.burners
        if itype == "email" and not (off.emails or burn.get("emails")):
            itype = "text"
        if itype == "social_media" and not (off.handles or burn.get("handles")):
            itype = "text"
        if itype in ("call", "text") or (itype == "threat" and rng.random() < P.THREAT_BY_PHONE):
            pool = burn["phones"] if burn and rng.random() < P.USE_BURNER else off.phones
            return {"phones": [ids.format_phone(rng.choice(pool), rng.randrange(5))]}, itype
        if itype == "email":
            burner_emails: list[str] = burn.get("emails", [])
            use_burner = bool(burner_emails) and (not off.emails or rng.random() < P.USE_BURNER)
            return {"emails": [rng.choice(burner_emails if use_burner else off.emails)]}, itype
        if itype == "social_media":
            burner_handles: list[tuple[str, str]] = burn.get("handles", [])
            use_burner = bool(burner_handles) and (not off.handles or rng.random() < P.USE_BURNER)
            hpool = burner_handles if use_burner else off.handles
            platform, handle = rng.choice(hpool)
            return {"handles": [{"platform": platform, "handle": handle}]}, itype
        if itype in _PHYSICAL and off.vehicles and rng.random() < P.VEHICLE_SEEN:
            return {"vehicles": [ids.format_vehicle(off.vehicles[0], rng.randrange(3))]}, itype
        return {}, itype

    def _commit(self, off: _Human, rec: dict[str, Any], unidentified: bool) -> None:
        off.incident_ids.append(rec["id"])
        if unidentified:
            off.unidentified_ids.append(rec["id"])

    @staticmethod
    def _victimise(victim: _Human, person_id: str, off: _Human, incident_id: str) -> None:
        victim.roles.add("victim")
        off.victim_person_ids[person_id] = None
        victim.victimised_ids.append(incident_id)
        victim.offenders[off.entity_id] = None
        off.victims[victim.entity_id] = None

    def _anchor_unidentified(self, off: _Human) -> None:
        """Every unidentified incident must share an identifier with something else the true
        perpetrator used (their own records, or another of their incidents); an incident using
        a burner nowhere else is recorded as identified instead."""
        if not off.unidentified_ids:
            return
        own: set[str] = set()
        for r in off.records.values():
            own.update(_keys_of_used(r.payload))
        uses: dict[str, int] = {}
        by_id: dict[str, dict[str, Any]] = {}
        mine = set(off.incident_ids)
        for _, _, _, rec in self._events:
            if rec["kind"] == "incident" and rec["id"] in mine:
                by_id[rec["id"]] = rec
                for key in _keys_of_used(rec.get("identifiers_used", {})):
                    uses[key] = uses.get(key, 0) + 1
        keep = []
        for iid in off.unidentified_ids:
            rec = by_id[iid]
            keys = _keys_of_used(rec.get("identifiers_used", {}))
            if any(k in own or uses.get(k, 0) > 1 for k in keys):
                keep.append(iid)
            else:
                rec["offender_ids"] = [self._record(off, rec["source"])]
        off.unidentified_ids = keep


def _keys_of_used(used: dict[str, Any]) -> list[str]:
    """Canonical keys (``phone:+447700900123``) of identifiers in any notation we write."""
    keys = []
    for raw in used.get("phones", ()):
        digits = raw.replace(" ", "").replace("(", "").replace(")", "")
        keys.append("phone:" + ("+44" + digits[1:] if digits.startswith("0") else digits))
    for raw in used.get("emails", ()):
        keys.append("email:" + raw.lower())
    for h in used.get("handles", ()):
        keys.append(f"handle:{h['platform'].lower()}:{h['handle'].lower().lstrip('@')}")
    for raw in used.get("vehicles", ()):
        keys.append("vehicle:" + raw.replace(" ", "").upper())
    return keys


def _identifiers(phones: list[tuple[str, str]], emails: list[str], handles: list[tuple[str, str]],
                 vehicles: list[str]) -> dict[str, Any]:
    return {"phones": [ids.e164(p) for p in phones], "emails": list(emails),
            "handles": [{"platform": p, "handle": h} for p, h in handles],
            "vehicles": list(vehicles)}
