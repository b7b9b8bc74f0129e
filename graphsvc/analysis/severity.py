"""The severity scale of incident types and the contact classes (documented in docs/analysis.md).

The scale follows the escalation investigators look for (DOMAIN brief; Monckton-Smith et al.
2017): remote contact, then unwanted items, then watching, then physical presence, then harm
to property or breach of an order, then threats, then violence.
"""

from __future__ import annotations

__all__ = ["SEVERITY", "REMOTE", "PHYSICAL", "VIOLENT", "THREAT", "severity"]

#: Ordinal severity of each incident type, 1 (remote contact) to 7 (assault).
SEVERITY: dict[str, int] = {
    "call": 1,
    "text": 1,
    "email": 1,
    "social_media": 1,
    "letter": 1,
    "other": 1,
    "gift": 2,
    "surveillance": 3,
    "following": 4,
    "loitering": 4,
    "visit": 4,
    "damage": 5,
    "breach": 5,
    "threat": 6,
    "assault": 7,
}

#: Contact at a distance (no physical presence).
REMOTE = frozenset({"call", "text", "email", "social_media", "letter", "gift"})
#: Physical presence near the victim (and everything more severe that needs it).
PHYSICAL = frozenset({"visit", "following", "loitering", "surveillance", "damage", "assault"})
#: Violence (flag VIOLENCE): assault, and threats of violence.
VIOLENT = frozenset({"assault", "threat"})
THREAT = frozenset({"threat"})


def severity(incident_type: str | None) -> int:
    """The severity of ``incident_type`` (unknown types count as 1, remote contact)."""
    return SEVERITY.get(incident_type or "other", 1)
