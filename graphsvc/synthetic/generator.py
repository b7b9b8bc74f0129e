"""The synthetic register: offender groups generated one at a time and written as they go.

A *chunk* is one offender case (the offender, every victim of theirs, third parties, and the
person records every agency made of them), or, for namesakes, two cases whose people share a
name. Nothing outlives its chunk except counters and the phone pool, so memory stays flat
however many people are asked for. See docs/synthetic.md for the model and every rate.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from graphsvc.synthetic import identifiers as ids
from graphsvc.synthetic import names
from graphsvc.synthetic import params as P
from graphsvc.synthetic.records import (
    AS_OF, EARLIEST, FIRST_LATEST, PHASE_MIX, PHASE_TABLES, PHYSICAL, dumps, Human, weighted,
)
from graphsvc.synthetic.register import RegisterMaker

__all__ = ["RegisterWriter"]


class RegisterWriter(RegisterMaker):
    """Generates chunks and writes records and truth lines to two open text files."""

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
        self._register_chunk()  # last, from a generator of its own: it changes nothing above
        return self._flush()

    def _flush(self) -> int:
        write = self.records.write
        held = self._chunk_records[0] if len(self._chunk_records) > 1 \
            and self.rng.random() < P.FORWARD_REFERENCE else None
        for rec in self._chunk_records:
            if rec is not held:
                write(dumps(rec.payload) + "\n")
        self._events.sort(key=lambda e: (e[0], e[1], e[2]))
        for _, _, _, event in self._events:
            write(dumps(event) + "\n")
            self.counts["incidents" if event["kind"] == "incident" else "orders"] += 1
        if held is not None:
            write(dumps(held.payload) + "\n")
        written = len(self._chunk_records)
        twrite = self.truth.write
        for human in self._chunk_humans:
            twrite(dumps(self._truth_line(human)) + "\n")
        for check in self._checks:
            twrite(dumps(check) + "\n")
        # the register's person records count in the file, not towards the people asked for: the
        # same people and seed give the same chunks, and so the same other records, as before it
        self.counts["person_records"] += written + self._write_register(write, twrite, dumps)
        self._chunk_humans, self._chunk_records, self._events, self._checks = [], [], [], []
        return written

    def _truth_line(self, h: Human) -> dict[str, Any]:
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

    def _probe(self, h: Human) -> None:
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

    # -- a case ----------------------------------------------------------------------------
    def _case(self, namesake_of: Human | None = None) -> Human:
        rng = self.rng
        profile = weighted(rng, P.PROFILE_WEIGHTS)
        k = weighted(rng, P.VICTIM_COUNT_WEIGHTS[profile])
        start = rng.randint(EARLIEST, FIRST_LATEST)
        home = weighted(rng, P.FORCE_WEIGHTS)
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
                if start > AS_OF - 1:
                    break
            relationship = profile if index == 0 else weighted(rng, P.RELATIONSHIP_WEIGHTS[profile])
            if index == 0 or rng.random() >= P.OTHER_FORCE_VICTIM:
                vforce = home
            else:
                vforce = weighted(rng, P.FORCE_WEIGHTS)
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

    def _rename(self, human: Human, original: Human) -> None:
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

    def _campaign(self, off: Human, vic: Human, profile: str, relationship: str, start: int,
                  vforce: str) -> int:
        """One offender's course of conduct against one victim; returns its last day."""
        rng = self.rng
        n = int(round(rng.lognormvariate(math.log(P.INCIDENTS_MEDIAN), P.INCIDENTS_SIGMA)))
        n = min(max(n, P.INCIDENTS_MIN), P.INCIDENTS_MAX)
        span = rng.lognormvariate(math.log(P.SPAN_MEDIAN_DAYS), P.SPAN_SIGMA)
        span = min(max(span, n - 1, 1), P.SPAN_MAX_DAYS)
        offsets = sorted([0.0] + [span * rng.random() ** 0.7 for _ in range(n - 1)])
        days = [d for d in (start + int(o) for o in offsets) if d <= AS_OF]
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
            order_type = weighted(rng, P.ORDER_TYPE_WEIGHTS[relationship])
            if order_at <= AS_OF and rng.random() >= P.ORDER_BREACHED:
                days = days[:j]
                n = j
        # Who records what.
        forces = [vforce] * n
        if n > 2 and rng.random() < P.VICTIM_MOVES:
            moved_to = weighted(rng, P.FORCE_WEIGHTS)
            for i in range(rng.randint(1, n - 1), n):
                forces[i] = moved_to
        btp = rng.random() < P.BTP_RECORDS
        dup_from = rng.randint(1, n - 1) if n > 2 and rng.random() < P.SAME_FORCE_DUPLICATE else n
        third: Human | None = None
        want_third = rng.random() < P.THIRD_PARTY_RATE
        report_from = int(n * rng.uniform(0, P.REPORT_DELAY_SHARE))
        first_report = min(AS_OF, days[report_from] + rng.randint(0, 3))
        vic.roles.add("victim")
        campaign_incidents: list[str] = []
        campaign_orders: list[str] = []
        max_phase = 0
        for i, day in enumerate(days):
            t = i / n
            phase = 2 if t >= b2 else 1 if t >= b1 else 0
            actual = weighted(rng, PHASE_MIX[phase])
            max_phase = max(max_phase, actual)
            itype = weighted(rng, PHASE_TABLES[actual])
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
            outcome = weighted(rng, P.OUTCOME_UNIDENTIFIED if unidentified else P.OUTCOME_IDENTIFIED)
            reported = max(day, first_report) if i < report_from else min(max(day, AS_OF), day + rng.randint(0, 7))
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
        if order_type is not None and order_at is not None and not orders and order_at <= AS_OF:
            self._issue(off, vic, order_type, order_at, forces[-1], orders, campaign_orders)
        if relationship == "ex_partner" and rng.random() < P.COUNTER_ALLEGATION:
            day = rng.choice(days)
            force = forces[days.index(day)]
            rec = self._incident(force, day, rng.randrange(1440), "text", [self._record(vic, force)],
                                 [self._record(off, force)],
                                 {"phones": [ids.format_phone(vic.phones[0], 0)]},
                                 min(AS_OF, day + rng.randint(0, 5)), "no_further_action")
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

    def _issue(self, off: Human, vic: Human, otype: str, issued: int, force: str,
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

    def _used(self, off: Human, itype: str) -> tuple[dict[str, list[Any]], str]:
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
        if itype in PHYSICAL and off.vehicles and rng.random() < P.VEHICLE_SEEN:
            return {"vehicles": [ids.format_vehicle(off.vehicles[0], rng.randrange(3))]}, itype
        return {}, itype

    def _commit(self, off: Human, rec: dict[str, Any], unidentified: bool) -> None:
        off.incident_ids.append(rec["id"])
        if unidentified:
            off.unidentified_ids.append(rec["id"])

    @staticmethod
    def _victimise(victim: Human, person_id: str, off: Human, incident_id: str) -> None:
        victim.roles.add("victim")
        off.victim_person_ids[person_id] = None
        victim.victimised_ids.append(incident_id)
        victim.offenders[off.entity_id] = None
        off.victims[victim.entity_id] = None

    def _anchor_unidentified(self, off: Human) -> None:
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
