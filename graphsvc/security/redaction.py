"""Redaction of whole responses by role, and the person ids a response carries (for the audit).

The analysis library answers unredacted. Before an answer leaves, :func:`redact_response`
walks it: every object that carries contact fields (``phones``, ``emails``, ``handles``,
``vehicles``, ``addresses``) is redacted with :func:`graphsvc.security.policy.redact_person` unless the
caller's role has ``VICTIM_CONTACT`` or the object is known not to be a victim (it names a
person id that is not ``:Victim`` in the graph and carries no ``victim`` role). An object with
contact fields and no person id is redacted: the rule fails closed.
"""

from __future__ import annotations

from typing import Any

from graphsvc.graph.db import Database
from graphsvc.repository.records import victim_ids
from graphsvc.security.policy import CONTACT_FIELDS, Permission, allowed, redact_person

__all__ = ["redact_response", "person_ids_in"]

_ID_KEYS = ("person_id", "victim_id", "offender_id", "respondent_id")
_ID_LIST_KEYS = ("person_ids", "victim_ids", "offender_ids", "linked_person_ids", "protected_ids", "sequence",
                 "record_ids", "linked_record_ids", "proposed_victim_ids")
#: Keys whose value maps a person id to the person records it stands for.
_ID_MAP_KEYS = ("victim_record_ids",)


def _own_id(obj: dict[str, Any]) -> str | None:
    for key in ("person_id", "id", "victim_id"):
        value = obj.get(key)
        if isinstance(value, str):
            return value
    return None


def _contact_objects(value: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(value, dict):
        if any(k in value for k in CONTACT_FIELDS):
            out.append(value)
        for child in value.values():
            _contact_objects(child, out)
    elif isinstance(value, list):
        for child in value:
            _contact_objects(child, out)


def _says_victim(obj: dict[str, Any]) -> bool:
    roles = obj.get("roles")
    if isinstance(roles, (list, tuple)):
        return any(str(r).lower() == "victim" for r in roles)
    return bool(obj.get("is_victim"))


def _rebuild(value: Any, redact: set[int], role: str) -> Any:
    if isinstance(value, dict):
        copy = {k: _rebuild(v, redact, role) for k, v in value.items()}
        if id(value) in redact:
            copy = redact_person(copy, role, is_victim=True)
        return copy
    if isinstance(value, list):
        return [_rebuild(v, redact, role) for v in value]
    return value


def redact_response(db: Database, payload: Any, role: str) -> Any:
    """``payload`` with victims' contact details and addresses redacted for ``role``."""
    if allowed(role, Permission.VICTIM_CONTACT):
        return payload
    objects: list[dict[str, Any]] = []
    _contact_objects(payload, objects)
    if not objects:
        return payload
    ids = sorted({i for o in objects if (i := _own_id(o)) is not None})
    victims = victim_ids(db, ids) if ids else set()
    redact = {
        id(o) for o in objects
        if _own_id(o) is None or _own_id(o) in victims or _says_victim(o)
    }
    return _rebuild(payload, redact, role)


def person_ids_in(payload: Any) -> list[str]:
    """Every person id a response names (ids under the usual keys, the records of one victim
    included), in order, once each: what the audit entry names."""
    found: dict[str, None] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key in _ID_KEYS and isinstance(child, str):
                    found[child] = None
                elif key in _ID_LIST_KEYS and isinstance(child, list):
                    found.update(dict.fromkeys(str(c) for c in child if isinstance(c, str)))
                elif key in _ID_MAP_KEYS and isinstance(child, dict):
                    for person, records in child.items():
                        found[str(person)] = None
                        if isinstance(records, list):
                            found.update(dict.fromkeys(str(c) for c in records if isinstance(c, str)))
                else:
                    walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(payload)
    return list(found)
