"""A small synthetic register with a known network, shared by the export and console tests.

P-OFF stalks three victims (V-1, V-2, V-3) across three agencies, breaches an order that
protects V-2 (and sends a gift inside its term that was never recorded as a breach), and used his phone in an incident whose perpetrator was not identified (I-5).
P-2 also stalked V-1 (two steps away from P-OFF). All names and numbers are fictional
(Ofcom drama ranges, example.org addresses).
"""

from __future__ import annotations

from typing import Any

OFFENDER = "P-OFF"

RECORDS: list[dict[str, Any]] = [
    {"kind": "person", "id": "P-OFF", "source": "WMP", "given_name": "Mark", "family_name": "Stone",
     "aliases": ["Marky"], "dob": "1980-04-02", "gender": "male", "phones": ["07700 900001"],
     "emails": ["mark.stone@example.org"], "handles": [{"platform": "instagram", "handle": "@stoner80"}],
     "vehicles": ["AB12 CDE"], "addresses": [{"line1": "1 Elm Road", "town": "Coventry", "postcode": "CV1 1AA"}]},
    {"kind": "person", "id": "V-1", "source": "WMP", "given_name": "Alice", "family_name": "Brown",
     "phones": ["07700 900101"], "addresses": [{"line1": "2 Oak Street", "town": "Coventry", "postcode": "CV2 2BB"}]},
    {"kind": "person", "id": "V-2", "source": "GMP", "given_name": "Beth", "family_name": "Green",
     "emails": ["beth.green@example.org"]},
    {"kind": "person", "id": "V-3", "source": "MPS", "given_name": "Cara", "family_name": "White"},
    {"kind": "person", "id": "P-2", "source": "WMP", "given_name": "Neil", "family_name": "Black"},
    {"kind": "incident", "id": "I-1", "source": "WMP", "occurred_at": "2023-01-05T21:30:00", "type": "call",
     "offender_ids": ["P-OFF"], "victim_ids": ["V-1"], "identifiers_used": {"phones": ["07700 900001"]}},
    {"kind": "incident", "id": "I-2", "source": "WMP", "occurred_at": "2023-02-11", "type": "following",
     "offender_ids": ["P-OFF"], "victim_ids": ["V-1"], "outcome": "pending"},
    {"kind": "incident", "id": "I-3", "source": "GMP", "occurred_at": "2024-06-01T08:00:00", "type": "text",
     "offender_ids": ["P-OFF"], "victim_ids": ["V-2"], "breached_order_ids": ["O-1"],
     "description": "Texts after the order was served."},
    {"kind": "incident", "id": "I-4", "source": "MPS", "occurred_at": "2025-03-03", "type": "assault",
     "offender_ids": ["P-OFF"], "victim_ids": ["V-3"], "outcome": "charged"},
    {"kind": "incident", "id": "I-5", "source": "GMP", "occurred_at": "2024-07-09", "type": "call",
     "offender_ids": [], "victim_ids": ["V-2"], "identifiers_used": {"phones": ["+44 7700 900001"]}},
    # Inside O-1's term but never recorded as a breach: the fixation analysis finds it.
    {"kind": "incident", "id": "I-7", "source": "GMP", "occurred_at": "2024-09-20", "type": "gift",
     "offender_ids": ["P-OFF"], "victim_ids": ["V-2"]},
    {"kind": "incident", "id": "I-6", "source": "WMP", "occurred_at": "2022-05-01", "type": "loitering",
     "offender_ids": ["P-2"], "victim_ids": ["V-1"]},
    {"kind": "order", "id": "O-1", "source": "GMP", "type": "restraining_order", "issued_on": "2024-01-10",
     "expires_on": "2026-01-10", "respondent_id": "P-OFF", "protected_ids": ["V-2"],
     "conditions": "No contact with Beth Green."},
]

# Depth 1 from P-OFF: himself; his incidents I-1..I-4 and I-7, order O-1, phone, email, handle,
# vehicle, address; then the victims V-1..V-3 and I-5 (which used his phone).
DEPTH1_RECORD_NODES = {
    "person:P-OFF", "incident:I-1", "incident:I-2", "incident:I-3", "incident:I-4", "incident:I-7",
    "order:O-1",
    "phone:+447700900001", "email:mark.stone@example.org", "handle:instagram:stoner80",
    "vehicle:AB12CDE", "person:V-1", "person:V-2", "person:V-3", "incident:I-5",
}
DEPTH1_AGENCIES = {"agency:WMP", "agency:GMP", "agency:MPS"}
