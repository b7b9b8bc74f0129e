"""Reading a request: path ids, the query string, the body (400, 404, 415 and 422 from here).

The query string and JSON bodies are validated by the pydantic models of
:mod:`graphsvc.api.schemas`; faults are listed per field (``[{field, message}]``). Path ids follow
the one record-id rule (:data:`loaders.records.RECORD_ID`): an id no record could have is not
found. :data:`PATH_ID_PATTERN` is what the OpenAPI document promises for them.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from graphsvc.api.errors import BadRequest, RecordsInvalid, TooManyRecords, UnsupportedMediaType
from graphsvc.errors import InvalidInput, NotFound
from loaders.records import RECORD_ID, RECORD_ID_PATTERN
from loaders.sources import RawRecord

__all__ = [
    "check_person_id",
    "is_key_id",
    "parse_query",
    "parse_json_body",
    "parse_records_body",
    "require_content_type",
    "NDJSON",
    "KEY_ID_PATTERN",
    "PATH_ID_PATTERN",
]

M = TypeVar("M", bound=BaseModel)

NDJSON = "application/x-ndjson"

KEY_ID_PATTERN = r"^[0-9a-f]{16}$"
_KEY_ID = re.compile(KEY_ID_PATTERN)


def _path_id_pattern(record_id: str) -> str:
    """The record-id rule without a leading dot, for ids that travel as a URL path segment.

    A segment ``.`` or ``..`` is a dot segment: HTTP clients (``requests``, browsers, most
    generated clients) remove it before sending (RFC 3986 section 5.2.4), so ``/persons/./fixation``
    arrives as ``/persons/fixation``. Such ids cannot be asked for by path, so the document does
    not offer them; the routes themselves still take any record id.
    """
    found = re.fullmatch(r"\^(\[[^\]]*\])\{1,(\d+)\}\$", record_id)
    if found is None or "." not in found[1]:
        raise ValueError(f"the record-id rule {record_id!r} no longer reads [chars]{{1,n}}: derive the path rule anew")
    chars, longest = found[1], int(found[2])
    return f"^{chars.replace('.', '', 1)}{chars}{{0,{longest - 1}}}$"


PATH_ID_PATTERN = _path_id_pattern(RECORD_ID_PATTERN)


def check_person_id(person_id: str) -> None:
    """A path id that no record could have is simply not found (404)."""
    if not RECORD_ID.match(person_id):
        raise NotFound("no person with that id")


def is_key_id(key_id: str) -> bool:
    """Whether a path's API key id could be one (16 hex characters)."""
    return _KEY_ID.match(key_id) is not None


def _field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or None, "message": err["msg"].removeprefix("Value error, ")}
        for err in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


def parse_query(model: type[M]) -> M:
    """The query string validated by ``model`` (400 with the faulty parameters otherwise)."""
    data: dict[str, Any] = {}
    for name in request.args:
        values = request.args.getlist(name)
        data[name] = values if len(values) > 1 else values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest("invalid query parameters", _field_errors(exc)) from None


def require_content_type(*allowed_types: str) -> str:
    """The request's body type when it is one of ``allowed_types`` (415 otherwise)."""
    mimetype = request.mimetype or ""
    if mimetype not in allowed_types:
        raise UnsupportedMediaType(
            f"send the body as {' or '.join(allowed_types)}", {"received": mimetype or None}
        )
    return mimetype


def parse_json_body(model: type[M]) -> M:
    """The JSON body validated by ``model``: 415 for another type, 400 for bad JSON, 422 invalid."""
    require_content_type("application/json")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the decoder's stack: not JSON we accept
        data = None
    if data is None:
        raise BadRequest("the body is not valid JSON")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("the request body is not valid", _field_errors(exc)) from None


def parse_records_body(max_records: int) -> list[RawRecord]:
    """``POST /records``' body as raw records, each still to be validated: a JSON array, or one
    record per line (NDJSON, where a line that is not JSON becomes a record with a problem).
    415 for another type, 400 for an array that is not JSON, 422 for JSON that is not an array,
    413 for more than ``max_records``."""
    mimetype = require_content_type("application/json", NDJSON)
    body = request.get_data(cache=False)
    if mimetype == NDJSON:
        raws: list[RawRecord] = []
        for index, line in enumerate(body.split(b"\n")):
            if not line.strip():
                continue
            try:
                raws.append(RawRecord("<request>", index, data=json.loads(line.decode("utf-8"))))
            except UnicodeDecodeError:
                raws.append(RawRecord("<request>", index, problem="not UTF-8"))
            except (json.JSONDecodeError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                raws.append(RawRecord("<request>", index, problem=f"invalid JSON: {reason}"))
            if len(raws) > max_records:
                break
    else:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise BadRequest("the body is not valid JSON") from None
        if not isinstance(data, list):
            raise RecordsInvalid(
                [{"index": None, "id": None, "field": None, "message": "the body must be a JSON array of records"}]
            )
        raws = [RawRecord("<request>", index, data=item) for index, item in enumerate(data[: max_records + 1])]
    if len(raws) > max_records:
        raise TooManyRecords(f"at most {max_records} records per request; split the batch")
    return raws
