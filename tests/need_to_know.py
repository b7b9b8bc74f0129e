"""The two-agency register the need-to-know tests share (contract section 5).

GMP holds Daniel Marsh's order protecting its victim, and manages his registration (his
notified home address, station and acknowledgement planted as secrets too), with her name, date of birth, phone,
e-mail, address, its incident descriptions and the order's conditions planted as recognisable
secrets. MPS holds its own victim of the same man, with its own secrets. All synthetic.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from tests.analysis_records import incident, person

# GMP's secrets: none may reach an MPS key.
SECRETS = ("Quillane", "Hesper", "1991-07-14", "7700900555", "hesper.q@example.org", "Secretary Lane",
           "SECRET-GMP-DESCRIPTION", "SECRET-GMP-CONDITIONS", "SECRET-GMP-HOME", "SECRET-GMP-STATION",
           "SECRET-GMP-ACK")
MPS_SECRETS = ("Plumtree", "SECRET-MPS-DESCRIPTION")


def register() -> list[dict[str, Any]]:
    return [
        person("DM", "Daniel", "Marsh", source="GMP", dob="1984-03-02", phones=["07700 900123"]),
        person("G-V1", "Hesper", "Quillane", source="GMP", dob="1991-07-14", phones=["07700 900555"],
               emails=["hesper.q@example.org"],
               addresses=[{"line1": "3 Secretary Lane", "town": "Salford", "postcode": "M5 4WT"}]),
        person("M-V1", "Maya", "Plumtree", source="MPS", dob="1993-01-09"),
        {"kind": "order", "id": "GMP-O-1", "source": "GMP", "type": "restraining_order", "issued_on": "2024-02-01",
         "respondent_id": "DM", "protected_ids": ["G-V1"], "conditions": "SECRET-GMP-CONDITIONS"},
        *[incident(f"GMP-I-{n}", n * 9, kind, ["DM"], ["G-V1"], source="GMP",
                   description=f"SECRET-GMP-DESCRIPTION {n}")
          for n, kind in enumerate(["text", "call", "visit", "threat"])],
        incident("GMP-I-9", 60, "visit", ["DM"], ["G-V1"], source="GMP", breached_order_ids=["GMP-O-1"],
                 description="SECRET-GMP-DESCRIPTION breach"),
        *[incident(f"MPS-I-{n}", 100 + n * 5, kind, ["DM"], ["M-V1"], source="MPS",
                   description=f"SECRET-MPS-DESCRIPTION {n}")
          for n, kind in enumerate(["call", "text", "following"])],
        # he is on GMP's register: where he lives, where he notified it and its acknowledgement
        # are GMP's to read (contract section 7)
        {"kind": "registration", "id": "GMP-REG-1", "source": "GMP", "person_id": "DM", "basis": "order",
         "order_id": "GMP-O-1", "start_on": "2024-02-01", "manager": "DC 2291"},
        {"kind": "notification", "id": "GMP-N-1", "source": "GMP", "person_id": "DM", "registration_id": "GMP-REG-1",
         "notified_on": "2024-02-02", "type": "initial", "names": [{"given_name": "Daniel", "family_name": "Marsh"}],
         "home_address": {"line1": "SECRET-GMP-HOME 4 Tanner Row", "town": "Salford", "postcode": "M6 5AB"},
         "station": "SECRET-GMP-STATION", "reference": "SECRET-GMP-ACK 0042"},
        incident("GMP-U-1", 70, "call", [], ["G-V1"], source="GMP", identifiers_used={"phones": ["07700 900999"]},
                 description="SECRET-GMP-DESCRIPTION unidentified"),
        incident("GMP-U-2", 71, "call", [], ["G-V1"], source="GMP", identifiers_used={"phones": ["07700 900999"]},
                 description="SECRET-GMP-DESCRIPTION unidentified"),
    ]


CHECKS = [
    {"subject": {"given_name": "Daniel", "family_name": "Marsh"}},
    {"subject": {"phones": ["07700 900555"]}},
    {"subject": {"given_name": "Hesper", "family_name": "Quillane", "dob": "1991-07-14"}},
    {"subject": {"emails": ["hesper.q@example.org"]}},
]


def answer_text(response: Any) -> str:
    """The whole answer as text: a zip's members, JSON as written and as decoded."""
    body = response.get_data()
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode("utf-8") for n in z.namelist())
    text = body.decode("utf-8")
    if response.mimetype == "application/json":
        text += json.dumps(response.get_json(), ensure_ascii=False)
    return text


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Purpose": "OP-NTK/1"}
