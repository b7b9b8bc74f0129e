/* graphview.js: draws a graphsvc network (Cytoscape.js JSON) with Cytoscape.js and the fcose
 * layout. Shared by the console and the self-contained HTML export (which inlines this file and
 * the vendored layout files), so both look and behave the same.
 *
 * Every node gets a *kind* (offender, victim, other person, incident, unidentified incident,
 * order, each identifier kind, agency): its own shape AND colour, so the chart reads in
 * greyscale and to colour-blind readers. Labels are drawn only where they fit: after each
 * layout, zoom or pan, labels are placed in priority order (selected, subject, offenders,
 * victims, orders, incidents, identifiers) and a label that would overlap one already placed
 * is left off; hovering a node shows its label whatever the crowd. */
(function (global) {
  'use strict';
  // kind -> [display name, fill colour, Cytoscape shape]. Fills are mid-to-dark so a white
  // ring (selection) and the dark outline both show; shapes differ within each colour family.
  var KINDS = {
    offender: ['Offender', '#b2182b', 'round-triangle'],
    victim: ['Victim', '#2166ac', 'ellipse'],
    person: ['Other person', '#8e8e8e', 'round-octagon'],
    incident: ['Incident', '#e08214', 'diamond'],
    unidentified: ['Unidentified incident', '#ffd92f', 'star'],
    order: ['Order', '#762a83', 'round-rectangle'],
    phone: ['Phone', '#1b7837', 'round-tag'],
    email: ['Email', '#35978f', 'tag'],
    handle: ['Handle', '#c51b7d', 'rhomboid'],
    vehicle: ['Vehicle', '#8c510a', 'barrel'],
    address: ['Address', '#f46d43', 'pentagon'],
    agency: ['Agency', '#404040', 'hexagon']
  };
  var KIND_ORDER = Object.keys(KINDS);
  // edge type -> [legend text, colour, line style, width]
  var EDGES = {
    POSSIBLY_SAME_AS: ['Identity link, proposed (dashed)', '#111111', 'dashed', 2.5],
    SAME_AS_CONFIRMED: ['Identity link, confirmed', '#111111', 'solid', 3],
    OFFENDER_IN: ['Offender in incident', '#b2182b', 'solid', 1.5],
    VICTIM_IN: ['Victim in incident', '#2166ac', 'solid', 1.5],
    BREACHED: ['Incident breached order', '#c51b7d', 'solid', 3],
    RESTRAINS: ['Order restrains / protects', '#762a83', 'solid', 1.5],
    USED: ['Identifier used / held', '#6b6b6b', 'solid', 1],
    REPORTED_BY: ['Recorded by agency (dotted)', '#c4c4c4', 'dotted', 0.6]
  };
  var EDGE_ALIAS = { PROTECTS: 'RESTRAINS', HAS_IDENTIFIER: 'USED', HAS_ADDRESS: 'USED' };
  var PRIORITY = { offender: 1, victim: 2, order: 3, unidentified: 4, incident: 5, person: 6,
    phone: 7, email: 7, handle: 7, vehicle: 7, address: 7, agency: 8 };
  var FONT = 11, MAX_LABEL = 130;

  /* The kind of a node: persons by role, incidents with no offender among their neighbours
   * (when the network holds all of them: level below the depth) as unidentified. */
  function kindOf(n, depth) {
    var d = n.data();
    if (d.type === 'person') {
      var roles = String(d.roles || '');
      return roles.indexOf('offender') >= 0 ? 'offender' : roles.indexOf('victim') >= 0 ? 'victim' : 'person';
    }
    if (d.type === 'incident') {
      if (typeof d.unidentified === 'boolean') { return d.unidentified ? 'unidentified' : 'incident'; }
      var complete = depth === undefined || d.level < depth;
      return complete && !n.incomers('edge[type = "OFFENDER_IN"]').length ? 'unidentified' : 'incident';
    }
    return KINDS[d.type] ? d.type : 'person';
  }

  /* The label drawn on the chart: a person's name over their record id (two records of one
   * name stay apart), an incident's type and recorded date; the full label is in the details. */
  function shortLabel(d) {
    if (d.type === 'person') {
      var name = Withheld.name(d);
      return name && d.record_id ? name + '\n' + d.record_id : String(Withheld.short(d.label || d.record_id || ''));
    }
    if (d.type === 'incident' && d.occurred_at) {
      return String(d.incident_type || 'incident').replace(/_/g, ' ') + ' ' + String(d.occurred_at).slice(0, 10);
    }
    return String(Withheld.short(d.label || ''));
  }

  function classify(cy, eles, depth) {
    cy.batch(function () {
      eles.nodes().forEach(function (n) { n.data('kind', kindOf(n, depth)); n.data('short', shortLabel(n.data())); });
      eles.edges('[type = "POSSIBLY_SAME_AS"]').forEach(function (e) {
        if (e.data('status') === 'confirmed') { e.addClass('gv-confirmed'); }
      });
    });
  }

  function stylesheet() {
    var s = [
      { selector: 'node', style: {
        'label': '', 'font-size': FONT, 'color': '#111', 'text-valign': 'bottom', 'text-margin-y': 3,
        'width': 16, 'height': 16, 'border-width': 1, 'border-color': '#222', 'text-wrap': 'wrap',
        'text-max-width': MAX_LABEL, 'text-background-color': '#fff', 'text-background-opacity': 0.85,
        'text-background-padding': 1 } },
      // labelled nodes (and above them the subject) are drawn over unlabelled ones, so no node
      // hides a label that was judged to fit
      { selector: 'node.gv-label, node.gv-hover, node:selected', style: { 'label': 'data(short)', 'z-index': 500 } },
      { selector: 'node.gv-hover', style: { 'z-index': 999, 'font-weight': 'bold' } },
      { selector: 'node[kind = "offender"], node[kind = "victim"], node[kind = "person"]', style: { 'width': 24, 'height': 24 } },
      { selector: 'node[kind = "order"]', style: { 'width': 26, 'height': 16 } },
      { selector: 'node[kind = "agency"]', style: { 'width': 22, 'height': 22 } },
      { selector: 'node[kind = "unidentified"]', style: { 'width': 22, 'height': 22 } },
      { selector: 'node[?subject]', style: { 'width': 38, 'height': 38, 'border-width': 4, 'border-color': '#000',
        'font-weight': 'bold', 'font-size': FONT + 2, 'z-index': 800 } },
      { selector: 'node[?redacted]', style: { 'background-color': '#000' } },
      { selector: 'edge', style: { 'width': 1, 'line-color': '#999', 'curve-style': 'straight',
        'target-arrow-shape': 'none', 'opacity': 0.8 } },
      { selector: 'node.gv-dim, edge.gv-dim', style: { 'opacity': 0.18 } },
      { selector: 'node.gv-evidence', style: { 'border-width': 5, 'border-color': '#ffbf00', 'z-index': 900 } },
      { selector: 'node:selected', style: { 'border-width': 5, 'border-color': '#00a3e0', 'z-index': 950 } },
      { selector: '.gv-hidden', style: { 'display': 'none' } }
    ];
    KIND_ORDER.forEach(function (k, i) {
      s.splice(3 + i, 0, { selector: 'node[kind = "' + k + '"]',
        style: { 'background-color': KINDS[k][1], 'shape': KINDS[k][2] } });
    });
    Object.keys(EDGES).concat(Object.keys(EDGE_ALIAS)).forEach(function (t) {
      var e = EDGES[EDGE_ALIAS[t] || t];
      if (t === 'SAME_AS_CONFIRMED') { return; }
      s.splice(s.length - 4, 0, { selector: 'edge[type = "' + t + '"]', style: {
        'line-color': e[1], 'line-style': e[2], 'width': e[3] } });
    });
    s.splice(s.length - 4, 0, { selector: 'edge.gv-confirmed', style: { 'line-style': 'solid', 'width': 3 } });
    return s;
  }

  /* fcose: a force-directed layout made for compound graphs (spectral start, then force
   * refinement). The agency edges tie most nodes to a few hubs: they are made long and weak,
   * so agencies sit at the edge and do not pull every record into one knot. */
  function layoutOptions(name, count, incremental) {
    if (!name || name === 'fcose') {
      return { name: 'fcose', quality: count > 400 ? 'draft' : 'default', animate: false,
        randomize: !incremental, fit: true, padding: 24, nodeDimensionsIncludeLabels: false,
        packComponents: true, nodeSeparation: 110, tilingPaddingVertical: 20, tilingPaddingHorizontal: 20,
        idealEdgeLength: function (e) { return e.data('type') === 'REPORTED_BY' ? 260 : e.data('type') === 'POSSIBLY_SAME_AS' ? 60 : 95; },
        edgeElasticity: function (e) { return e.data('type') === 'REPORTED_BY' ? 0.02 : 0.45; },
        nodeRepulsion: function () { return 16000; }, gravity: 0.2, numIter: 2500 };
    }
    if (name === 'concentric') {
      return { name: 'concentric', animate: false, minNodeSpacing: 10,
        concentric: function (n) { var l = n.data('level'); return l < 0 ? 0 : 10 - l; },
        levelWidth: function () { return 1; } };
    }
    if (name === 'breadthfirst') {
      return { name: 'breadthfirst', animate: false, directed: false, spacingFactor: 1.1, roots: '[?subject]' };
    }
    return { name: name, animate: false };
  }

  /* Labels where they fit, in rendered pixels (so the result follows the zoom). A label is
   * drawn at least READABLE px high whatever the zoom (its font grows in model units as the
   * chart zooms out), so the overview names the people rather than showing unreadable specks. */
  var READABLE = 10;
  function labelFont(n, z) {
    return Math.max(n.data('subject') ? FONT + 2 : FONT, (n.data('subject') ? READABLE + 2 : READABLE) / z);
  }

  function declutter(cy) {
    if (cy.destroyed()) { return; }
    var z = cy.zoom(), ext = cy.extent(), placed = [], want = [];
    // one subject (a person's network) is always labelled; the many subjects of a cluster
    // export (its incidents) come first but must fit like any other label
    var single = cy.nodes('[?subject]').length === 1;
    cy.nodes().forEach(function (n) {
      if (n.hasClass('gv-hidden') || n.removed()) { return; }
      var p = n.position();
      if (p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2) { return; }
      var pr = n.selected() ? -1 : n.data('subject') ? (single ? 0 : 0.5) : (PRIORITY[n.data('kind')] || 9);
      want.push([pr, n]);
    });
    want.sort(function (a, b) { return a[0] - b[0] || (a[1].id() < b[1].id() ? -1 : 1); });
    var show = {};
    // the other nodes' bodies are obstacles too: a label drawn over a node hides both
    var bodies = want.map(function (w) {
      var n = w[1], p = n.renderedPosition(), hw = n.renderedOuterWidth() / 2, hh = n.renderedOuterHeight() / 2;
      return { id: n.id(), pr: w[0], x1: p.x - hw, x2: p.x + hw, y1: p.y - hh, y2: p.y + hh };
    });
    var hit = function (a, b) { return a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1; };
    want.forEach(function (w) {
      var n = w[1], p = n.renderedPosition(), lines = String(n.data('short') || '').split('\n');
      var fs = labelFont(n, z) * z;
      var longest = Math.max.apply(null, lines.map(function (l) { return l.length; }));
      var wrapAt = MAX_LABEL / FONT * fs;
      var width = Math.min(wrapAt, longest * fs * 0.7) + 8;
      // a line longer than the wrap width is drawn on several (word wrap breaks early: a margin)
      var rows = lines.reduce(function (k, l) { return k + Math.max(1, Math.ceil(l.length * fs * 0.7 / (wrapAt * 0.85))); }, 0);
      var top = p.y + n.renderedOuterHeight() / 2 + 3 * z - 2;
      var box = { x1: p.x - width / 2, x2: p.x + width / 2, y1: top, y2: top + fs * 1.3 * rows + 5 };
      for (var i = 0; w[0] > 0 && i < placed.length; i++) { if (hit(box, placed[i])) { return; } }
      // a label may cover less important nodes (its white ground keeps it readable), never a
      // node as important as its own; the subject's and the selection's are always drawn
      for (var j = 0; w[0] > 0 && j < bodies.length; j++) {
        if (bodies[j].id !== n.id() && bodies[j].pr <= w[0] && hit(box, bodies[j])) { return; }
      }
      placed.push(box);
      show[n.id()] = true;
    });
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        if (show[n.id()]) {
          var f = labelFont(n, z);
          n.addClass('gv-label').style({ 'font-size': f, 'text-max-width': MAX_LABEL * f / FONT });
        } else if (n.hasClass('gv-label')) {
          n.removeClass('gv-label');
          if (!n.hasClass('gv-hover')) { n.removeStyle('font-size text-max-width'); }
        }
      });
    });
    cy.container().setAttribute('data-labels-shown', String(Object.keys(show).length));
  }

  function create(container, doc, options) {
    options = options || {};
    var els = doc.elements || { nodes: [], edges: [] };
    var depth = doc.data && doc.data.depth;
    var count = els.nodes.length;
    var big = count > 600;
    var cy = global.cytoscape({
      container: container, elements: els, style: stylesheet(), layout: { name: 'grid' },
      textureOnViewport: big, hideEdgesOnViewport: big,
      pixelRatio: big ? 1 : 'auto', boxSelectionEnabled: false, minZoom: 0.05, maxZoom: 6
    });
    cy.scratch('gv', { depth: depth });
    classify(cy, cy.elements(), depth);
    // Synchronously, before the frame is drawn: a frame drawn with the previous zoom's label
    // sizes was measured to stall software-rendered Chromium for tens of seconds. A pass costs
    // about 1 ms per 100 nodes.
    var now = function () { declutter(cy); };
    cy.on('viewport layoutstop dragfree resize', now);
    cy.on('mouseover', 'node', function (e) {
      var f = Math.max(FONT, (READABLE + 2) / cy.zoom());
      e.target.addClass('gv-hover').style({ 'font-size': f, 'text-max-width': MAX_LABEL * f / FONT });
    });
    cy.on('mouseout', 'node', function (e) {
      e.target.removeClass('gv-hover');
      if (!e.target.hasClass('gv-label')) { e.target.removeStyle('font-size text-max-width'); }
      else { var f = labelFont(e.target, cy.zoom()); e.target.style({ 'font-size': f, 'text-max-width': MAX_LABEL * f / FONT }); }
    });
    cy.on('select unselect', 'node', now);
    runLayout(cy, options.layout);
    declutter(cy);
    return cy;
  }

  function addElements(cy, doc, near) {
    var added = cy.collection();
    var els = doc.elements || { nodes: [], edges: [] };
    var at = near && !near.empty() ? near.position() : { x: 0, y: 0 };
    els.nodes.forEach(function (n, i) {
      if (cy.getElementById(n.data.id).empty()) {
        // new nodes start around the node that was expanded, so the layout moves them outward
        var a = i * 2.4;
        added = added.union(cy.add({ group: 'nodes', data: Object.assign({}, n.data, { subject: false }),
          position: { x: at.x + 40 * Math.cos(a), y: at.y + 40 * Math.sin(a) } }));
      }
    });
    els.edges.forEach(function (e) {
      if (cy.getElementById(e.data.id).empty() &&
          !cy.getElementById(e.data.source).empty() && !cy.getElementById(e.data.target).empty()) {
        added = added.union(cy.add({ group: 'edges', data: e.data }));
      }
    });
    // kinds can change with new neighbours (an incident's offender arrives)
    classify(cy, cy.elements(), cy.scratch('gv').depth);
    return added.length;
  }

  /* filter: {kinds: [...shown kinds], from: 'YYYY-MM-DD' | '', to: 'YYYY-MM-DD' | ''}. Dates are
   * compared on the recorded local date (the first ten characters of the string the API gave). */
  function inRange(d, from, to) {
    if (d.type === 'incident') {
      var day = String(d.occurred_at || '').slice(0, 10);
      return !day || ((!from || day >= from) && (!to || day <= to));
    }
    if (d.type === 'order') {
      var start = String(d.issued_on || '').slice(0, 10), end = String(d.expires_on || '').slice(0, 10);
      return (!to || !start || start <= to) && (!from || !end || end >= from);
    }
    return true;
  }

  function applyFilter(cy, filter) {
    if (Array.isArray(filter)) { filter = { kinds: filter }; }
    var kinds = filter.kinds || KIND_ORDER;
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        var d = n.data();
        var ok = kinds.indexOf(d.kind) >= 0 && inRange(d, filter.from, filter.to);
        if (ok) { n.removeClass('gv-hidden'); } else { n.addClass('gv-hidden'); }
      });
    });
    declutter(cy);
  }

  /* mulberry32, a small seeded generator. fcose starts from random positions; run with a
   * fixed seed, the same network draws the same picture every time (two exports of one
   * network can be compared side by side, and the browser tests see what an analyst sees). */
  function seeded(seed) {
    return function () {
      seed = (seed + 0x6D2B79F5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* The layouts run synchronously (animate: false), so Math.random is swapped only for the
   * run and put back before anything else can draw on it. */
  function runLayout(cy, name, incremental) {
    var l = cy.elements().not('.gv-hidden').layout(layoutOptions(name, cy.nodes().length, incremental));
    var random = Math.random;
    Math.random = seeded(20261204);
    try { l.run(); } finally { Math.random = random; }
    return l;
  }

  /* Incidents the API names as having no identified perpetrator (the LINKED_UNIDENTIFIED
   * flag's evidence): certain, where the network's own edges only tell for inner levels. */
  function markUnidentified(cy, recordIds) {
    var want = {};
    (recordIds || []).forEach(function (r) { want[r] = true; });
    cy.batch(function () {
      cy.nodes('[type = "incident"]').forEach(function (n) {
        if (want[n.data('record_id')] && !n.incomers('edge[type = "OFFENDER_IN"]').length) {
          n.data('unidentified', true);
          n.data('kind', 'unidentified');
        }
      });
    });
  }

  function counts(cy) {
    var c = {};
    cy.nodes().forEach(function (n) { var k = n.data('kind'); c[k] = (c[k] || 0) + 1; });
    return c;
  }

  /* Highlight evidence (record ids): ringed, the rest dimmed; [] clears. */
  function highlight(cy, recordIds) {
    var want = {};
    (recordIds || []).forEach(function (r) { want[r] = true; });
    var hits = cy.nodes().filter(function (n) { return want[n.data('record_id')]; });
    cy.batch(function () {
      cy.elements().removeClass('gv-evidence gv-dim');
      if (hits.length) {
        cy.nodes().not(hits).addClass('gv-dim');
        cy.edges().filter(function (e) { return !hits.contains(e.source()) && !hits.contains(e.target()); }).addClass('gv-dim');
        hits.addClass('gv-evidence');
      }
    });
    return hits;
  }

  var SVGNS = 'http://www.w3.org/2000/svg';
  // legend pictograms of the Cytoscape shapes, in a 16 x 16 box
  var PICTO = {
    'round-triangle': 'M8 2 L15 14 L1 14 Z', 'ellipse': null, 'round-octagon': 'M5 1 H11 L15 5 V11 L11 15 H5 L1 11 V5 Z',
    'diamond': 'M8 1 L15 8 L8 15 L1 8 Z', 'star': 'M8 1 L10 6 L15 6 L11 9.5 L12.5 15 L8 11.5 L3.5 15 L5 9.5 L1 6 L6 6 Z',
    'round-rectangle': 'M1 4 H15 V12 H1 Z', 'round-tag': 'M1 3 H11 L15 8 L11 13 H1 Z', 'tag': 'M1 3 H11 L15 8 L11 13 H1 Z',
    'rhomboid': 'M4 3 H15 L12 13 H1 Z', 'barrel': 'M3 2 H13 Q16 8 13 14 H3 Q0 8 3 2 Z',
    'pentagon': 'M8 1 L15 6 L12 15 H4 L1 6 Z', 'hexagon': 'M4 2 H12 L15 8 L12 14 H4 L1 8 Z'
  };

  function picto(kind) {
    var k = KINDS[kind];
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('width', '16'); svg.setAttribute('height', '16'); svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('aria-hidden', 'true'); svg.setAttribute('focusable', 'false');
    var shape = PICTO[k[2]] === null ? document.createElementNS(SVGNS, 'circle') : document.createElementNS(SVGNS, 'path');
    if (PICTO[k[2]] === null) { shape.setAttribute('cx', '8'); shape.setAttribute('cy', '8'); shape.setAttribute('r', '7'); }
    else { shape.setAttribute('d', PICTO[k[2]]); }
    shape.setAttribute('fill', k[1]); shape.setAttribute('stroke', '#222');
    svg.appendChild(shape);
    return svg;
  }

  function edgePicto(type) {
    var e = EDGES[type];
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('width', '30'); svg.setAttribute('height', '10'); svg.setAttribute('aria-hidden', 'true');
    var l = document.createElementNS(SVGNS, 'line');
    l.setAttribute('x1', '1'); l.setAttribute('x2', '29'); l.setAttribute('y1', '5'); l.setAttribute('y2', '5');
    l.setAttribute('stroke', e[1]); l.setAttribute('stroke-width', String(Math.max(1.2, e[3])));
    if (e[2] === 'dashed') { l.setAttribute('stroke-dasharray', '6 4'); }
    if (e[2] === 'dotted') { l.setAttribute('stroke-dasharray', '1.5 2.5'); }
    svg.appendChild(l);
    return svg;
  }

  /* The legend: every node kind (shape and colour) and every edge style, as a list. */
  function legend(container) {
    container.replaceChildren();
    var ul = document.createElement('ul');
    ul.className = 'gv-legend';
    KIND_ORDER.forEach(function (k) {
      var li = document.createElement('li');
      li.setAttribute('data-kind', k);
      li.appendChild(picto(k));
      li.appendChild(document.createTextNode(' ' + KINDS[k][0]));
      ul.appendChild(li);
    });
    Object.keys(EDGES).forEach(function (t) {
      var li = document.createElement('li');
      li.setAttribute('data-edge', t);
      li.appendChild(edgePicto(t));
      li.appendChild(document.createTextNode(' ' + EDGES[t][0]));
      ul.appendChild(li);
    });
    container.appendChild(ul);
  }

  if (global.cytoscape && global.cytoscapeFcose && !global.cytoscape.__gvFcose) {
    global.cytoscape.use(global.cytoscapeFcose);
    global.cytoscape.__gvFcose = true;
  }

  global.GraphView = { KINDS: KINDS, KIND_ORDER: KIND_ORDER, EDGES: EDGES, create: create, addElements: addElements,
    applyFilter: applyFilter, runLayout: runLayout, counts: counts, layoutOptions: layoutOptions,
    legend: legend, picto: picto, highlight: highlight, declutter: declutter, markUnidentified: markUnidentified };
})(window);
