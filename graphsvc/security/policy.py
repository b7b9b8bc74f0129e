"""Who may do what, and what each role may see (contract section 4).

Roles: ``case_system`` (records, check, alerts), ``investigator`` (every read, check, exports, alerts),
``offender_manager`` (check and every read, no exports: the register of registered offenders and
its alerts, and the transfer of a registration to another agency, contract sections 6-7), ``admin`` (all, plus keys and audit). Victims' contact details and addresses are the most
dangerous data the register holds: only roles with ``VICTIM_CONTACT`` see them; everyone else
gets the field replaced by :data:`REDACTED` so they know it exists but not what it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

__all__ = [
    "Role",
    "Permission",
    "ROLE_PERMISSIONS",
    "allowed",
    "REDACTED",
    "CONTACT_FIELDS",
    "redact_person",
]


class Role(str, Enum):
    CASE_SYSTEM = "case_system"
    INVESTIGATOR = "investigator"
    OFFENDER_MANAGER = "offender_manager"
    ADMIN = "admin"


class Permission(str, Enum):
    WRITE_RECORDS = "write_records"
    CHECK = "check"
    READ = "read"  # profiles, fixation, patterns, search, linked victims
    EXPORT = "export"
    RESOLVE = "resolve"  # confirm or reject identity links
    VICTIM_CONTACT = "victim_contact"  # see victims' contact details and addresses
    ADMIN = "admin"  # keys and audit
    ALERTS = "alerts"  # subscribe to alerts, read and acknowledge them (contract section 6)
    MANAGE_REGISTER = "manage_register"  # transfer a registration's management (contract section 7)
    REVIEW = "review"  # retention review: the due worklist, retain and dispose (contract section 8)
    IDENTIFY = "identify"  # the caller's own key: its role, agency and permissions (GET /whoami)


ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    # A force's case-management system is the natural receiver of its alerts.
    Role.CASE_SYSTEM: frozenset({Permission.WRITE_RECORDS, Permission.CHECK, Permission.ALERTS, Permission.IDENTIFY}),
    Role.INVESTIGATOR: frozenset(
        {Permission.CHECK, Permission.READ, Permission.EXPORT, Permission.RESOLVE, Permission.VICTIM_CONTACT,
         Permission.ALERTS, Permission.IDENTIFY}
    ),
    # Offender managers manage registered offenders, not victims: no exports, no identity
    # decisions, and victims' contact details redacted.
    Role.OFFENDER_MANAGER: frozenset({Permission.CHECK, Permission.READ, Permission.ALERTS,
                                      Permission.MANAGE_REGISTER, Permission.IDENTIFY}),
    Role.ADMIN: frozenset(Permission),
}

REDACTED = "[redacted]"
CONTACT_FIELDS = ("phones", "emails", "handles", "vehicles", "addresses")


def allowed(role: Role | str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def redact_person(person: Mapping[str, Any], role: Role | str, *, is_victim: bool) -> dict[str, Any]:
    """A copy of a person's fields with victims' contact details and addresses redacted for
    roles without :attr:`Permission.VICTIM_CONTACT`. Offenders' identifiers stay visible: they
    are what a check matches on."""
    out = dict(person)
    if is_victim and not allowed(role, Permission.VICTIM_CONTACT):
        for name in CONTACT_FIELDS:
            if is_person_data(out.get(name)):
                out[name] = REDACTED
    return out


def is_person_data(value: Any) -> bool:
    """Whether a person field's value is person data: a name, a date, a list of identifiers or
    addresses. A check's score explanation uses the same field names for comparison results
    (``{"level": "exact", ...}``, ``true``): those are not, and stay readable."""
    return (isinstance(value, str) and value != "") or (isinstance(value, list) and bool(value))
