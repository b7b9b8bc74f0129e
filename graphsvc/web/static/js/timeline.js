/* timeline.js: the fixation timeline, one row per victim, drawn as SVG from a network
 * (Cytoscape.js JSON, depth 1) of the subject: incidents over time coloured by type, the
 * orders protecting each victim from the subject as bands, breaches ringed. */
(function (global) {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var TYPE_COLOURS = {
    call: '#1f77b4', text: '#4e79a7', email: '#17becf', social_media: '#76b7b2', letter: '#59a14f',
    gift: '#8cd17d', visit: '#f28e2b', following: '#e15759', loitering: '#ff9d9a',
    surveillance: '#b07aa1', damage: '#9c755f', threat: '#d37295', assault: '#7b0000',
    breach: '#e377c2', other: '#7f7f7f'
  };
  var DAY = 86400000;

  function el(name, attrs, text) {
    var e = document.createElementNS(SVGNS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function time(value) {
    if (!value) { return null; }
    var t = Date.parse(String(value).length === 10 ? value + 'T00:00:00Z' : value);
    return isNaN(t) ? null : t;
  }

  /* The rows: [{victim, label, incidents: [{id, type, t, breach}], orders: [{id, type, from, to}]}] */
  function extract(doc) {
    var nodes = {}, out = {}, inc = {};
    var els = doc.elements || { nodes: [], edges: [] };
    els.nodes.forEach(function (n) { nodes[n.data.id] = n.data; });
    var subject = els.nodes.filter(function (n) { return n.data.subject; })[0];
    if (!subject) { return { rows: [], subject: null }; }
    var s = subject.data.id;
    function edgesOf(type) { return els.edges.filter(function (e) { return e.data.type === type; }); }
    var offended = {};
    edgesOf('OFFENDER_IN').forEach(function (e) { if (e.data.source === s) { offended[e.data.target] = true; } });
    var asOffender = Object.keys(offended).length > 0;
    var victimsOf = {};
    edgesOf('VICTIM_IN').forEach(function (e) {
      (victimsOf[e.data.target] = victimsOf[e.data.target] || []).push(e.data.source);
    });
    var breached = {};
    edgesOf('BREACHED').forEach(function (e) { breached[e.data.source] = (breached[e.data.source] || []).concat([e.data.target]); });
    var rows = {};
    function row(v) {
      if (!rows[v]) { rows[v] = { victim: v, label: (nodes[v] && nodes[v].label) || v, incidents: [], orders: [] }; }
      return rows[v];
    }
    Object.keys(nodes).forEach(function (id) {
      var n = nodes[id];
      if (n.type !== 'incident') { return; }
      var relevant = asOffender ? offended[id] : (victimsOf[id] || []).indexOf(s) >= 0;
      if (!relevant) { return; }
      var t = time(n.occurred_at);
      if (t === null) { return; }
      var victims = asOffender ? (victimsOf[id] || []) : [s];
      victims.forEach(function (v) {
        var recorded = (breached[id] || []).length > 0;
        row(v).incidents.push({ id: n.record_id || id, type: n.incident_type || 'other', t: t,
          breach: recorded, breach_recorded: recorded, label: n.label });
      });
    });
    var restrains = {};
    edgesOf('RESTRAINS').forEach(function (e) { restrains[e.data.source] = e.data.target; });
    edgesOf('PROTECTS').forEach(function (e) {
      var o = nodes[e.data.source];
      if (!o) { return; }
      var mine = asOffender ? restrains[e.data.source] === s : e.data.target === s;
      if (!mine) { return; }
      var from = time(o.issued_on);
      if (from === null) { return; }
      row(e.data.target).orders.push({ id: o.record_id, type: o.order_type || 'order', from: from,
        to: time(o.expires_on), label: o.label });
    });
    var list = Object.keys(rows).map(function (k) { return rows[k]; });
    list.forEach(function (r) { r.incidents.sort(function (a, b) { return a.t - b.t; }); });
    list.sort(function (a, b) {
      var fa = a.incidents.length ? a.incidents[0].t : Infinity, fb = b.incidents.length ? b.incidents[0].t : Infinity;
      return fa - fb;
    });
    return { rows: list, subject: s, asOffender: asOffender };
  }

  /* extraBreaches: {incident record id: recorded?} from the fixation analysis; an incident
   * inside an order's in-force period that was never recorded as a breach gets a dashed ring. */
  function draw(container, doc, now, extraBreaches) {
    now = now || Date.now();
    extraBreaches = extraBreaches || {};
    var data = extract(doc);
    data.rows.forEach(function (r) {
      r.incidents.forEach(function (i) {
        if (Object.prototype.hasOwnProperty.call(extraBreaches, i.id)) {
          i.breach = true;
          i.unrecorded = !extraBreaches[i.id] && !i.breach_recorded;
        }
      });
    });
    container.replaceChildren();
    if (!data.rows.length) {
      var p = document.createElement('p');
      p.textContent = 'No dated incidents in this person\'s network.';
      container.appendChild(p);
      return data;
    }
    var ts = [];
    data.rows.forEach(function (r) {
      r.incidents.forEach(function (i) { ts.push(i.t); });
      r.orders.forEach(function (o) { ts.push(o.from); if (o.to) { ts.push(o.to); } });
    });
    var min = Math.min.apply(null, ts) - 30 * DAY;
    var max = Math.max(Math.max.apply(null, ts), Math.min(now, Math.max.apply(null, ts) + 365 * DAY)) + 30 * DAY;
    var left = 190, width = 960, rowH = 38, top = 24;
    var height = top + data.rows.length * rowH + 10;
    function x(t) { return left + (width - left - 10) * (t - min) / (max - min); }
    var svg = el('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height,
      'font-family': 'system-ui, sans-serif', 'font-size': '11' });
    svg.appendChild(el('rect', { x: 0, y: 0, width: width, height: height, fill: '#fff' }));
    var y0 = new Date(min).getUTCFullYear(), y1 = new Date(max).getUTCFullYear();
    for (var y = y0; y <= y1 + 1; y++) {
      var t = Date.UTC(y, 0, 1);
      if (t < min || t > max) { continue; }
      svg.appendChild(el('line', { x1: x(t), x2: x(t), y1: top - 6, y2: height - 6, stroke: '#ddd' }));
      svg.appendChild(el('text', { x: x(t) + 2, y: top - 10, fill: '#333' }, String(y)));
    }
    data.rows.forEach(function (r, i) {
      var cy = top + i * rowH + rowH / 2;
      var g = el('g', { 'class': 'tl-row', 'data-victim': r.victim });
      g.appendChild(el('text', { x: 4, y: cy + 4, fill: '#111', 'font-weight': '600' },
        r.label.length > 30 ? r.label.slice(0, 29) + '…' : r.label));
      g.appendChild(el('line', { x1: left, x2: width - 10, y1: cy, y2: cy, stroke: '#bbb' }));
      r.orders.forEach(function (o) {
        var to = o.to || now;
        var band = el('rect', { x: x(o.from), y: cy - 14, width: Math.max(2, x(to) - x(o.from)), height: 28,
          fill: '#9467bd', 'fill-opacity': '0.18', stroke: '#9467bd', 'class': 'tl-order' });
        band.appendChild(el('title', {}, (o.type || '').replace(/_/g, ' ') + ' ' + o.id + ': ' +
          new Date(o.from).toISOString().slice(0, 10) + ' to ' + (o.to ? new Date(o.to).toISOString().slice(0, 10) : 'further order')));
        g.appendChild(band);
      });
      r.incidents.forEach(function (inc) {
        var c = el('circle', { cx: x(inc.t), cy: cy, r: 5, fill: TYPE_COLOURS[inc.type] || '#7f7f7f',
          stroke: '#111', 'stroke-width': '0.5', 'class': 'tl-incident' + (inc.breach ? ' tl-breach' : '') });
        c.appendChild(el('title', {}, inc.label + (inc.unrecorded ? ' (inside an order in force; not recorded as a breach)'
          : inc.breach ? ' (breach of an order)' : '')));
        g.appendChild(c);
        if (inc.breach) {
          var ring = { cx: x(inc.t), cy: cy, r: 9, fill: 'none', stroke: '#c00000', 'stroke-width': '2',
            'class': 'tl-breach-mark' + (inc.unrecorded ? ' tl-unrecorded' : '') };
          if (inc.unrecorded) { ring['stroke-dasharray'] = '3 2'; }
          g.appendChild(el('circle', ring));
        }
      });
      svg.appendChild(g);
    });
    container.appendChild(svg);
    return data;
  }

  function legend(container, data) {
    container.replaceChildren();
    var seen = {};
    (data.rows || []).forEach(function (r) { r.incidents.forEach(function (i) { seen[i.type] = true; }); });
    Object.keys(seen).sort().forEach(function (t) {
      var s = document.createElement('span');
      var sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = TYPE_COLOURS[t] || '#7f7f7f';
      s.appendChild(sw);
      s.appendChild(document.createTextNode(t.replace(/_/g, ' ')));
      container.appendChild(s);
    });
    var o = document.createElement('span');
    o.textContent = '▭ order (band)   ◯ breach (red ring; dashed: in force but not recorded as a breach)';
    container.appendChild(o);
  }

  global.Timeline = { draw: draw, legend: legend, extract: extract, TYPE_COLOURS: TYPE_COLOURS };
})(window);
