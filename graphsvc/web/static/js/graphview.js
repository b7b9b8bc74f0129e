/* graphview.js: draws a graphsvc network (Cytoscape.js JSON) with Cytoscape.js.
 * Shared by the console and the self-contained HTML export (which inlines this file).
 * Colours match graphsvc/export/style.py. */
(function (global) {
  'use strict';
  var COLOURS = {
    person: '#1f77b4', incident: '#d62728', order: '#9467bd', phone: '#2ca02c',
    email: '#17becf', handle: '#bcbd22', vehicle: '#8c564b', address: '#ff7f0e', agency: '#7f7f7f'
  };
  var TYPES = Object.keys(COLOURS);
  var BIG = 300; // above this many nodes: concentric layout, labels only when zoomed in

  function stylesheet(big) {
    var s = [
      { selector: 'node', style: {
        'background-color': '#999', 'label': big ? '' : 'data(label)', 'font-size': 9,
        'color': '#111', 'text-valign': 'bottom', 'text-margin-y': 2, 'width': 14, 'height': 14,
        'min-zoomed-font-size': 7, 'text-wrap': 'ellipsis', 'text-max-width': 140 } },
      { selector: 'node[?subject]', style: { 'width': 30, 'height': 30, 'border-width': 3,
        'border-color': '#111', 'label': 'data(label)', 'font-weight': 'bold' } },
      { selector: 'node[type = "person"]', style: { 'shape': 'ellipse', 'width': 20, 'height': 20 } },
      { selector: 'node[type = "incident"]', style: { 'shape': 'diamond' } },
      { selector: 'node[type = "order"]', style: { 'shape': 'rectangle' } },
      { selector: 'node[type = "agency"]', style: { 'shape': 'hexagon' } },
      { selector: 'node[?redacted]', style: { 'background-color': '#000', 'shape': 'square' } },
      { selector: 'edge', style: { 'width': 1, 'line-color': '#aaa', 'target-arrow-shape': 'triangle',
        'target-arrow-color': '#aaa', 'arrow-scale': 0.6, 'curve-style': big ? 'haystack' : 'bezier' } },
      { selector: 'edge[type = "POSSIBLY_SAME_AS"]', style: { 'line-style': 'dashed', 'line-color': '#000', 'width': 2 } },
      { selector: 'edge[type = "BREACHED"]', style: { 'line-color': '#e377c2', 'width': 2 } },
      { selector: ':selected', style: { 'border-width': 4, 'border-color': '#ffbf00' } },
      { selector: '.gv-hidden', style: { 'display': 'none' } }
    ];
    TYPES.forEach(function (t) {
      s.splice(2, 0, { selector: 'node[type = "' + t + '"]', style: { 'background-color': COLOURS[t] } });
    });
    return s;
  }

  function layoutOptions(name, count) {
    name = name || (count > BIG ? 'concentric' : 'cose');
    if (name === 'concentric') {
      return { name: 'concentric', animate: false, minNodeSpacing: 4,
        concentric: function (n) { var l = n.data('level'); return l < 0 ? 0 : 10 - l; },
        levelWidth: function () { return 1; } };
    }
    if (name === 'cose') {
      return { name: 'cose', animate: false, randomize: false, numIter: count > BIG ? 200 : 1000,
        nodeRepulsion: function () { return 8000; }, idealEdgeLength: function () { return 60; } };
    }
    if (name === 'breadthfirst') {
      return { name: 'breadthfirst', animate: false, directed: false, spacingFactor: 0.9,
        roots: '[?subject]' };
    }
    return { name: name, animate: false };
  }

  function create(container, doc, options) {
    options = options || {};
    var els = doc.elements || { nodes: [], edges: [] };
    var count = els.nodes.length;
    var big = count > BIG;
    var cy = global.cytoscape({
      container: container, elements: els, style: stylesheet(big),
      layout: layoutOptions(options.layout, count), wheelSensitivity: 0.3,
      textureOnViewport: big, hideEdgesOnViewport: big, pixelRatio: big ? 1 : 'auto',
      boxSelectionEnabled: false
    });
    return cy;
  }

  function addElements(cy, doc) {
    var added = [];
    var els = doc.elements || { nodes: [], edges: [] };
    els.nodes.forEach(function (n) {
      if (cy.getElementById(n.data.id).empty()) {
        var copy = { group: 'nodes', data: Object.assign({}, n.data, { subject: false }) };
        added.push(cy.add(copy));
      }
    });
    els.edges.forEach(function (e) {
      if (cy.getElementById(e.data.id).empty() &&
          !cy.getElementById(e.data.source).empty() && !cy.getElementById(e.data.target).empty()) {
        added.push(cy.add({ group: 'edges', data: e.data }));
      }
    });
    return added.length;
  }

  function applyFilter(cy, shownTypes) {
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        if (shownTypes.indexOf(n.data('type')) >= 0) { n.removeClass('gv-hidden'); }
        else { n.addClass('gv-hidden'); }
      });
    });
  }

  function runLayout(cy, name) {
    var l = cy.elements(':visible').layout(layoutOptions(name, cy.nodes().length));
    l.run();
    return l;
  }

  function counts(cy) {
    var c = {};
    cy.nodes().forEach(function (n) { var t = n.data('type'); c[t] = (c[t] || 0) + 1; });
    return c;
  }

  global.GraphView = { COLOURS: COLOURS, TYPES: TYPES, create: create, addElements: addElements,
    applyFilter: applyFilter, runLayout: runLayout, counts: counts, layoutOptions: layoutOptions };
})(window);
