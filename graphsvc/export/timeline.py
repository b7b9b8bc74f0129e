"""A perpetrator's timeline as a picture: the timeline answer of ``GET /persons/{id}/timeline``
(built by :mod:`graphsvc.services.timeline`) drawn as SVG here, and as PNG from that same SVG
by CairoSVG (:func:`graphsvc.export.image.svg_to_png`), so both show one picture.

What the picture holds, for an analyst reading it in a case file:

- one row per distinct victim (the answer's rows: her identity group, a proposed link marked),
  labelled by name with her record id, her number of records and incidents;
- each incident a mark at its local date and time (contract section 9: the wall-clock time
  shown in the answer, so 00:55 on 22 August sits on 22 August), coloured and sized by
  severity on a colour-blind-safe sequential scale (viridis: ordered by lightness, readable
  with deuteranopia, protanopia and tritanopia and in greyscale), with a legend naming the
  incident types of each level; marks closer than their own width (a burst of calls over a few
  days, drawn on a years-long axis) stack in lanes and the row grows to hold them, so none is
  drawn over another;
- breaches drawn distinctly, by shape and not colour alone (a diamond with a heavy outline);
- orders as bands across the rows of the victims they protect, from issue to expiry (clipped
  to the axis, the expiry written at the band's end);
- a date axis of months, of days when the range is short (up to 10 weeks), of years with
  month ticks when it is long (over 4 years);
- the provenance footer of every picture export (handling notice, who exported it, role, when,
  agencies, what is drawn).

Every mark carries its record id (``data-record-id``) and a tooltip, so the SVG can be searched
and the console can highlight evidence in it. The input is not trusted to be complete: a row
without incidents, an order that protects nobody drawn, a missing range are drawn or said, not
crashed on.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from typing import Any

from graphsvc.export.image import svg_to_png
from graphsvc.export.network import NOTICE
from graphsvc.security.visibility import withholder
from loaders.records import iso

__all__ = ["PNG_MIMETYPE", "SEVERITY_COLOURS", "SVG_MIMETYPE", "write_png", "write_svg"]

SVG_MIMETYPE = "image/svg+xml"
PNG_MIMETYPE = "image/png"

# viridis at seven evenly spaced points, light (low severity) to dark (high): sequential and
# colour-blind safe. The lightest end of viridis (#fde725) is left out: a yellow mark on white
# cannot be seen.
SEVERITY_COLOURS: tuple[str, ...] = ("#b5de2b", "#6ece58", "#35b779", "#1f9e89", "#26828e", "#3e4989", "#440154")
_ORDER_FILL = "#e08214"  # orange (PuOr), apart from every viridis step
_WIDTH = 1280.0
_LABEL_W = 300.0
_RIGHT = 30.0
_ROW_H = 36.0  # a row with one lane of marks
_LANE = 18.0  # marks closer than _GAP px along a row stack in lanes this far apart (at most _MAX_LANES)
_GAP = 21.0  # the widest mark (a severity-7 breach diamond) and a pixel
_MAX_LANES = 16
_FIRST_LANE = 23.0  # the first lane's centre below the row's top: the order bands' labels run above it
_TOP = 118.0
_PNG_SCALE = 1.5  # report-size PNG: sharper text than 1:1


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _when(text: Any) -> dt.datetime | None:
    """The wall-clock moment of an answer's date or date-time (its local time as shown, the
    offset dropped); a date-only value is placed at noon of its day. None when unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(12))
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def _day(text: Any) -> dt.datetime | None:
    moment = _when(text)
    return None if moment is None else dt.datetime.combine(moment.date(), dt.time())


def _colour(level: int) -> str:
    return SEVERITY_COLOURS[max(1, min(level, len(SEVERITY_COLOURS))) - 1]


def _bounds(timeline: Mapping[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """The axis: the answer's range (incidents and orders' issue dates), widened to whole days
    and padded so the first and last marks do not sit on the frame."""
    rng = timeline.get("range") or {}
    moments = [m for m in (_day(rng.get("start")), _day(rng.get("end"))) if m is not None]
    for row in timeline.get("rows") or []:
        moments += [m for m in (_when(i.get("occurred_at")) for i in row.get("incidents") or []) if m]
    if not moments:
        today = dt.datetime.combine(dt.date.today(), dt.time())
        return today - dt.timedelta(days=15), today + dt.timedelta(days=15)
    start = dt.datetime.combine(min(moments).date(), dt.time())
    end = dt.datetime.combine(max(moments).date(), dt.time()) + dt.timedelta(days=1)
    pad = max(dt.timedelta(days=1), (end - start) * 0.03)
    return start - pad, end + pad


def _month_starts(start: dt.datetime, end: dt.datetime) -> Iterable[dt.datetime]:
    m = dt.datetime(start.year, start.month, 1)
    while m <= end:
        if m >= start:
            yield m
        m = dt.datetime(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _ticks(start: dt.datetime, end: dt.datetime) -> tuple[list[tuple[dt.datetime, str, bool]], str]:
    """(tick, label, major) for the axis, and the unit named in the axis caption."""
    days = (end - start).days
    if days <= 70:
        step = 1 if days <= 21 else 7
        first = dt.datetime.combine(start.date(), dt.time()) + dt.timedelta(days=1)
        if step == 7:
            first += dt.timedelta(days=(7 - first.weekday()) % 7)  # Mondays
        out: list[tuple[dt.datetime, str, bool]] = []
        t = first
        while t <= end:
            major = t.day == 1 or t == first
            out.append((t, f"{t.day} {t:%b}" + (f" {t.year}" if major else ""), major))
            t += dt.timedelta(days=step)
        if step == 7:  # daily minor ticks between the labelled Mondays
            t = dt.datetime.combine(start.date(), dt.time()) + dt.timedelta(days=1)
            while t <= end:
                if t.weekday():
                    out.append((t, "", False))
                t += dt.timedelta(days=1)
        return out, "days" if step == 1 else "weeks (Mondays)"
    months = list(_month_starts(start, end))
    if days <= 4 * 366:
        every = 1 if days <= 800 else 3
        return ([(m, f"{m:%b}" + (f" {m.year}" if m.month == 1 or i == 0 else ""), m.month == 1)
                 if (m.month - 1) % every == 0 else (m, "", False) for i, m in enumerate(months)],
                "months")
    return [(m, str(m.year) if m.month == 1 else "", m.month == 1) for m in months], "years, month ticks"


def _row_name(label: str) -> str:
    """A row's name as the picture prints it: "Name withheld (GMP)" for one another agency
    withheld (contract section 5), as the console does, not the answer's marker."""
    agency = withholder(label)
    return f"Name withheld ({agency})" if agency else label


def _n(count: int, one: str, many: str | None = None) -> str:
    """"1 order", "2 orders": the footer's counts in words that read."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def _row_text(row: Mapping[str, Any]) -> tuple[str, str]:
    records = row.get("record_ids") or [row.get("victim_id")]
    incidents = len(row.get("incidents") or [])
    second = [str(row.get("victim_id", "")),
              f"{len(records)} records" if len(records) > 1 else "",
              "proposed link" if row.get("proposed") else "",
              _n(incidents, "incident")]
    return _row_name(str(row.get("label") or row.get("victim_id") or "?")), " · ".join(p for p in second if p)


def _order_name(order: Mapping[str, Any]) -> str:
    kind = str(order.get("type") or "order").replace("_", " ")
    state = order.get("status") or ("active" if order.get("active") else "not in force")
    return f"{kind} {order.get('id', '')} ({state})"


def _radius(level: int) -> float:
    """Size grows with severity too, so the scale reads without colour."""
    return 3.5 + 0.6 * max(1, min(level, len(SEVERITY_COLOURS)))


def _mark(x: float, y: float, inc: Mapping[str, Any], scale: Mapping[str, int]) -> str:
    level = int(inc.get("severity") or scale.get(str(inc.get("type")), 1) or 1)
    colour = _colour(level)
    r = _radius(level)
    tip = (f"{inc.get('id')}: {inc.get('type') or 'incident'}, {inc.get('occurred_at')}"
           f"{' (date only)' if inc.get('occurred_precision') == 'date' else ''}, severity {level}"
           f"{', BREACH' + (' of ' + str(inc['order_id']) if inc.get('order_id') else '') if inc.get('breach') else ''}")
    attrs = f'data-record-id="{_esc(inc.get("id"))}" data-severity="{level}"'
    if inc.get("breach"):
        d = r + 2.0
        return (f'<path class="breach" {attrs} d="M{x:.1f} {y - d:.1f}L{x + d:.1f} {y:.1f}L{x:.1f} {y + d:.1f}'
                f'L{x - d:.1f} {y:.1f}Z" fill="{colour}" stroke="#000" stroke-width="2.2">'
                f"<title>{_esc(tip)}</title></path>")
    dash = ' stroke-dasharray="2 1.5"' if inc.get("occurred_precision") == "date" else ""
    return (f'<circle class="incident" {attrs} cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" '
            f'stroke="#222" stroke-width="1"{dash}><title>{_esc(tip)}</title></circle>')


def _legend(scale: Mapping[str, int], y: float) -> list[str]:
    by_level: dict[int, list[str]] = {}
    for kind, level in sorted(scale.items(), key=lambda kv: (kv[1], kv[0])):
        by_level.setdefault(int(level), []).append(kind.replace("_", " "))
    out = [f'<g class="legend" font-size="10" fill="#222"><text x="20" y="{y:.0f}" font-weight="bold">'
           "Severity (incident types)</text>"]
    x = 20.0
    for level in range(1, len(SEVERITY_COLOURS) + 1):
        kinds = by_level.get(level, [])
        text = f"{level} " + (", ".join(kinds) if kinds else "")
        out.append(f'<circle cx="{x + 6:.0f}" cy="{y + 14:.0f}" r="{_radius(level):.1f}" fill="{_colour(level)}" '
                   f'stroke="#222"/><text x="{x + 16:.0f}" y="{y + 18:.0f}">{_esc(text)}</text>')
        x += 30 + 5.4 * len(text)
        if x > _WIDTH - 200 and level < len(SEVERITY_COLOURS):
            x, y = 20.0, y + 22
    y2 = y + 40
    out.append(
        f'<path d="M26 {y2 - 7:.0f}L33 {y2:.0f}L26 {y2 + 7:.0f}L19 {y2:.0f}Z" fill="#fff" stroke="#000" stroke-width="2.2"/>'
        f'<text x="40" y="{y2 + 4:.0f}">breach of an order</text>'
        f'<circle cx="170" cy="{y2:.0f}" r="6" fill="#fff" stroke="#222" stroke-dasharray="2 1.5"/>'
        f'<text x="180" y="{y2 + 4:.0f}">dated to the day only (drawn at noon)</text>'
        f'<rect x="400" y="{y2 - 7:.0f}" width="28" height="14" fill="{_ORDER_FILL}" fill-opacity="0.22" '
        f'stroke="{_ORDER_FILL}"/><text x="434" y="{y2 + 4:.0f}">order protecting the victim, issue to expiry</text>'
        "</g>")
    return out


def _lanes(xs: list[float]) -> tuple[list[int], int]:
    """A lane for each mark (x in px, in time order) so that no two in a lane are closer than
    _GAP: the first lane free, or when all _MAX_LANES are taken the one free longest. The same
    rule as the console's timeline (graphsvc/web/static/js/timeline.js)."""
    last: list[float] = []
    lanes: list[int] = []
    for x in xs:
        lane = next((k for k, lx in enumerate(last) if x - lx >= _GAP), -1)
        if lane < 0 and len(last) < _MAX_LANES:
            last.append(x)
            lane = len(last) - 1
        elif lane < 0:
            lane = last.index(min(last))
        last[lane] = x
        lanes.append(lane)
    return lanes, max(1, len(last))


def _svg(timeline: Mapping[str, Any], exported_by: str, role: str,
         exported_at: str | None) -> tuple[str, float, float]:
    rows: list[Mapping[str, Any]] = list(timeline.get("rows") or [])
    orders: list[Mapping[str, Any]] = list(timeline.get("orders") or [])
    scale: Mapping[str, int] = timeline.get("severity_scale") or {}
    start, end = _bounds(timeline)
    plot_x0, plot_x1 = _LABEL_W, _WIDTH - _RIGHT
    span = (end - start).total_seconds()

    def x_of(moment: dt.datetime) -> float:
        return plot_x0 + (plot_x1 - plot_x0) * (moment - start).total_seconds() / span

    top = _TOP + (22 if len(scale) > 14 else 0)
    # each row's marks in time order, stacked in lanes where they are close; rows grow to fit
    placed: list[list[tuple[float, int, Mapping[str, Any]]]] = []
    row_h: list[float] = []
    for row in rows:
        dated = sorted(((m, str(inc.get("id")), inc) for inc in row.get("incidents") or []
                        if (m := _when(inc.get("occurred_at"))) is not None), key=lambda t: (t[0], t[1]))
        xs = [x_of(m) for m, _, _ in dated]
        lanes, n = _lanes(xs)
        placed.append([(x, lane, inc) for x, lane, (_, _, inc) in zip(xs, lanes, dated, strict=True)])
        row_h.append(max(_ROW_H, _FIRST_LANE + (n - 1) * _LANE + 13))
    row_top = [top + sum(row_h[:i]) for i in range(len(rows))]
    plot_h = sum(row_h) if rows else _ROW_H
    axis_y = top + plot_h
    height = axis_y + 40 + 44
    person = str(timeline.get("person_id", ""))
    title = f"Timeline of {person}: {_n(len(rows), 'victim')}"
    rng = timeline.get("range") or {}
    incidents_n = sum(len(r.get("incidents") or []) for r in rows)
    breaches = list(timeline.get("breaches") or [])
    sub = (f"{rng.get('start') or '?'} to {rng.get('end') or '?'} · {_n(incidents_n, 'incident')} · "
           f"{_n(len(orders), 'order')} · {_n(len(breaches), 'breach', 'breaches')} · "
           "times are Europe/London wall-clock time")
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH:.0f}" height="{height:.0f}" '
         f'viewBox="0 0 {_WIDTH:.0f} {height:.0f}" font-family="DejaVu Sans, Arial, sans-serif">'),
        f"<title>{_esc(title)}</title>",
        f"<desc>{_esc(NOTICE)} Exported by {_esc(exported_by)} ({_esc(role)}) at {_esc(exported_at)}.</desc>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="20" y="26" font-size="17" font-weight="bold" fill="#111">{_esc(title)}</text>',
        f'<text x="20" y="44" font-size="11" fill="#444">{_esc(sub)}</text>',
    ]
    out += _legend(scale, 62)
    # rows: stripes and labels
    out.append('<g class="rows">')
    for i, row in enumerate(rows):
        y = row_top[i]
        out.append(f'<rect class="row" data-record-id="{_esc(row.get("victim_id"))}" x="0" y="{y:.1f}" '
                   f'width="{_WIDTH:.0f}" height="{row_h[i]:.0f}" fill="{"#f4f4f4" if i % 2 == 0 else "none"}"/>')
        name, second = _row_text(row)
        out.append(f'<text x="12" y="{y + 15:.1f}" font-size="12" font-weight="bold" fill="#111" '
                   f'data-record-id="{_esc(row.get("victim_id"))}">{_esc(name[:40])}</text>'
                   f'<text x="12" y="{y + 29:.1f}" font-size="9.5" fill="#555">{_esc(second[:58])}</text>')
    if not rows:
        out.append(f'<text x="{plot_x0 + 10:.0f}" y="{top + 22:.0f}" font-size="12" fill="#555">'
                   "No incidents with an identified victim are recorded for this person.</text>")
    out.append("</g>")
    # the axis grid
    ticks, unit = _ticks(start, end)
    out.append('<g class="axis" font-size="10" fill="#333">')
    for t, label, major in ticks:
        x = x_of(t)
        colour, w = ("#b8b8b8", 1.0) if major else (("#d8d8d8", 0.7) if label else ("#ececec", 0.5))
        out.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{axis_y:.1f}" stroke="{colour}" '
                   f'stroke-width="{w}"/><line x1="{x:.1f}" y1="{axis_y:.1f}" x2="{x:.1f}" '
                   f'y2="{axis_y + (6 if label else 3):.1f}" stroke="#333"/>')
        if label:
            weight = ' font-weight="bold"' if major else ""
            out.append(f'<text x="{x:.1f}" y="{axis_y + 18:.1f}" text-anchor="middle"{weight}>{_esc(label)}</text>')
    out.append(f'<line x1="{plot_x0:.0f}" y1="{axis_y:.1f}" x2="{plot_x1:.0f}" y2="{axis_y:.1f}" stroke="#333"/>'
               f'<line x1="{plot_x0:.0f}" y1="{top:.1f}" x2="{plot_x0:.0f}" y2="{axis_y:.1f}" stroke="#999"/>'
               f'<text x="{plot_x1:.0f}" y="{axis_y + 32:.1f}" text-anchor="end" fill="#666">axis: {unit}</text></g>')
    # orders: one band per protected row
    row_of = {rid: i for i, row in enumerate(rows) for rid in (row.get("record_ids") or [row.get("victim_id")])}
    unplaced: list[str] = []
    outside: list[str] = []  # not in force at any time the axis shows
    out.append('<g class="orders" font-size="9" fill="#7a3d00">')
    for order in orders:
        hit = sorted({row_of[p] for p in order.get("protected_ids") or [] if p in row_of})
        issued = _day(order.get("issued_on"))
        if not hit or issued is None:
            unplaced.append(str(order.get("id")))
            continue
        expires = _day(order.get("expires_on"))
        if expires is not None and expires + dt.timedelta(days=1) <= start or issued >= end:
            outside.append(str(order.get("id")))
            continue
        x0 = x_of(max(issued, start))
        x1 = x_of(min(expires + dt.timedelta(days=1), end) if expires else end)
        tail = f" → expires {order.get('expires_on')}" if expires and expires >= end else (
            "" if expires else " → no expiry")
        for i in hit:
            y = row_top[i] + 3
            dash = "" if order.get("active") else ' stroke-dasharray="5 3"'
            out.append(f'<rect class="order" data-record-id="{_esc(order.get("id"))}" x="{x0:.1f}" y="{y:.1f}" '
                       f'width="{max(x1 - x0, 2):.1f}" height="{row_h[i] - 6:.0f}" fill="{_ORDER_FILL}" '
                       f'fill-opacity="0.16" stroke="{_ORDER_FILL}" stroke-width="1.2"{dash}>'
                       f"<title>{_esc(_order_name(order))}: issued {_esc(order.get('issued_on'))}, expires "
                       f"{_esc(order.get('expires_on') or 'never')}</title></rect>"
                       f'<text x="{x0 + 4:.1f}" y="{y + 9:.1f}">{_esc(_order_name(order) + tail)}</text>')
    out.append("</g>")
    # incidents: low severity first, so the severe marks are drawn on top
    marks: list[tuple[int, bool, str]] = []
    for i, row_marks in enumerate(placed):
        for x, lane, inc in row_marks:
            marks.append((int(inc.get("severity") or 1), bool(inc.get("breach")),
                          _mark(x, row_top[i] + _FIRST_LANE + lane * _LANE, inc, scale)))
    out.append('<g class="incidents">')
    out.extend(m for _, _, m in sorted(marks, key=lambda m: (m[1], m[0])))
    out.append("</g>")
    agencies = sorted({str(r["source"]) for r in rows if r.get("source")})
    line2 = (f"Exported by {exported_by} ({role}) at {exported_at}; agencies: {', '.join(agencies) or 'none'}; "
             f"subject {person}; {_n(len(rows), 'row')}, {_n(incidents_n, 'incident')}, {_n(len(orders), 'order')}, "
             f"{_n(len(breaches), 'breach', 'breaches')}"
             + (f"; orders protecting no drawn victim: {', '.join(unplaced)}" if unplaced else "")
             + (f"; orders not in force in the period drawn: {', '.join(outside)}" if outside else "") + ".")
    out.append(f'<text x="20" y="{height - 26:.0f}" font-size="9" fill="#333">{_esc(NOTICE)}</text>'
               f'<text x="20" y="{height - 12:.0f}" font-size="9" fill="#333">{_esc(line2)}</text>')
    out.append("</svg>")
    return "\n".join(out), _WIDTH, height


def write_svg(timeline: Mapping[str, Any], *, exported_by: str, role: str,
              exported_at: str | None = None) -> str:
    """The timeline answer drawn as SVG text (UTF-8 when encoded).

    Parameters
    ----------
    timeline : the json answer of ``GET /persons/{id}/timeline``, already redacted for ``role``.
    exported_by, role : who asked, for the provenance footer.
    exported_at : when; now (through :func:`loaders.records.iso`) when not given.
    """
    return _svg(timeline, exported_by, role, exported_at or _now())[0]


def write_png(timeline: Mapping[str, Any], *, exported_by: str, role: str,
              exported_at: str | None = None) -> bytes:
    """The same picture as :func:`write_svg`, rasterised by CairoSVG (at 1.5x, for print)."""
    svg, width, height = _svg(timeline, exported_by, role, exported_at or _now())
    return svg_to_png(svg.encode("utf-8"), width, height, scale=_PNG_SCALE)


def _now() -> str:
    return str(iso(dt.datetime.now(dt.UTC).replace(microsecond=0)))
