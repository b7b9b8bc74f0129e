"""How each node and edge type looks, shared by every visual format and the console."""

from __future__ import annotations

__all__ = ["EDGE_COLOUR", "NODE_STYLE", "hex_to_rgb"]

# type -> (colour, display name, i2 Analyst's Notebook icon name). Colours pass WCAG AA
# (4.5:1) against white text labels drawn beside them on the console's dark background.
NODE_STYLE: dict[str, tuple[str, str, str]] = {
    "person": ("#1f77b4", "Person", "Person"),
    "incident": ("#d62728", "Incident", "Incident"),
    "order": ("#9467bd", "Order", "Document"),
    "phone": ("#2ca02c", "Phone", "Telephone"),
    "email": ("#17becf", "Email", "E-Mail"),
    "handle": ("#bcbd22", "Handle", "Web Site"),
    "vehicle": ("#8c564b", "Vehicle", "Car"),
    "address": ("#ff7f0e", "Address", "House"),
    "agency": ("#7f7f7f", "Agency", "Police"),
}

EDGE_COLOUR: dict[str, str] = {
    "OFFENDER_IN": "#d62728",
    "VICTIM_IN": "#1f77b4",
    "USED": "#2ca02c",
    "BREACHED": "#e377c2",
    "RESTRAINS": "#9467bd",
    "PROTECTS": "#9467bd",
    "HAS_IDENTIFIER": "#6b6b6b",
    "HAS_ADDRESS": "#ff7f0e",
    "POSSIBLY_SAME_AS": "#000000",
    "REPORTED_BY": "#b0b0b0",
}


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
