"""``POST /records``: collection from case systems, always all-or-nothing.

The body is a JSON array of records (``application/json``) or one record per line
(``application/x-ndjson``). Every record is validated first with the loaders' own models; any
fault answers 422 with every fault found (``errors`` [{index, id, field, message}], ``index``
0-based: the array position, or the line for NDJSON) and nothing is written. Otherwise all the
records are written in one transaction and the answer is ``{"accepted": n, "resolution": {...}}``.
The write is audited as ``collection`` (new records) and ``alteration`` (records that replaced
loaded ones). A key with an agency writes only that agency's records (``source``) and never
replaces another agency's: otherwise 403, nothing written.

After the write commits, the batch's person records are scored against the register
incrementally (:func:`graphsvc.services.resolution.resolve_persons`), so their ``POSSIBLY_SAME_AS``
proposals exist when the answer leaves; ``resolution`` says what happened. A failure there
(the model, Neo4j) never undoes or hides the committed write: it is logged and answered as
``{"status": "failed", ...}`` with 200. ``GRAPHSVC_AUTO_RESOLVE=0`` (or the app config
``AUTO_RESOLVE=False``) turns it off.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from flask import Response, current_app, g, request
from pydantic import BaseModel, ConfigDict, TypeAdapter

from graphsvc.api.access import answer, audit_now, principal, record, require
from graphsvc.api.blueprint import bp
from graphsvc.api.errors import RecordsInvalid
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import NDJSON, parse_records_body
from graphsvc.api.schemas import Accepted
from graphsvc.errors import Forbidden
from graphsvc.extensions import graph_db
from graphsvc.security.policy import Permission
from graphsvc.services import state as pattern_state
from graphsvc.services.ingest import resolve_written
from loaders.records import KINDS, AnyRecord, IncidentRecord, OrderRecord, PersonRecord, Record
from loaders.validate import validate_all
from graphsvc.repository.ingest import BatchWriter
from graphsvc.repository.records import existing_records

MAX_RECORDS = 10_000
RESOLVE_PURPOSE = "identity resolution of records received by POST /records"

log = logging.getLogger("graphsvc.records")

RECORDS_SCHEMA = TypeAdapter(list[Record])


class Resolution(BaseModel):
    """What the incremental identity resolution of the batch's persons did."""

    model_config = ConfigDict(extra="allow")

    status: Literal["done", "failed", "disabled", "skipped"]
    persons: int = 0
    links: int = 0
    proposed: int = 0
    message: str | None = None


class RecordsAccepted(Accepted):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "accepted": 3,
            "resolution": {"status": "done", "persons": 2, "links": 1, "proposed": 1, "candidates": 7,
                           "changed": 1, "deleted": 0, "decided": {"proposed": 1, "confirmed": 0, "rejected": 0},
                           "model": "default#3f2a9c1b7d10", "ms": 41.2},
        }]},
    )

    resolution: Resolution


def auto_resolve_enabled() -> bool:
    """App config ``AUTO_RESOLVE`` (from ``GRAPHSVC_AUTO_RESOLVE`` in the settings: default on)."""
    return bool(current_app.config["AUTO_RESOLVE"])


def auto_resolve_max() -> int:
    """App config ``AUTO_RESOLVE_MAX`` (from ``GRAPHSVC_AUTO_RESOLVE_MAX``: default 1,000)."""
    return int(current_app.config["AUTO_RESOLVE_MAX"])


def _resolve_batch(db: Any, person_ids: list[str]) -> dict[str, Any]:
    """Score the batch's persons against the register; never raises (the write is committed)."""
    if not auto_resolve_enabled():
        return {"status": "disabled", "persons": 0, "links": 0, "proposed": 0}
    if not person_ids:
        return {"status": "skipped", "persons": 0, "links": 0, "proposed": 0,
                "message": "no person records in the batch"}
    limit = auto_resolve_max()
    if len(person_ids) > limit:
        return {"status": "skipped", "persons": 0, "links": 0, "proposed": 0,
                "message": f"{len(person_ids)} person records: more than {limit} are not resolved inline; "
                           "run graphsvc resolve --incremental --from FILE (or a full graphsvc resolve)"}
    who = principal()
    done = resolve_written(
        db, person_ids, actor=who.actor, role=who.role.value, purpose=g.get("purpose") or RESOLVE_PURPOSE,
        audit_query={"request_id": g.get("request_id"), "method": request.method, "path": request.path,
                     "trigger": "records"},
    )
    ms = round(1000 * done.seconds, 1)
    if done.error is not None:
        log.error("identity resolution after POST /records failed; the %d record(s) stay written",
                  len(person_ids), exc_info=done.error)
        return {"status": "failed", "persons": len(person_ids), "links": 0, "proposed": 0,
                "error": type(done.error).__name__,
                "message": "the records were written; identity resolution failed and was logged. "
                           "Run graphsvc resolve --incremental for these persons.",
                "ms": ms}
    return {
        "status": "done",
        "persons": done.persons,
        "links": done.links,
        "proposed": done.decided.get("proposed", 0),
        "candidates": done.candidates,
        "changed": done.changed,
        "deleted": done.deleted,
        "decided": done.decided,
        "model": done.model,
        "ms": ms,
    }


def _people_named(records: list[AnyRecord]) -> list[str]:
    ids: dict[str, None] = {}
    for r in records:
        if isinstance(r, PersonRecord):
            ids[r.id] = None
        elif isinstance(r, IncidentRecord):
            ids.update(dict.fromkeys([*r.offender_ids, *r.victim_ids]))
        elif isinstance(r, OrderRecord):
            ids.update(dict.fromkeys([r.respondent_id, *r.protected_ids]))
        else:
            ids[r.person_id] = None
    return list(ids)


def _check_ownership(good: list[AnyRecord],
                     replaced: dict[str, dict[str, str]]) -> None:
    """A key with an agency writes only its own records (contract section 5: every record is owned
    by its ``source``): each record's ``source`` must be the key's agency, and a record loaded by
    another agency may not be replaced. Any breach refuses the whole batch (403, every breach in
    ``details``) before anything is written. National keys write for any agency."""
    agency = principal().agency
    if agency is None:
        return
    faults: list[dict[str, Any]] = []
    for index, r in enumerate(good):
        owner = replaced[f"{r.kind}s"].get(r.id)
        if r.source != agency:
            why = f"a key of {agency} writes only records whose source is {agency}, not {r.source}"
        elif owner is not None and owner != agency:
            why = f"{r.kind} {r.id} is already loaded by {owner}; only {owner} (or a national key) may replace it"
        else:
            continue
        faults.append({"index": index, "id": r.id, "field": "source", "message": why})
    if faults:
        raise Forbidden(f"{len(faults)} record(s) are not {agency}'s to write; nothing was written", faults)


@bp.post("/records")
@document(
    ApiDoc(
        summary="Load records, all or nothing",
        tag="records",
        body=RECORDS_SCHEMA,
        body_content=("application/json", NDJSON),
        response=RecordsAccepted,
        errors=(400, 401, 403, 409, 413, 415, 422, 429, 503),
        description=(
            "A JSON array of records (contract section 1), or one per line as application/x-ndjson. "
            "Every record is validated first; any fault answers 422 with every fault and nothing is "
            f"written. At most {MAX_RECORDS} records and 8 MiB per request. After the write, the batch's "
            "persons are scored against the register (POSSIBLY_SAME_AS proposals); `resolution` reports "
            "it (`status` done, failed, disabled or skipped). A failed resolution still answers 200: the "
            "records are written. A key with an agency may write only records whose `source` is its "
            "agency and may not replace a record another agency loaded: 403, every such record in "
            "`details`, nothing written."
        ),
        example=[
            {"kind": "person", "id": "WMP-P-1042", "source": "WMP", "given_name": "Daniel",
             "family_name": "Marsh", "phones": ["07700 900123"]},
            {"kind": "person", "id": "WMP-P-2001", "source": "WMP", "given_name": "Amy", "family_name": "Hale"},
            {"kind": "incident", "id": "WMP-I-77", "source": "WMP", "occurred_at": "2026-03-01T21:15:00",
             "type": "text", "offender_ids": ["WMP-P-1042"], "victim_ids": ["WMP-P-2001"]},
        ],
    )
)
@require(Permission.WRITE_RECORDS, audit="collection")
def post_records() -> Response:
    raws = parse_records_body(MAX_RECORDS)  # MAX_RECORDS read per call: tests lower it
    good, bad = validate_all(raws)
    if bad:
        raise RecordsInvalid(
            [{"index": r.line, "id": r.id, "field": r.field, "message": r.message} for r in bad]
        )
    db = graph_db.get()
    kinds = {f"{kind}_ids": [r.id for r in good if r.kind == kind] for kind in KINDS}
    replaced = existing_records(db, **kinds)
    _check_ownership(good, replaced)
    if good:
        BatchWriter(db).write_all(good)
    replaced_keys = {(kind[:-1], rid) for kind, owners in replaced.items() for rid in owners}
    new = [r for r in good if (r.kind, r.id) not in replaced_keys]
    changed = [r for r in good if (r.kind, r.id) in replaced_keys]
    record({"records": len(good), "record_ids": [r.id for r in new][:1000]})
    if changed:
        audit_now(
            "alteration", 200, {"records": len(changed), "record_ids": [r.id for r in changed][:1000]},
            _people_named(changed),
        )
    resolution = _resolve_batch(db, kinds["person_ids"])
    if resolution["status"] != "done":
        # the pattern state has this batch before the caller hears back (a resolution that ran
        # brought it up to date with its links: graphsvc.services.resolution.resolve_persons)
        pattern_state.settle(db)
    # No contact details to redact: the answer is counts and the resolution's summary.
    return answer({"accepted": len(good), "resolution": resolution}, _people_named(new), redact=False)
