"""Small, deterministic record sets for loader tests (not the synthetic register)."""

from __future__ import annotations

import random
from typing import Any

TYPES = ["call", "text", "email", "social_media", "visit", "following", "loitering", "damage", "threat"]


def register(people: int, seed: int = 7) -> list[dict[str, Any]]:
    """About ``people`` persons, two incidents per victim, some orders, forward references
    (incidents before the people they name) and later copies that change earlier records."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    offenders = max(1, people // 3)
    later: list[dict[str, Any]] = []
    for o in range(offenders):
        oid = f"T-P-O{o}"
        phone = f"07700 9{o % 1000:05d}"[:12]
        victims = [f"T-P-V{o}-{k}" for k in range(rng.choice([1, 1, 2]))]
        for v_index, vid in enumerate(victims):
            for n in range(2):
                records.append({
                    "kind": "incident", "id": f"T-I-{o}-{v_index}-{n}", "source": rng.choice(["WMP", "MPS"]),
                    "occurred_at": f"2024-{1 + n:02d}-{1 + o % 28:02d}", "type": rng.choice(TYPES),
                    "offender_ids": [oid] if rng.random() > 0.1 else [], "victim_ids": [vid],
                    "identifiers_used": {"phones": [phone], "handles": [{"platform": "instagram", "handle": f"@user{o}"}]},
                })
            records.append({"kind": "person", "id": vid, "source": "WMP", "given_name": f"Vic{o}", "family_name": "Tim",
                            "addresses": [{"line1": f"{o} Road", "town": "Leeds", "postcode": "LS1 1AA"}]})
        records.append({"kind": "person", "id": oid, "source": "MPS", "given_name": f"Off{o}", "family_name": "Ender",
                        "dob": "1980-01-02", "phones": [phone], "vehicles": [f"AB{o % 100:02d} CDE"]})
        if o % 5 == 0 and victims:
            records.append({"kind": "order", "id": f"T-O-{o}", "source": "WMP", "type": "restraining_order",
                            "issued_on": "2024-03-01", "respondent_id": oid, "protected_ids": victims})
        if o % 7 == 0:
            later.append({"kind": "person", "id": oid, "source": "MPS", "given_name": f"Off{o}", "family_name": "Changed",
                          "phones": ["07700 900999"]})
    return records + later
