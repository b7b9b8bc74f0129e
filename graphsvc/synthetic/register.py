"""The synthetic register's registrations and notifications, with their ground truth.

For each offender of a chunk: a registration (basis ``order``) for every stalking protection
order and interim order against him, and for a share of convicted offenders one with basis
``conviction``; then the notifications he makes, on time, late or never, his moves of home
(notified or not: an unnotified one may show in the new area's force's person record of him),
a change of name and travel. Everything is dated on or before ``AS_OF``; the truth says, as of
``AS_OF``, which duty each registration owes and whether it is overdue, which notifications were
late, and which records of each registered man give a name or home address he has not notified.

The due days are worked out here from the periods of docs/register.md, on their own, not with
the service's code, so the accuracy benchmark (bench/register_accuracy.py) compares two
derivations. Drawn from a random generator of its own: the register adds records and truth
lines and changes no other.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import IO, Any

from graphsvc.synthetic import identifiers as ids
from graphsvc.synthetic import params as P
from graphsvc.synthetic.records import AS_OF, Human, Rec, RecordMaker, weighted
from loaders import normalise

__all__ = ["RegisterMaker"]

_TODAY = dt.date.fromordinal(AS_OF)
_NOTIFY_DAYS = 3  # docs/register.md: the period of 3 days beginning with the day of service or change


def _year_on(day: dt.date) -> dt.date:
    """The last day of the year beginning with ``day`` (29 February: its anniversary is 28 February)."""
    year = day.year + 1
    anniversary = day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))
    return anniversary - dt.timedelta(days=1)


@dataclass
class _Note:
    id: str
    type: str
    on: dt.date
    changed_on: dt.date | None = None
    names: list[tuple[str, str]] = field(default_factory=list)
    home: dict[str, str] | None = None


class RegisterMaker(RecordMaker):
    """Adds the register to a chunk (:meth:`_register_chunk`), and writes it (:meth:`_write_register`)."""

    def __init__(self, seed: int, records: IO[str], truth: IO[str]) -> None:
        super().__init__(seed, records, truth)
        self.reg_rng = random.Random(seed ^ P.REGISTER_SEED_SALT)  # nosec B311: synthetic data
        self.n_registration = self.n_notification = self.n_revealing = 0
        self._register_lines: list[dict[str, Any]] = []
        self._register_truth: list[dict[str, Any]] = []
        self._register_records: list[Rec] = []
        for key in ("registrations", "notifications", "overdue_registrations", "late_notifications",
                    "unnotified_moves", "revealed_moves"):
            self.counts[key] = 0

    # -- the chunk -------------------------------------------------------------------------
    def _register_chunk(self) -> None:
        events = [e[3] for e in self._events]
        orders = {e["id"]: e for e in events if e["kind"] == "order"}
        for human in self._chunk_humans:
            if "offender" not in human.roles or not human.records:
                continue
            mine = {r.id for r in human.records.values()}
            bases: list[tuple[str, str, dt.date, dt.date | None, str | None]] = []
            spos = [orders[o] for o in human.respondent_orders if o in orders
                    and orders[o]["type"] in ("stalking_protection_order", "interim_stalking_protection_order")]
            for o in spos:
                if o["type"] == "stalking_protection_order" and any(_replaces(i, o) for i in spos):
                    continue  # it continues the interim order's registration (below)
                full = next((f for f in spos if _replaces(o, f)), None)
                last = full or o  # an order replacing an interim one: SPA 2019 s.9(1) asks no new notification
                end = dt.date.fromisoformat(last["expires_on"]) if last["expires_on"] else None
                bases.append(("order", o["respondent_id"], dt.date.fromisoformat(o["issued_on"]), end, last["id"]))
            convicted = [e for e in events if e["kind"] == "incident" and e.get("outcome") == "convicted"
                         and any(pid in mine for pid in e["offender_ids"])]
            if convicted and self.reg_rng.random() < P.REGISTER_CONVICTED:
                first = min(convicted, key=lambda e: (e["reported_at"], e["id"]))
                start = dt.date.fromisoformat(first["reported_at"]) + dt.timedelta(
                    days=self.reg_rng.randint(*P.CONVICTION_DELAY_DAYS))
                if start <= _TODAY:
                    end = None
                    if self.reg_rng.random() < P.CONVICTION_FIXED_TERM:
                        years = self.reg_rng.randint(*P.CONVICTION_TERM_YEARS)
                        end = start.replace(year=start.year + years, day=min(start.day, 28))
                    pid = next(p for p in first["offender_ids"] if p in mine)
                    # under the Sexual Offences Act's requirements, an order's do not apply
                    # (SPA 2019 s.9(5)): an order registration ends the day before, or is not made
                    bases = [(b[0], b[1], b[2], min(b[3] or dt.date.max, start - dt.timedelta(days=1)), b[4])
                             if _overlap(b[2], b[3], start, end) else b for b in bases]
                    bases = [b for b in bases if b[3] is None or b[3] >= b[2]]
                    bases.append(("conviction", pid, start, end, None))
            if bases:
                self._register_human(human, bases)

    def _register_human(self, h: Human, bases: list[tuple[str, str, dt.date, dt.date | None, str | None]]) -> None:
        rng = self.reg_rng
        records = {r.id: r for r in h.records.values()}
        notes_all: list[_Note] = []
        for basis, pid, start, end, oid in bases:
            force = records[pid].source if records[pid].source in P.FORCES else h.force
            self.n_registration += 1
            rid = f"{force}-REG-{self.n_registration}"
            last_day = min(_TODAY, end) if end is not None else _TODAY
            notes, late, moves = self._notes(h, force, start, last_day, basis)
            due = self._open_duty(basis, start, end, notes)
            in_force = start <= _TODAY and (end is None or _TODAY <= end)
            overdue = in_force and due is not None and _TODAY > due[1]
            self.counts["registrations"] += 1
            self.counts["overdue_registrations"] += overdue
            late = list(dict.fromkeys(late))
            self.counts["late_notifications"] += len(late)
            self._register_lines.append({
                "kind": "registration", "id": rid, "source": force, "person_id": pid, "basis": basis,
                **({"order_id": oid} if oid else {}), "start_on": start.isoformat(),
                "end_on": end.isoformat() if end else None, "managing_agency": force,
                "manager": f"{force} OM {rng.randint(100, 9999)}"})
            for n in notes:
                self._register_lines.append(self._notification(n, force, pid, rid))
            self.counts["notifications"] += len(notes)
            notes_all += notes
            self._register_truth.append({
                "kind": "registration", "registration_id": rid, "person_id": pid, "entity_id": h.entity_id,
                "basis": basis, "order_id": oid, "start_on": start.isoformat(),
                "end_on": end.isoformat() if end else None, "in_force": in_force,
                "due": {"duty": due[0], "due_on": due[1].isoformat()} if due else None, "overdue": overdue,
                "late": late, "moves": moves})
        self._truth_unnotified(h, notes_all, bases)

    def _truth_unnotified(self, h: Human, notes: list[_Note],
                          bases: list[tuple[str, str, dt.date, dt.date | None, str | None]]) -> None:
        """The records of ``h`` that give a name or home address none of his notifications holds
        (every record of him: the accuracy benchmark groups them as the truth does)."""
        names = {normalise.name_key(f"{g} {f}") for n in notes for g, f in n.names}
        homes = {_home_key(n.home) for n in notes if n.home}
        in_force = any(s <= _TODAY and (e is None or _TODAY <= e) for _b, _p, s, e, _o in bases)
        unnotified = []
        if notes and in_force:
            for r in h.records.values():
                p = r.payload
                given, family = p.get("given_name"), p.get("family_name")
                keys = [normalise.name_key(" ".join(x for x in (given, family) if x))]
                keys += [normalise.name_key(a) for a in p.get("aliases", [])]
                addresses = [_home_key(a) for a in p.get("addresses", [])]
                if any(k and k not in names for k in keys) or any(a not in homes for a in addresses):
                    unnotified.append(r.id)
        self._register_truth.append({
            "kind": "register_person", "entity_id": h.entity_id, "person_ids": [r.id for r in h.records.values()],
            "registered": in_force, "notified": bool(notes), "unnotified_record_ids": sorted(unnotified)})

    # -- notifications ---------------------------------------------------------------------
    def _note(self, force: str, type_: str, on: dt.date, **kw: Any) -> _Note:
        self.n_notification += 1
        return _Note(f"{force}-N-{self.n_notification}", type_, on, **kw)

    def _outcome(self, table: dict[str, float], due: dt.date, earliest: dt.date) -> dt.date | None:
        """The day a notification due by ``due`` is made (``None``: never), by ``table``."""
        rng = self.reg_rng
        how = weighted(rng, table)
        if how == "on_time":
            return dt.date.fromordinal(rng.randint(earliest.toordinal(), max(earliest, due).toordinal()))
        if how == "late":
            return due + dt.timedelta(days=rng.randint(*P.LATE_DAYS))
        return None

    def _notes(self, h: Human, force: str, start: dt.date, last_day: dt.date,
               basis: str) -> tuple[list[_Note], list[str], list[dict[str, Any]]]:
        """His notifications to one registration (all on or before ``last_day``), the late ones'
        ids, and his moves."""
        rng = self.reg_rng
        names = [(h.given, h.family)] + [tuple(a.split(" ", 1)) for a in h.aliases if " " in a]  # type: ignore[misc]
        home = dict(h.address)
        initial_due = start + dt.timedelta(days=_NOTIFY_DAYS - 1)
        day = self._outcome(P.INITIAL, initial_due, start)
        if day is None or day > last_day:
            return [], [], []
        notes = [self._note(force, "initial", day, names=list(names), home=home)]
        late = [notes[0].id] if day > initial_due else []
        moves: list[dict[str, Any]] = []
        span = (last_day - day).days
        if span > 40 and rng.random() < P.MOVE_RATE:
            moved = day + dt.timedelta(days=rng.randint(30, span))
            moves.append(self._move(h, force, moved, last_day, notes, late))
        if span > 40 and rng.random() < P.NAME_CHANGE:
            changed = day + dt.timedelta(days=rng.randint(20, span))
            new = (h.given, f"{h.family}-{rng.choice(('Hale', 'Orme', 'Tait', 'Venn'))}")
            made = self._outcome(P.CHANGE, changed + dt.timedelta(days=_NOTIFY_DAYS - 1), changed)
            if made is not None and made <= last_day:
                notes.append(self._note(force, "name", made, changed_on=changed, names=[new]))
                if made > changed + dt.timedelta(days=_NOTIFY_DAYS - 1):
                    late.append(notes[-1].id)
        if span > 10 and rng.random() < P.TRAVEL:
            notes.append(self._note(force, "travel", day + dt.timedelta(days=rng.randint(5, span))))
        if basis == "conviction":
            late += self._annuals(force, last_day, notes)
        notes.sort(key=lambda n: (n.on, n.id))
        return notes, late, moves

    def _move(self, h: Human, force: str, moved: dt.date, last_day: dt.date, notes: list[_Note],
              late: list[str]) -> dict[str, Any]:
        rng = self.reg_rng
        to = weighted(rng, P.FORCE_WEIGHTS) if rng.random() < P.MOVE_OTHER_FORCE else h.force
        towns, areas = P.FORCES[to][1], P.FORCES[to][2]
        new = {"line1": ids.street_line(rng), "town": rng.choice(towns), "postcode": ids.postcode(rng, rng.choice(areas))}
        move: dict[str, Any] = {"on": moved.isoformat(), "to_force": to, "home": new, "notification_id": None,
                                "revealed_by": None}
        if rng.random() < P.MOVE_NOTIFIED:
            made = self._outcome(P.CHANGE, moved + dt.timedelta(days=_NOTIFY_DAYS - 1), moved)
            if made is not None and made <= last_day:
                notes.append(self._note(force, "address", made, changed_on=moved, home=new))
                move["notification_id"] = notes[-1].id
                if made > moved + dt.timedelta(days=_NOTIFY_DAYS - 1):
                    late.append(notes[-1].id)
                return move
        self.counts["unnotified_moves"] += 1
        if rng.random() < P.MOVE_REVEALED:
            # the new area's force records him (a stop, a report) at the home he did not notify
            self.n_revealing += 1
            rec = self._make_record(h, to, primary=False, rng=rng, rid=f"{to}-P-R{self.n_revealing}")
            rec.payload["addresses"] = [dict(new)]
            if "addresses_missing" in rec.noise:
                rec.noise.remove("addresses_missing")
            rec.noise.append(P.MOVED_HOME)
            h.records[(to, 100 + self.n_revealing)] = rec
            self._register_records.append(rec)
            for check in self._checks:  # a probe of him expects every record of him
                if check["expected_entity_id"] == h.entity_id:
                    check["expected_person_ids"].append(rec.id)
            move["revealed_by"] = rec.id
            self.counts["revealed_moves"] += 1
        return move

    def _annuals(self, force: str, last_day: dt.date, notes: list[_Note]) -> list[str]:
        """The annual notifications (basis conviction): each year from the last notification that
        counts (not travel) one is due; one that falls after ``last_day`` is not (yet) made. Returns
        the late ones' ids (the annual ones, and any other notification that met a year late)."""
        late: list[str] = []
        counting = sorted((n for n in notes if n.type != "travel"), key=lambda n: (n.on, n.id))
        last = counting[0]
        while True:
            due = _year_on(last.on)
            if due >= last_day:
                return late  # not due by the end (or by AS_OF): nothing owed yet, or owed and open
            later = [n for n in counting if (n.on, n.id) > (last.on, last.id)]
            if later and later[0].on <= due:
                last = later[0]
                continue
            made = self._outcome(P.ANNUAL, due, due - dt.timedelta(days=P.ANNUAL_EARLY_DAYS - 1))
            if later and (made is None or made > later[0].on):
                last = later[0]  # another notification meets the year, late
                late.append(last.id)
                continue
            if made is None or made > last_day:
                return late  # overdue, or made after the end
            note = self._note(force, "annual", made)
            notes.append(note)
            counting.append(note)
            counting.sort(key=lambda n: (n.on, n.id))
            if made > due:
                late.append(note.id)
            last = note

    def _open_duty(self, basis: str, start: dt.date, end: dt.date | None,
                   notes: list[_Note]) -> tuple[str, dt.date] | None:
        """The one duty not met by the notifications made: the initial one, else (conviction)
        the year from the last notification that counts; none after the end."""
        counting = [n for n in notes if n.type != "travel"]
        if not counting:
            due: tuple[str, dt.date] | None = ("initial", start + dt.timedelta(days=_NOTIFY_DAYS - 1))
        elif basis == "conviction":
            due = ("annual", _year_on(max(n.on for n in counting)))
        else:
            due = None
        if due is not None and end is not None and due[1] > end:
            return None
        return due

    def _notification(self, n: _Note, force: str, pid: str, rid: str) -> dict[str, Any]:
        rec: dict[str, Any] = {"kind": "notification", "id": n.id, "source": force, "person_id": pid,
                               "registration_id": rid, "notified_on": n.on.isoformat(), "type": n.type}
        if n.names:
            rec["names"] = [{"given_name": g, "family_name": f} for g, f in n.names]
        if n.home:
            rec["home_address"] = dict(n.home)
        if n.changed_on:
            rec["changed_on"] = n.changed_on.isoformat()
        towns = P.FORCES[force][1]
        rec["station"] = f"{towns[self.n_notification % len(towns)]} Central"
        rec["reference"] = f"ACK-{self.n_notification:07d}"
        return rec

    # -- writing ---------------------------------------------------------------------------
    def _write_register(self, write: Any, twrite: Any, dumps: Any) -> int:
        """Writes the chunk's register (its revealing person records first) and its truth;
        returns the person records written."""
        for rec in self._register_records:
            write(dumps(rec.payload) + "\n")
        for line in self._register_lines:
            write(dumps(line) + "\n")
        for line in self._register_truth:
            twrite(dumps(line) + "\n")
        written = len(self._register_records)
        self._register_lines, self._register_truth, self._register_records = [], [], []
        return written


def _replaces(interim: dict[str, Any], full: dict[str, Any]) -> bool:
    """Whether ``full`` is the stalking protection order that replaced ``interim`` (issued the
    day the interim order ended, against the same respondent record)."""
    return (interim["type"] == "interim_stalking_protection_order" and full["type"] == "stalking_protection_order"
            and interim["expires_on"] == full["issued_on"] and interim["respondent_id"] == full["respondent_id"])


def _overlap(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def _home_key(address: dict[str, str]) -> str:
    pc = address.get("postcode")
    return normalise.address_key(address.get("line1"), address.get("town"), normalise.postcode(pc) if pc else None)
