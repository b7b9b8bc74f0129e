"""``GET /persons/{id}/network``: a network export (a disclosure, audited as such); and the
timeline's pictures, ``GET /persons/{id}/timeline?format=svg|png`` (:func:`timeline_picture`,
called by that route in :mod:`graphsvc.api.persons`)."""

from __future__ import annotations

from typing import Any

from flask import Response

from graphsvc.api.access import answer, principal, record, require
from graphsvc.api.blueprint import bp
from graphsvc.api.openapi import ApiDoc, document
from graphsvc.api.parsing import check_person_id, parse_query
from graphsvc.api.schemas import NETWORK_FORMATS, NetworkQuery
from graphsvc.export import FORMATS, render
from graphsvc.export import timeline as timeline_picture_writer
from graphsvc.extensions import graph_db
from graphsvc.security.policy import Permission
from graphsvc.security.redaction import person_ids_in
from graphsvc.security.visibility import shown_to
from graphsvc.services.exports import person_network

__all__ = ["TIMELINE_CONTENT", "get_network", "timeline_picture"]

#: The pictures of the timeline: format -> mimetype (the writers are write_svg and write_png).
_TIMELINE_PICTURES = {
    "svg": timeline_picture_writer.SVG_MIMETYPE,
    "png": timeline_picture_writer.PNG_MIMETYPE,
}
#: What the timeline route documents for its pictures (beside its JSON answer).
TIMELINE_CONTENT: dict[str, Any] = {
    timeline_picture_writer.SVG_MIMETYPE: {"schema": {"type": "string"}},
    timeline_picture_writer.PNG_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
}

_CONTENT = {
    FORMATS[name].mimetype.split(";")[0]: {"schema": {"type": "object"} if name == "cytoscape" else
                                           {"type": "string", "format": "binary"}}
    for name in NETWORK_FORMATS
}


@bp.get("/persons/<id>/network")
@document(
    ApiDoc(
        summary="A person's network export (cytoscape, graphml, gexf, anx, csv, html)",
        tag="exports",
        query=NetworkQuery,
        response_content=_CONTENT,
        errors=(400, 401, 403, 404, 422, 429, 503),
        description="The neighbourhood of a person to depth 1-3 (steps between persons), redacted for "
        "the caller's role, with provenance. Audited as a disclosure with every person id exported.",
    )
)
@require(Permission.EXPORT, purpose=True, audit="disclosure")
def get_network(id: str) -> Response:  # noqa: A002 - the contract's path parameter
    check_person_id(id)
    q = parse_query(NetworkQuery)
    query = {"person_id": id, "depth": q.depth, "format": q.format}
    record(query)
    who = principal()
    network = person_network(graph_db.get(), id, q.depth, who.role.value, who.actor, agency=who.agency)
    content, mimetype = render(network, q.format)
    ids = [str(a["record_id"]) for _, a in network.graph.nodes(data=True) if a.get("type") == "person"]
    ext = FORMATS[q.format].extension
    # content_type, not mimetype: werkzeug appends "; charset=utf-8" to a text/* mimetype, and
    # the HTML format's type already names its charset (it was sent twice).
    response = Response(content, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="network-{id}-d{q.depth}.{ext}"'
    # The network was redacted for the caller's role and agency as it was read (person_network).
    return answer(response, [id, *ids], redact=False,
                  query={**query, "exported_nodes": network.graph.number_of_nodes()})


def timeline_picture(person_id: str, fmt: str, result: dict[str, Any], ids: list[str]) -> Response:
    """The timeline answer ``result`` drawn as ``fmt`` (svg or png), redacted for the caller's
    role and agency first as the json answer is (the picture is made from that answer, so a name
    the caller may not see is not drawn), with the person ids of the answer audited after ``ids``."""
    who = principal()
    role = who.role.value
    shown = shown_to(graph_db.get(), result, role, who.agency)
    if fmt == "svg":
        content = timeline_picture_writer.write_svg(shown, exported_by=who.actor, role=role).encode("utf-8")
    else:
        content = timeline_picture_writer.write_png(shown, exported_by=who.actor, role=role)
    response = Response(content, content_type=_TIMELINE_PICTURES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="timeline-{person_id}.{fmt}"'
    return answer(response, [*ids, *person_ids_in(shown)], redact=False)
