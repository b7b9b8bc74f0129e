"""Static pictures for reports: SVG drawn here from the radial layout, PNG rendered from that
SVG by CairoSVG (so both formats show the same picture). A legend and the provenance footer
(who exported it, when, from which agencies) are part of the image."""

from __future__ import annotations

import html
import io
from collections import Counter

from cairosvg.parser import Tree
from cairosvg.surface import PNGSurface
from PIL import Image

from graphsvc.export.layout import radial_layout
from graphsvc.export.network import Network
from graphsvc.export.style import EDGE_COLOUR, NODE_STYLE

__all__ = ["svg_to_png", "write_png", "write_svg"]

SVG_MIMETYPE = "image/svg+xml"
PNG_MIMETYPE = "image/png"
_MARGIN = 40.0
_PNG_MAX = 1800.0  # pixels on the longer side; large networks are scaled down
_LABEL_LIMIT = 400  # above this many nodes only the nearest persons are labelled ...
_MAX_LABELS = 150  # ... at most this many


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def write_svg(network: Network) -> bytes:
    return _svg(network)[0]


def _svg(network: Network, for_raster: bool = False) -> tuple[bytes, float, float]:
    """The drawing. ``for_raster`` (the PNG's input) leaves out what a bitmap cannot use, the
    per-node tooltips, and draws large networks' nodes as one path per colour and size."""
    g = network.graph
    prov = network.provenance
    pos = radial_layout(g)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    width = max(max_x - min_x + 2 * _MARGIN + 220, 640)
    height = max(max_y - min_y + 2 * _MARGIN + 60, 480)

    def tx(x: float) -> float:
        return x - min_x + _MARGIN

    def ty(y: float) -> float:
        return y - min_y + _MARGIN + 30

    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
         f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Arial, sans-serif">'),
        f"<title>{_esc(network.title)}</title>",
        (f"<desc>{_esc(prov.get('notice', ''))} Exported by {_esc(prov.get('exported_by'))} "
         f"at {_esc(prov.get('exported_at'))}.</desc>"),
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{_MARGIN}" y="24" font-size="16" font-weight="bold" fill="#111">{_esc(network.title)}</text>',
        '<g stroke-width="1" stroke-opacity="0.6">',
    ]
    # One path per relationship type (not one element per edge): a tenth of the elements to
    # parse and draw, which is what keeps the PNG of a 2,000-node network within budget.
    segments: dict[str, list[str]] = {}
    small = g.number_of_nodes() <= _LABEL_LIMIT
    for u, v, attrs in g.edges(data=True):
        if not small and attrs["type"] == "REPORTED_BY":
            continue  # thousands of lines to a few agencies hide everything else
        (x1, y1), (x2, y2) = pos[u], pos[v]
        segments.setdefault(attrs["type"], []).append(
            f"M{tx(x1):.1f} {ty(y1):.1f}L{tx(x2):.1f} {ty(y2):.1f}")
    for rtype, parts in sorted(segments.items()):
        dash = ' stroke-dasharray="4 3"' if rtype == "POSSIBLY_SAME_AS" else ""
        out.append(f'<path class="edges-{rtype.lower()}" fill="none" '
                   f'stroke="{EDGE_COLOUR.get(rtype, "#999")}"{dash} d="{"".join(parts)}"/>')
    out.append("</g>")
    label_all = g.number_of_nodes() <= _LABEL_LIMIT
    # Large networks: label the nearest persons only (text is what costs most to render, and
    # thousands of labels are unreadable at report size anyway).
    labelled = set(g.nodes) if label_all else set(sorted(
        (n for n, d in g.nodes(data=True) if d["type"] == "person" or d.get("subject")),
        key=lambda n: (g.nodes[n].get("level", 0), n))[:_MAX_LABELS])
    out.append('<g stroke="#ffffff" stroke-width="1">' if label_all else "<g>")
    labels: list[str] = []
    dots: dict[tuple[str, int], list[str]] = {}
    for n, attrs in g.nodes(data=True):
        x, y = tx(pos[n][0]), ty(pos[n][1])
        r = 11 if attrs.get("subject") else 6 if attrs["type"] == "person" else 4
        colour = NODE_STYLE[attrs["type"]][0]
        if for_raster and not label_all:
            dots.setdefault((colour, r), []).append(
                f"M{x - r:.1f} {y:.1f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0")
        elif for_raster:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>')
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}">'
                       f"<title>{_esc(attrs.get('label', n))}</title></circle>")
        if n in labelled:
            weight = ' font-weight="bold"' if attrs.get("subject") else ""
            labels.append(f'<text x="{x + r + 2:.1f}" y="{y + 3:.1f}" font-size="9"{weight}>'
                          f"{_esc(attrs.get('label', n))}</text>")
    for (colour, _r), parts in dots.items():
        out.append(f'<path fill="{colour}" d="{"".join(parts)}"/>')
    out.append("</g>")
    out.append('<g fill="#111">')
    out.extend(labels)
    out.append("</g>")
    counts = Counter(d["type"] for _, d in g.nodes(data=True))
    lx = width - 200
    out.append(f'<g font-size="11"><text x="{lx:.0f}" y="50" font-weight="bold">Legend</text>')
    for i, (ntype, (colour, name, _)) in enumerate(NODE_STYLE.items()):
        y = 68 + i * 16
        out.append(f'<circle cx="{lx + 6:.0f}" cy="{y - 4}" r="5" fill="{colour}"/>'
                   f'<text x="{lx + 16:.0f}" y="{y}">{name} ({counts.get(ntype, 0)})</text>')
    out.append("</g>")
    footer = (f"{prov.get('notice', '')} Exported by {prov.get('exported_by')} ({prov.get('role')}) at "
              f"{prov.get('exported_at')}; agencies: {', '.join(prov.get('agencies', []))}; "
              f"{prov.get('node_count')} nodes, {prov.get('edge_count')} edges"
              f"{' (truncated at the node cap)' if prov.get('truncated') else ''}"
              f"{'' if small else '; reported-by links to agencies not drawn'}.")
    out.append(f'<text x="{_MARGIN}" y="{height - 12:.0f}" font-size="9" fill="#333">{_esc(footer)}</text>')
    out.append("</svg>")
    return "\n".join(out).encode("utf-8"), width, height


def write_png(network: Network) -> bytes:
    """The SVG rasterised by CairoSVG (:func:`svg_to_png`)."""
    svg, width, height = _svg(network, for_raster=True)
    return svg_to_png(svg, width, height, scale=min(1.0, _PNG_MAX / max(width, height)))


def svg_to_png(svg: bytes, width: float, height: float, scale: float = 1.0) -> bytes:
    """An SVG of ``width`` x ``height`` rasterised by CairoSVG at ``scale``; the pixels are
    PNG-encoded by Pillow at a fast zlib level (cairo's own encoder alone took most of the time
    budget for large networks). Shared by every picture export (networks, timelines)."""
    tree = Tree(bytestring=svg, unsafe=False)
    surface = PNGSurface(tree, io.BytesIO(), 96, output_width=int(width * scale),
                         output_height=int(height * scale))
    surface.cairo.flush()
    w, h = surface.cairo.get_width(), surface.cairo.get_height()
    stride = surface.cairo.get_stride()
    image = Image.frombuffer("RGBA", (w, h), bytes(surface.cairo.get_data()), "raw", "BGRA", stride, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", compress_level=3)
    return out.getvalue()
