"""Provenance as flat key/value text, for formats whose metadata holds only scalars."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["flat_provenance"]


def flat_provenance(provenance: dict[str, Any]) -> dict[str, str | int | bool]:
    out: dict[str, str | int | bool] = {}
    for key, value in provenance.items():
        if isinstance(value, bool | int | str):
            out[key] = value
        elif isinstance(value, list):
            out[key] = " ".join(str(v) for v in value)
        else:
            out[key] = json.dumps(value, sort_keys=True)
    return out
