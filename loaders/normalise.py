"""Normalisation of identifiers to their stored form (contract section 1).

Each function takes what an agency sent and returns the stored form, or raises ``ValueError``
with a message fit for a rejected-record report. Libraries do the hard parts: ``phonenumbers``
(Google's libphonenumber metadata) for E.164, ``email-validator`` for addresses.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

__all__ = [
    "phone",
    "email",
    "handle",
    "vehicle",
    "postcode",
    "name_key",
    "address_key",
]

DEFAULT_REGION = "GB"
_VEHICLE = re.compile(r"^[A-Z0-9]{1,12}$")
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_HANDLE_PART = re.compile(r"^[a-z0-9._\-]+$")


# Identifiers repeat across records (one phone in many incidents): the parsers are pure, so
# their results are cached (bounded, so memory stays flat on any input size).
@lru_cache(maxsize=262_144)
def phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """E.164 for any common notation; UK numbers may be written nationally ('07700 900123').

    A number that parses as a *possible* number is kept even where it is not allocated today
    (foreign, VoIP, Ofcom's drama ranges): evidence is never dropped for that.

    >>> phone("07700 900123")
    '+447700900123'
    """
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a possible phone number (wrong length for its country)")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=262_144)
def email(raw: str) -> str:
    """Lower-case address; the syntax is checked, deliverability is not (no network)."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not an email address: {exc}") from None
    return result.normalized.lower()


def handle(platform: str, raw: str) -> tuple[str, str]:
    """(platform, handle) lower-cased, without a leading '@'."""
    plat = platform.strip().lower()
    value = raw.strip().lower().lstrip("@")
    if not plat or not _HANDLE_PART.match(plat):
        raise ValueError("platform must be letters, digits, '.', '_' or '-'")
    if not value or len(value) > 100 or any(ch.isspace() for ch in value):
        raise ValueError("handle must be 1-100 characters without spaces")
    return plat, value


def vehicle(raw: str) -> str:
    """Registration upper-case without spaces or hyphens ('ab12 cde' -> 'AB12CDE')."""
    value = re.sub(r"[\s\-]", "", raw).upper()
    if not _VEHICLE.match(value):
        raise ValueError("a registration is 1-12 letters and digits")
    return value


def postcode(raw: str) -> str:
    """UK postcodes in their standard form ('sw1a1aa' -> 'SW1A 1AA'); others upper-cased."""
    value = " ".join(raw.upper().split())
    match = _UK_POSTCODE.match(value)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return value


def name_key(value: str) -> str:
    """Case- and accent-folded form of a name, for matching (not for display)."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().replace("-", " ").replace("'", "").split())


def address_key(line1: str | None, town: str | None, pc: str | None) -> str:
    """The key that makes two records' copies of one address one Address node."""
    return "|".join(name_key(part or "") for part in (line1, town, pc))
