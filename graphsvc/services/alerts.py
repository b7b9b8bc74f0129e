"""Alerts: the register tells the force that needs to know (contract section 6, docs/alerts.md).

**Where the rules run.** Every write path writes the pattern state's outbox entry in its own
transaction (docs/pattern-state.md), and applies it before it answers. The rules are evaluated
by :func:`raise_in`, inside the apply round that consumes the entry, in the same transaction that
replaces the affected identity groups' states and deletes the entry: so an accepted write has its
alerts exactly once (the entry cannot be deleted without them, nor they written twice), and a
rejected write (422, nothing committed) has no entry and no alert. The round sees each group's
state before the write and after it, which is what ``new_victim`` and ``serial`` compare.

**The rules** (what a rule is a change in):

- ``watched_person``: a record written (person, incident, order, registration, notification)
  names a person of the subscription's ``person_ids``, or a person linked to one of them by
  identity links that count;
- ``order_subject_named``: an incident written names, as its offender or through an identifier
  the perpetrator used, the respondent of an order in force today (or a person linked to him);
- ``new_victim``: an identity group gains a distinct victim (counted as the ranking counts them);
- ``serial``: a group's distinct victims reach the subscription's ``min_victims`` (default 3);
- ``unidentified_link``: an identifier a person holds is used in an incident with no identified
  perpetrator (the incident or the person record written), the person not its victim;
- ``notification_overdue``: a registration's due notification (contract section 7) passed its
  last day. Time, not a write, makes it overdue, so it is raised by a sweep the dispatcher runs
  (:func:`raise_overdue`, every ``OVERDUE_SWEEP_S``) over the duties whose last day fell in the
  past ``OVERDUE_WINDOW_DAYS`` days, once per registration and last day; one overdue longer
  (a history loaded) is on the worklist, not alerted.

**Who is told.** A subscription acts with its key's role and agency. A national key's
subscription hears every cause of its rules; an agency's hears those whose evidence or whose
subject's records its agency owns (its order breached, its offender with a new victim, its
incident); ``person_ids`` are whom ``watched_person`` watches (whatever agency holds them). What an alert says
is shown to the key as any answer is (role redaction, then need-to-know:
:func:`graphsvc.security.visibility.shown_to`), when it is delivered or read.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import secrets as secrets_mod
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import networkx as nx

from graphsvc.analysis.identity import link_graph
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.graph.db import Database
from graphsvc.repository import alerts as store
from graphsvc.repository import identity as identity_reads
from graphsvc.security.policy import Role
from loaders.records import RECORD_ID
from loaders.times import iso

if TYPE_CHECKING:
    # heavy: argon2 (the key ring module hashes a dummy key as it loads: not for every load)
    from graphsvc.security.keys import Principal

__all__ = ["RULES", "DEFAULT_MIN_VICTIMS", "raise_in", "before_in", "light", "wanted", "subscribe", "subscriptions", "unsubscribe", "alerts_page",
           "ack", "check_url", "is_loopback_host", "raise_overdue", "visible_subscription_ids", "own_subscription"]

#: how far back the overdue sweep looks (a dispatcher down for less misses nothing), and how often it runs
OVERDUE_WINDOW_DAYS = 7
OVERDUE_SWEEP_S = 60.0
RULES = ("watched_person", "order_subject_named", "new_victim", "serial", "unidentified_link", "notification_overdue")
DEFAULT_MIN_VICTIMS = 3
#: a subscription's ``person_ids`` at most
MAX_WATCHED = 1000
_RECORD_RULES = ("watched_person", "order_subject_named", "unidentified_link")
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


@dataclass
class Cause:
    """One thing a rule saw in a write, before it is matched to subscriptions."""

    rule: str
    person_ids: list[str]
    evidence: list[str]
    message: str
    subjects: set[str] = field(default_factory=set)  # whom it is about (the persons of his group)
    agencies: set[str] = field(default_factory=set)  # owners of its evidence and of its subjects
    what: str | None = None  # the cause, for one alert per cause however often it is written
    watched: str | None = None  # watched_person: the person of person_ids it names
    victims: int = 0  # serial: the distinct victims before and after
    victims_before: int = 0


# -- the rules, in the apply round -------------------------------------------------------------
def wanted(db: Database) -> bool:
    """Whether any live subscription would hear of anything (a rebuild keeps the states it
    replaces only then)."""
    return bool(store.subscriptions(db, key_id=None, agency=None))


def before_in(db: Database, tx: Any, representatives: Sequence[str]) -> list[dict[str, Any]]:
    """The entries of the states an apply round is about to replace, as :func:`raise_in` compares them."""
    return [light(json.loads(r["entry"])) for r in store.state_victims_in(db, tx, representatives)]


def light(entry: Mapping[str, Any]) -> dict[str, Any]:
    """What the group rules read of a state's entry (a rebuild keeps only this of the old states)."""
    return {k: entry[k] for k in ("person_id", "person_ids", "victim_ids", "victim_record_ids", "victim_count")}


def raise_in(db: Database, tx: Any, *, entries: Sequence[Mapping[str, Any]], before: Sequence[Mapping[str, Any]],
             rows: Sequence[Mapping[str, Any]], today: dt.date, threshold: float) -> int:
    """Evaluate the rules for the outbox ``entries`` being applied (``before``: the light entries
    of the states they replace; ``rows``: the new states, each ``{"member_ids", "entry"}``) and
    record the alerts in the applying transaction ``tx``. How many were recorded."""
    subs = store.subscriptions_in(db, tx)
    if not subs:
        return 0
    wanted = {r for s in subs for r in s["rules"] or []}
    incident_ids = sorted({i for e in entries for i in e.get("incident_ids") or []})
    order_ids = sorted({o for e in entries for o in e.get("order_ids") or []})
    record_ids = sorted({p for e in entries for p in e.get("record_ids") or []})
    incidents = store.incidents_in(db, tx, incident_ids) if wanted & set(_RECORD_RULES) else []
    watched = sorted({p for s in subs for p in s["person_ids"] or []})
    graph = _components(db, tx, watched, threshold)
    causes: list[Cause] = []
    if wanted & {"new_victim", "serial"}:
        causes += _group_causes(db, tx, before, rows)
    if "order_subject_named" in wanted:
        causes += _order_causes(db, tx, incidents, today, threshold)
    if "unidentified_link" in wanted:
        causes += _unidentified_causes(db, tx, incidents, record_ids)
    if "watched_person" in wanted:
        orders = store.orders_in(db, tx, order_ids)
        register = store.register_records_in(db, tx, sorted({r for e in entries for r in e.get("register_ids") or []}))
        causes += _watched_causes(incidents, orders, register, record_ids,
                                  {w for s in subs if "watched_person" in (s["rules"] or []) for w in s["person_ids"] or []},
                                  graph)
    if not causes:
        return 0
    owners = store.owners_in(db, tx, sorted({i for c in causes for i in (*c.evidence, *c.subjects)}))
    for c in causes:
        c.agencies |= {a for i in (*c.evidence, *c.subjects) if (a := owners.get(i))}
    return _record(db, tx, causes, subs, graph)


def raise_overdue(db: Database, today: dt.date, *, limit: int = 1000) -> int:
    """``notification_overdue``: an alert for each registration in force whose due duty's last
    day fell in the :data:`OVERDUE_WINDOW_DAYS` before ``today``, to the subscriptions with the
    rule (an agency's: of registrations it manages), once per registration and last day however
    often it runs. How many alerts were recorded."""
    def work(tx: Any) -> int:
        subs = [s for s in store.subscriptions_in(db, tx) if "notification_overdue" in (s["rules"] or [])]
        if not subs:
            return 0
        since = today - dt.timedelta(days=OVERDUE_WINDOW_DAYS)
        causes = [
            Cause("notification_overdue", [r["person_id"]], [r["registration_id"], r["person_id"]],
                  f"{r['duty']} notification of {r['person_id']} (registration {r['registration_id']}, managed by "
                  f"{r['managing_agency']}) was due by {iso(r['due_on'])}: "
                  f"{(today - r['due_on']).days} day(s) overdue",
                  subjects={r["person_id"]}, agencies={r["managing_agency"]} if r["managing_agency"] else set(),
                  what=f"{r['registration_id']}|{iso(r['due_on'])}")
            for r in store.recently_overdue_in(db, tx, today, since, limit) if r["person_id"]]
        return _record(db, tx, causes, subs, nx.Graph()) if causes else 0

    return store.in_write(db, work)


def _components(db: Database, tx: Any, person_ids: Sequence[str], threshold: float) -> nx.Graph:
    """The identity links that count around ``person_ids`` (whole components)."""
    g = link_graph(identity_reads.identity_links_in(db, tx, person_ids, threshold, hops=None), threshold) \
        if person_ids else nx.Graph()
    g.add_nodes_from(person_ids)
    return g


def _group_of(graph: nx.Graph, pid: str) -> set[str]:
    return set(nx.node_connected_component(graph, pid)) if pid in graph else {pid}


def _victim_records(entry: Mapping[str, Any], v: str) -> set[str]:
    return {v, *(entry.get("victim_record_ids") or {}).get(v, [])}


def _group_causes(db: Database, tx: Any, old: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]],
                  ) -> list[Cause]:
    """``new_victim`` and ``serial``: each new state against the old states of its members."""
    before: dict[str, list[Mapping[str, Any]]] = {}
    for entry in old:
        for m in entry["person_ids"]:
            before.setdefault(m, []).append(entry)
    out: list[Cause] = []
    contacts: list[tuple[Cause, set[str], set[str]]] = []
    for row in rows:
        entry = json.loads(row["entry"]) if isinstance(row["entry"], str) else row["entry"]
        members = set(row["member_ids"])
        olds = list({id(e): e for m in members for e in before.get(m, [])}.values())
        rep, count = entry["person_id"], int(entry["victim_count"])
        # the man as the register knew him: the old state his representative was in, else his
        # members' old state with most victims (two groups joined by a link: the one that gains
        # the other's victims; a group split: each part against the whole it came from, so
        # nobody gains)
        baseline = before.get(rep) or sorted(olds, key=lambda e: (-int(e["victim_count"]), e["person_id"]))[:1]
        known = {r for e in baseline for v in e["victim_ids"] for r in _victim_records(e, v)}
        count_before = max((int(e["victim_count"]) for e in olds), default=0)
        gained = [v for v in entry["victim_ids"] if not (_victim_records(entry, v) & known)]
        if gained:
            c = Cause("new_victim", [rep, *gained], [], (
                f"{rep} has {'a new distinct victim' if len(gained) == 1 else f'{len(gained)} new distinct victims'}"
                f" ({', '.join(gained)}): {count} in all"), subjects=members)
            out.append(c)
            contacts.append((c, members, {r for v in gained for r in _victim_records(entry, v)}))
        if count > count_before:
            c = Cause("serial", [rep, *entry["victim_ids"]], [],
                      f"{rep} has {count} distinct victims (before this write: {count_before})", subjects=members,
                      victims=count, victims_before=count_before)
            out.append(c)
            contacts.append((c, members, {r for v in entry["victim_ids"] for r in _victim_records(entry, v)}))
    if contacts:
        # the evidence: the incidents in which the group's members offended against those victims
        found = store.contact_incidents_in(db, tx, sorted({m for _, ms, _ in contacts for m in ms}),
                                           sorted({v for _, _, vs in contacts for v in vs}))
        for c, ms, vs in contacts:
            c.evidence = sorted({f["incident_id"] for f in found if f["offender_id"] in ms and f["victim_id"] in vs}
                                | set(c.person_ids))
    return out


def _order_causes(db: Database, tx: Any, incidents: Sequence[Mapping[str, Any]], today: dt.date,
                  threshold: float) -> list[Cause]:
    """``order_subject_named``: each incident's offenders and the holders of the identifiers it
    used (not its victims), their identity groups, against the orders in force today."""
    named: dict[str, dict[str, str]] = {}  # incident -> person -> how named
    for inc in incidents:
        how = {p: "as its offender" for p in inc["offender_ids"]}
        for u in inc["used"]:
            for h in u["holder_ids"]:
                how.setdefault(h, f"through a {str(u['kind']).lower()} he holds")
        named[inc["id"]] = {p: w for p, w in how.items() if p not in inc["victim_ids"]}
    people = sorted({p for how in named.values() for p in how})
    if not people:
        return []
    graph = _components(db, tx, people, threshold)
    wide = sorted({m for p in people for m in _group_of(graph, p)})
    orders = store.orders_in_force_in(db, tx, wide, today)
    out = []
    for inc in incidents:
        how = named[inc["id"]]
        reach = {m: p for p in sorted(how) for m in _group_of(graph, p)}
        for o in orders:
            via = reach.get(o["respondent_id"])
            if via is None:
                continue
            expires = iso(o["expires_on"]) if o.get("expires_on") else "no end date"
            linked = "" if via == o["respondent_id"] else f" (through {via}, linked to him)"
            out.append(Cause(
                "order_subject_named", [o["respondent_id"], *([via] if via != o["respondent_id"] else [])],
                [inc["id"], o["id"]],
                f"incident {inc['id']} names {o['respondent_id']} {how[via]}{linked}: the respondent of "
                f"{str(o['type'] or 'order').replace('_', ' ')} {o['id']} in force ({iso(o['issued_on'])} to {expires})",
                subjects=_group_of(graph, o["respondent_id"]) | {via}, what=f"{inc['id']}|{o['id']}"))
    return out


def _unidentified_causes(db: Database, tx: Any, incidents: Sequence[Mapping[str, Any]],
                         record_ids: Sequence[str]) -> list[Cause]:
    """``unidentified_link``: an incident written with no identified perpetrator that used a
    person's identifier, or a person record written holding one such an incident used."""
    pairs: dict[tuple[str, str], str] = {}
    for inc in incidents:
        if inc["offender_ids"]:
            continue
        for u in inc["used"]:
            for h in u["holder_ids"]:
                if h not in inc["victim_ids"]:
                    pairs.setdefault((inc["id"], h), str(u["kind"]).lower())
    for r in store.unidentified_uses_in(db, tx, record_ids):
        pairs.setdefault((r["incident_id"], r["person_id"]), str(r["kind"]).lower())
    return [Cause("unidentified_link", [p], [i, p],
                  f"a {kind} {p} holds was used in incident {i}, which has no identified perpetrator",
                  subjects={p}, what=f"{i}|{p}")
            for (i, p), kind in sorted(pairs.items())]


def _watched_causes(incidents: Sequence[Mapping[str, Any]], orders: Sequence[Mapping[str, Any]],
                    register: Sequence[Mapping[str, Any]], record_ids: Sequence[str], watched: set[str],
                    graph: nx.Graph) -> list[Cause]:
    """``watched_person``: each record written (person, incident, order, registration,
    notification) that names a watched person or one linked to him."""
    written: list[tuple[str, set[str]]] = [(i["id"], {*i["offender_ids"], *i["victim_ids"]}) for i in incidents]
    written += [(o["id"], {o["respondent_id"], *o["protected_ids"]}) for o in orders]
    written += [(r["id"], set(r["person_ids"])) for r in register]
    written += [(p, {p}) for p in record_ids]
    out = []
    for w in sorted(watched):
        group = _group_of(graph, w)
        for record, names in written:
            hit = names & group
            if not hit:
                continue
            others = sorted(hit - {w})
            linked = f" (linked to {', '.join(others)})" if others and w not in hit else ""
            out.append(Cause("watched_person", [w, *others], [record],
                             f"record {record} names watched person {w}{linked}" if w in hit or not others
                             else f"record {record} names {', '.join(others)}, linked to watched person {w}",
                             subjects=group, watched=w))
    return out


def _matches(c: Cause, sub: Mapping[str, Any], graph: nx.Graph) -> bool:
    if c.rule not in (sub["rules"] or []):
        return False
    if c.rule == "watched_person":
        return c.watched in (sub["person_ids"] or [])
    if c.rule == "serial":
        m = int(sub["min_victims"] or DEFAULT_MIN_VICTIMS)
        if not c.victims_before < m <= c.victims:
            return False
    return sub["agency"] is None or sub["agency"] in c.agencies


def _record(db: Database, tx: Any, causes: Sequence[Cause], subs: Sequence[Mapping[str, Any]], graph: nx.Graph) -> int:
    pairs = [(c, s) for c in causes for s in subs if _matches(c, s, graph)]
    keys = {i: f"{s['id']}|{c.rule}|{c.what}" for i, (c, s) in enumerate(pairs) if c.what}
    raised = store.raised_in(db, tx, sorted(set(keys.values())))
    persons = {r["person_id"]: r for r in store.persons_in(db, tx, sorted({p for c, _ in pairs for p in c.person_ids}))}
    now = iso(dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    rows, seen = [], set(raised)
    for i, (c, s) in enumerate(pairs):
        key = keys.get(i)
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        alert_id = f"ALERT-{uuid.uuid4().hex[:20]}"
        body = {"id": alert_id, "rule": c.rule, "subscription_id": s["id"], "created_at": now,
                "person_ids": c.person_ids, "evidence": c.evidence, "message": c.message,
                "agencies": sorted(c.agencies),
                "persons": [_person(persons[p]) for p in c.person_ids if p in persons]}
        rows.append({"id": alert_id, "key": key, "rule": c.rule, "subscription_id": s["id"], "created_at": now,
                     "person_ids": c.person_ids, "evidence": c.evidence,
                     "body": json.dumps(body, sort_keys=True, separators=(",", ":"))})
    return store.create_alerts_in(db, tx, rows)


def _person(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"person_id": row["person_id"], "given_name": row["given_name"], "family_name": row["family_name"],
            "roles": list(row["roles"]), "source": row["source"]}


# -- subscriptions -----------------------------------------------------------------------------
def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_url(url: Any, allowed_hosts: Iterable[str]) -> str:
    """A subscription's URL, or :class:`InvalidInput` naming why not: http or https only, no
    credentials in it, and a host of ``allowed_hosts`` (``GRAPHSVC_ALERT_HOSTS``; empty: loopback only)."""
    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"url: {why}", [{"field": "url", "message": why}])

    if not isinstance(url, str) or not url or len(url) > 2000:
        raise bad("must be a URL of at most 2000 characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise bad(f"is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise bad("must be http or https")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise bad("must not carry credentials (the signature is the receiver's proof)")
    if not host:
        raise bad("names no host")
    if parts.fragment:
        raise bad("must not have a fragment")
    hosts = {h.lower() for h in allowed_hosts}
    if hosts and host.lower() not in hosts:
        raise bad(f"host {host} is not in GRAPHSVC_ALERT_HOSTS")
    if not hosts and not is_loopback_host(host):
        raise bad("only loopback hosts are allowed until GRAPHSVC_ALERT_HOSTS names others")
    return url


def subscribe(db: Database, who: Principal, *, url: str, secret: str, rules: Sequence[str],
              person_ids: Sequence[str] = (), min_victims: int | None = None,
              allowed_hosts: Iterable[str] = ()) -> dict[str, Any]:
    """Store a subscription of ``who``'s key (it acts with the key's role and agency)."""
    check_url(url, allowed_hosts)
    if not isinstance(secret, str) or not 16 <= len(secret) <= 512:
        raise InvalidInput("secret: must be 16 to 512 characters (the HMAC key the alerts are signed with)",
                           [{"field": "secret", "message": "16 to 512 characters"}])
    wanted = list(dict.fromkeys(rules))
    unknown = [r for r in wanted if r not in RULES]
    if not wanted or unknown:
        raise InvalidInput(f"rules: {'unknown ' + ', '.join(map(str, unknown)) if unknown else 'none given'}; "
                           f"one or more of {', '.join(RULES)}", [{"field": "rules", "message": "unknown or empty"}])
    ids = list(dict.fromkeys(person_ids))
    bad_ids = [p for p in ids if not isinstance(p, str) or not RECORD_ID.match(p)]
    if bad_ids or len(ids) > MAX_WATCHED:
        raise InvalidInput(f"person_ids: at most {MAX_WATCHED} record ids", [{"field": "person_ids",
                                                                              "message": "not record ids"}])
    if "watched_person" in wanted and not ids:
        raise InvalidInput("person_ids: watched_person needs the persons to watch",
                           [{"field": "person_ids", "message": "required by watched_person"}])
    if min_victims is not None and (isinstance(min_victims, bool) or not isinstance(min_victims, int)
                                    or not 1 <= min_victims <= 1000):
        raise InvalidInput("min_victims: a whole number from 1 to 1000", [{"field": "min_victims",
                                                                           "message": "1 to 1000"}])
    props = {"id": f"SUB-{secrets_mod.token_hex(10)}", "key_id": who.key_id, "agency": who.agency,
             "role": who.role.value, "url": url, "secret": secret, "rules": wanted, "person_ids": ids,
             "min_victims": min_victims if min_victims is not None else DEFAULT_MIN_VICTIMS,
             "created_at": iso(dt.datetime.now(dt.timezone.utc))}
    return {**store.create_subscription(db, props), "active": True}


def _sees_all(who: Principal) -> bool:
    return who.role is Role.ADMIN


def subscriptions(db: Database, who: Principal) -> list[dict[str, Any]]:
    """The key's own subscriptions; an admin's: his agency's (a national admin's: all)."""
    if _sees_all(who):
        return store.subscriptions(db, key_id=None, agency=who.agency)
    return store.subscriptions(db, key_id=who.key_id, agency=None)


def visible_subscription_ids(db: Database, who: Principal) -> list[str]:
    return [s["id"] for s in subscriptions(db, who)]


def own_subscription(db: Database, who: Principal, subscription_id: str) -> dict[str, Any]:
    """The subscription ``who`` may manage, or NotFound (another's is not told apart from none)."""
    sub = store.get_subscription(db, subscription_id)
    if sub is None or not (sub["key_id"] == who.key_id or
                           (_sees_all(who) and (who.agency is None or sub["agency"] == who.agency))):
        raise NotFound(f"no subscription {subscription_id} of this key", {"field": "subscription_id"})
    return sub


def unsubscribe(db: Database, who: Principal, subscription_id: str) -> dict[str, Any]:
    own_subscription(db, who, subscription_id)
    gone = store.delete_subscription(db, subscription_id, iso(dt.datetime.now(dt.timezone.utc)))
    if gone is None:
        raise NotFound(f"no subscription {subscription_id} of this key", {"field": "subscription_id"})
    return gone


# -- pull and triage ---------------------------------------------------------------------------
def _alert(row: Mapping[str, Any]) -> dict[str, Any]:
    body = json.loads(row["body"])
    body["delivery"] = {"seq": row["seq"], "attempts": row["attempts"], "delivered_at": iso(row["delivered_at"]),
                        "failed_at": iso(row["failed_at"]), "last_error": row["last_error"]}
    body["ack"] = {"at": iso(row["acked_at"]), "by": row["acked_by"], "note": row["ack_note"]} \
        if row.get("acked_at") else None
    return body


def alerts_page(db: Database, who: Principal, *, subscription_id: str | None, cursor: int | None,
                limit: int) -> dict[str, Any]:
    """The alerts of one of ``who``'s subscriptions (or of all of them), oldest first, after
    ``cursor`` (an alert's ``delivery.seq``): the same alerts as the webhook, unredacted (the
    caller shows them to the key)."""
    ids = [own_subscription(db, who, subscription_id)["id"]] if subscription_id else visible_subscription_ids(db, who)
    rows = store.list_alerts(db, ids, after=cursor or 0, limit=limit + 1)
    page = [_alert(r) for r in rows[:limit]]
    return {"alerts": page, "next_cursor": str(rows[limit - 1]["seq"]) if len(rows) > limit else None}


def ack(db: Database, who: Principal, alert_id: str, note: str) -> dict[str, Any]:
    if not isinstance(note, str) or not note.strip() or len(note) > 2000:
        raise InvalidInput("note: 1 to 2000 characters", [{"field": "note", "message": "1 to 2000 characters"}])
    row = store.ack_alert(db, alert_id, visible_subscription_ids(db, who), actor=who.actor, note=note.strip(),
                          at=dt.datetime.now(dt.timezone.utc).isoformat())
    if row is None:
        raise NotFound(f"no alert {alert_id} of this key's subscriptions", {"field": "id"})
    return _alert(row)
