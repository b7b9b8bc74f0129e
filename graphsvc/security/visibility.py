"""Need-to-know between agencies (contract section 5): the one rule, applied to every answer.

Every record is owned by its ``source`` agency. A key acting for agency A reads what agency B
owns like this:

- **crosses**: the perpetrator's identity and identifiers (a person with the ``:Offender``
  label, whoever owns the record), flags, counts, dates, types, order types and dates, and every
  record id: the founding case was a force that did not see another force's order;
- **does not cross**: B's victims' names, aliases, dates of birth, contact details and addresses
  (a person recorded only as a victim), B's incident ``description`` and B's order
  ``conditions``, and the home address, station and reference of a notification to a
  registration B manages, the agency and postcode area a transfer proposal names from it, and
  the reasons given for the transfers of B's registrations (contract section 7). Each such field reads ``"[withheld: B]"`` (a string, also where the field is
  a list) and the answer lists ``withheld_by``, the agencies to ask.

National keys (no agency) see everything their role allows; the rule returns their answers
unchanged.

:func:`withhold` walks a JSON answer (after role redaction, in
:func:`graphsvc.api.access.answer`, the one place every API answer passes). An object is judged by
its own record id (``person_id``, ``victim_id``, ``id``, ``incident_id``, ``order_id``) looked
up in the graph. It fails closed: an object carrying a withheld field whose id is not a record
in the graph, or that has no id, has those fields withheld too (``"[withheld]"``). Two answers
are shaped by the rule rather than edited field by field:

- a **check** candidate that is another agency's victim says only that a record exists and whom
  to ask (``{"person_id", "held_by", "withheld"}``): her score and matched fields would tell the
  caller which of her details he holds (``hits="stub"``);
- a **search** hit on another agency's victim is dropped (``hits="drop"``) without trace: the hit
  would confirm the name searched for, and a ``withheld_by`` naming her force would tell the
  caller where she lives. The answer is the one a name nobody holds gets.

:func:`withheld_node` is the same rule for one graph node (the network exports, which are built
from the graph rather than from a JSON answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from graphsvc.graph.db import Database
from graphsvc.repository.records import record_owners
from graphsvc.security.redaction import redact_response
from graphsvc.security.policy import is_person_data

__all__ = [
    "shown_to",
    "PERSON_FIELDS",
    "Owner",
    "owners",
    "withhold",
    "withheld",
    "withheld_node",
    "withholder",
    "WITHHELD_UNKNOWN",
]

#: A withheld victim's fields: who she is and how to reach her.
PERSON_FIELDS = (
    "given_name", "family_name", "aliases", "name", "label", "dob", "phones", "emails", "handles",
    "vehicles", "addresses", "score_parts", "score_explained",
)
_INCIDENT_FIELDS = ("description",)
_ORDER_FIELDS = ("conditions",)
#: A notification's fields only its managing agency reads (contract section 7: the managing
#: agency's offender managers see the full record; the names he notified cross as his identity).
_NOTIFICATION_FIELDS = ("home_address", "station", "reference", "to", "postcode_area")
#: A registration's: the reasons given for its transfers (they may say where he lives), and, in
#: a transfer proposal (which names its notification), the agency and area of his home.
_REGISTRATION_FIELDS = ("reason",)
#: The keys naming an object's own record id, in the order they are tried.
_ID_KEYS = ("person_id", "victim_id", "id", "incident_id", "order_id", "record_id", "notification_id",
            "registration_id")
#: What an object with withheld fields and no record id behind it shows.
WITHHELD_UNKNOWN = "[withheld]"
#: The fields an object with no record id behind it has withheld (fail closed): those that can
#: only be a person's.
_UNKNOWN_FIELDS = ("given_name", "family_name", "aliases", "dob", "phones", "emails", "handles", "vehicles",
                   "addresses", "description", "conditions")


def withheld(agency: str) -> str:
    """What a field withheld from the caller reads: ``[withheld: CODE]``."""
    return f"[withheld: {agency}]"


_MARKER = re.compile(r"^\[withheld(?:: ([^\]]+))?\]")


def withholder(value: Any) -> str | None:
    """The agency that withheld ``value`` (a string starting with :func:`withheld`'s marker, or
    :data:`WITHHELD_UNKNOWN`: "another agency"), else ``None``; what a picture drawn from an
    answer prints in its place."""
    m = _MARKER.match(value) if isinstance(value, str) else None
    return (m.group(1) or "another agency") if m else None


@dataclass(frozen=True)
class Owner:
    """A record's kind (``person``, ``incident``, ``order``, ``registration``,
    ``notification``), owning agency (for the register's records, the managing agency), and
    whether it is a person recorded only as a victim (``victim``: never as an offender)."""

    kind: str
    source: str | None
    victim: bool = False

    @classmethod
    def of_node(cls, kind: str, source: str | None, labels: Iterable[str]) -> Owner:
        """The owner of a record read from the graph with its labels (``victim``: labelled
        ``Victim`` and not ``Offender``), as :func:`owners` would look it up."""
        labels = set(labels or ())
        return cls(kind, source, "Victim" in labels and "Offender" not in labels)


def owners(db: Database, ids: Iterable[str]) -> dict[str, Owner]:
    """The owner of each id that names a person, incident or order record."""
    wanted = sorted({i for i in ids if isinstance(i, str)})
    if not wanted:
        return {}
    return {
        row["id"]: Owner(row["kind"], row["source"], bool(row["victim"]))
        for row in record_owners(db, wanted)
    }


def _fields_for(owner: Owner, agency: str) -> tuple[str, ...]:
    """The fields of ``owner``'s record that ``agency`` may not read."""
    if owner.source == agency:
        return ()
    if owner.kind == "person":
        return PERSON_FIELDS if owner.victim else ()
    if owner.kind == "incident":
        return _INCIDENT_FIELDS
    if owner.kind == "order":
        return _ORDER_FIELDS
    if owner.kind == "notification":
        return _NOTIFICATION_FIELDS
    if owner.kind == "registration":
        return _REGISTRATION_FIELDS
    return ()


def withheld_node(props: Mapping[str, Any], owner: Owner | None, agency: str | None) -> tuple[dict[str, Any], str | None]:
    """One record's properties as ``agency`` may read them, and the agency withholding (``None``
    when nothing was withheld). National keys (``agency`` ``None``) get ``props`` unchanged."""
    out = dict(props)
    if agency is None or owner is None:
        return out, None
    fields = [f for f in _fields_for(owner, agency) if out.get(f) not in (None, "", [])]
    if not fields:
        return out, None
    code = owner.source or "unknown"
    for name in fields:
        out[name] = withheld(code)
    return out, code


def _own_id(obj: Mapping[str, Any]) -> str | None:
    for key in _ID_KEYS:
        value = obj.get(key)
        if isinstance(value, str):
            return value
    return None


#: Every field the rule can withhold, of any kind of record.
_WITHHOLDABLE = tuple(dict.fromkeys((*PERSON_FIELDS, *_INCIDENT_FIELDS, *_ORDER_FIELDS, *_NOTIFICATION_FIELDS,
                                     *_REGISTRATION_FIELDS)))


def _collect_ids(value: Any, out: set[str]) -> None:
    """The own record ids of the objects whose owner can change them: scored hits (a stub or
    dropped) and objects holding a field the rule can withhold. An answer of ids, dates and
    counts (a fixation) needs no owner look-up at all."""
    if isinstance(value, dict):
        own = _own_id(value)
        if own is not None and (_is_hit(value) or any(value.get(f) not in (None, "", []) for f in _WITHHOLDABLE)):
            out.add(own)
        for child in value.values():
            _collect_ids(child, out)
    elif isinstance(value, list):
        for child in value:
            _collect_ids(child, out)


def _is_hit(obj: Mapping[str, Any]) -> bool:
    """A candidate of a check or a hit of a search: an object scored against what was asked."""
    return "person_id" in obj and "score" in obj and "matched_on" in obj


def withhold(
    db: Database, payload: Any, agency: str | None, *, hits: Literal["stub", "drop"] = "stub",
    known: Mapping[str, Owner] | None = None,
) -> Any:
    """``payload`` as a key of ``agency`` may read it (see the module docs); ``None``: national,
    unchanged. A dict payload gains ``withheld_by``: the sorted codes of the agencies that
    withheld something from it (empty when nothing was).

    ``known``: owners the payload's maker read in the same transaction as the payload itself
    (the check's candidates: :func:`graphsvc.services.intake.check`); only the other ids are
    looked up, so an answer whose records' owners are all known costs no round trip."""
    if agency is None:
        return payload
    ids: set[str] = set()
    _collect_ids(payload, ids)
    known = {**(known or {})}
    known.update(owners(db, ids - known.keys()))
    by: set[str] = set()

    def foreign_victim(obj: Mapping[str, Any]) -> Owner | None:
        own = _own_id(obj)
        owner = known.get(own) if own is not None else None
        if owner is not None and owner.kind == "person" and owner.victim and owner.source != agency:
            return owner
        return None

    def rebuild(value: Any) -> Any:
        if isinstance(value, list):
            out_list = []
            for child in value:
                if isinstance(child, dict) and _is_hit(child):
                    owner = foreign_victim(child)
                    if owner is not None:
                        if hits == "drop":  # gone without trace: withheld_by would name her force
                            continue
                        code = owner.source or "unknown"
                        by.add(code)
                        out_list.append({"person_id": child["person_id"], "held_by": code,
                                         "withheld": f"a record held by {code}: ask {code}"})
                        continue
                out_list.append(rebuild(child))
            return out_list
        if not isinstance(value, dict):
            return value
        copy = {k: rebuild(v) for k, v in value.items()}
        own = _own_id(value)
        owner = known.get(own) if own is not None else None
        if owner is not None:
            copy, withholder = withheld_node(copy, owner, agency)
            if withholder is not None:
                by.add(withholder)
        elif any(is_person_data(copy.get(f)) for f in _UNKNOWN_FIELDS):
            # fail closed: person-like fields with no record behind them
            for name in _UNKNOWN_FIELDS:
                if is_person_data(copy.get(name)):
                    copy[name] = WITHHELD_UNKNOWN
            by.add("unknown")
        return copy

    result = rebuild(payload)
    if isinstance(result, dict):
        result["withheld_by"] = sorted(by | set(result.get("withheld_by") or []))
    return result


def shown_to(
    db: Database, payload: Any, role: str, agency: str | None, *, hits: Literal["stub", "drop"] = "stub",
    known: Mapping[str, Owner] | None = None,
) -> Any:
    """``payload`` as a caller of ``role`` acting for ``agency`` (``None``: national) may see it:
    victims' contact details redacted by role
    (:func:`~graphsvc.security.redaction.redact_response`), then other agencies' victims'
    details withheld (:func:`withhold`). Every JSON answer, and every picture drawn from one,
    passes here."""
    return withhold(db, redact_response(db, payload, role), agency, hits=hits, known=known)
