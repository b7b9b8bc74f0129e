/* network.js: the console's network panel around GraphView: the kind and date filters, the
 * keyboard node list, expansion on click, and the selection kept in step with the timeline.
 * NetworkPanel.mount(ctx) with ctx = {api, status, fail, onSelect(recordIds, node)}; the
 * panel keeps its Cytoscape instance in window.consoleGraph (the browser tests read it). */
(function (global) {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var P = global.PersonView;
  var ctx = null, cy = null, person = null, expanded = {}, doc = null;
  var loads = 0;  /* each load's number: an answer to an older load (say a depth since changed) is dropped */

  function networkPath(id, depth, format) {
    return '/persons/' + encodeURIComponent(id) + '/network?depth=' + depth + '&format=' + format;
  }

  function load(personId) {
    if (personId !== person) { unidentifiedIds = []; }
    person = personId;
    expanded = {};
    var depth = $('depth').value;
    var mine = ++loads;
    return ctx.api(networkPath(personId, depth, 'cytoscape')).then(function (d) {
      if (mine !== loads) { return doc; }
      doc = d;
      if (cy) { cy.destroy(); }
      cy = GraphView.create($('graph'), d, { layout: $('layout').value || undefined });
      global.consoleGraph = cy;
      expanded[personId] = true;
      cy.on('tap', 'node', function (evt) { select(evt.target.id(), true, true); });
      GraphView.markUnidentified(cy, unidentifiedIds);
      cy.on('tap', function (evt) { if (evt.target === cy) { cy.$(':selected').unselect(); ctx.onSelect([], null); } });
      renderFilters();
      applyFilter();
      return d;
    });
  }

  function updateCount() {
    var visible = cy.nodes().not('.gv-hidden').length;
    $('graph-count').textContent = cy.nodes().length + ' nodes, ' + cy.edges().length + ' edges' +
      (visible !== cy.nodes().length ? ' (' + visible + ' shown)' : '');
    $('graph').setAttribute('data-node-count', String(cy.nodes().length));
    $('graph').setAttribute('data-person', person || '');
    $('graph').setAttribute('data-depth', String(cy.scratch('gv').depth || ''));
    $('graph').setAttribute('data-visible-count', String(visible));
  }

  function renderFilters() {
    var box = $('kind-filters');
    box.replaceChildren();
    var counts = GraphView.counts(cy);
    GraphView.KIND_ORDER.forEach(function (k) {
      if (!counts[k]) { return; }
      var l = document.createElement('label');
      var i = document.createElement('input');
      i.type = 'checkbox'; i.checked = true; i.setAttribute('data-type', k);
      i.addEventListener('change', applyFilter);
      l.appendChild(i);
      l.appendChild(GraphView.picto(k));
      l.appendChild(document.createTextNode(' ' + GraphView.KINDS[k][0] + ' (' + counts[k] + ')'));
      box.appendChild(l);
    });
  }

  function filter() {
    var kinds = Array.prototype.slice.call(document.querySelectorAll('#kind-filters input'))
      .filter(function (i) { return i.checked; }).map(function (i) { return i.getAttribute('data-type'); });
    // kinds without a checkbox (none of them in the network yet) stay shown
    GraphView.KIND_ORDER.forEach(function (k) {
      if (!document.querySelector('#kind-filters input[data-type="' + k + '"]')) { kinds.push(k); }
    });
    return { kinds: kinds, from: $('date-from').value, to: $('date-to').value };
  }

  function applyFilter() {
    if (!cy) { return; }
    GraphView.applyFilter(cy, filter());
    refreshNodeList();
  }

  function setDates(from, to) {
    $('date-from').value = from || '';
    $('date-to').value = to || '';
    applyFilter();
  }

  function refreshNodeList() {
    var sel = $('node-list');
    var current = sel.value;
    sel.replaceChildren();
    cy.nodes().not('.gv-hidden')
      .sort(function (a, b) { return a.data('level') - b.data('level') || String(a.id()).localeCompare(b.id()); })
      .forEach(function (n) {
        var o = document.createElement('option');
        o.value = n.id();
        o.textContent = GraphView.KINDS[n.data('kind')][0] + ': ' + Withheld.short(String(n.data('label')));
        sel.appendChild(o);
      });
    if (current) { sel.value = current; }
    updateCount();
  }

  function details(n) {
    var d = n.data();
    var table = document.createElement('table');
    table.appendChild(P.text('caption', GraphView.KINDS[d.kind][0] + ' ' + (d.record_id || d.label)));
    var skip = { id: 1, level: 1, kind: 1, subject: 1, redacted: 1 };
    Object.keys(d).forEach(function (k) {
      if (skip[k] || d[k] === '' || d[k] === null || d[k] === undefined) { return; }
      var r = table.insertRow();
      var th = P.text('th', P.words(k)); th.scope = 'row';
      r.appendChild(th);
      var v = /_at$/.test(k) ? Timeline.shown(d[k]) : String(Withheld.shown(d[k]));
      r.insertCell().textContent = v;
    });
    $('node-details').replaceChildren(table);
  }

  /* Select a node (and tell the timeline); expand persons when asked. */
  function select(id, expand, notify) {
    var n = cy.getElementById(id);
    if (n.empty()) { return; }
    cy.$(':selected').unselect();
    n.select();
    $('node-list').value = id;
    details(n);
    if (notify) { ctx.onSelect(n.data('record_id') ? [n.data('record_id')] : [], n); }
    if (expand && n.data('type') === 'person') { expandPerson(n.data('record_id'), n); }
  }

  function expandPerson(personId, node) {
    if (!personId || expanded[personId]) { return Promise.resolve(0); }
    expanded[personId] = true;
    ctx.status('Expanding ' + personId + '…', true);
    return ctx.api(networkPath(personId, 1, 'cytoscape')).then(function (d) {
      var added = GraphView.addElements(cy, d, node);
      renderFilters();
      applyFilter();
      if (added) { GraphView.runLayout(cy, $('layout').value, true); }
      ctx.status('Added ' + added + ' elements from ' + personId + '.', true);
      return added;
    }).catch(function (err) { expanded[personId] = false; ctx.fail(err); });
  }

  /* Record ids from elsewhere (timeline, flags): select the first, centre it. */
  function focusRecords(ids, quiet) {
    if (!cy) { return false; }
    var want = {};
    ids.forEach(function (r) { want[r] = true; });
    var hit = cy.nodes().filter(function (n) { return want[n.data('record_id')]; });
    cy.$(':selected').unselect();
    if (!hit.length) {
      if (!quiet) { ctx.status(ids.join(', ') + ' is not in the network at this depth: try depth 2 or expand a person.'); }
      return false;
    }
    hit.select();
    $('node-list').value = hit[0].id();
    details(hit[0]);
    cy.animate({ center: { eles: hit[0] }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
    ctx.status('', true);
    return true;
  }

  /* The unidentified incidents named by the profile: remembered, since the profile and the
   * network arrive in either order (and the network is reloaded when the depth changes). */
  var unidentifiedIds = [];
  function unidentified(ids) {
    unidentifiedIds = ids;
    if (cy) { GraphView.markUnidentified(cy, ids); renderFilters(); applyFilter(); }
  }

  function highlight(ids) { return cy ? GraphView.highlight(cy, ids).length : 0; }

  function mount(c) {
    ctx = c;
    GraphView.legend($('graph-legend'));
    $('node-list').addEventListener('change', function (e) { select(e.target.value, false, true); });
    $('node-list').addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); $('expand').click(); }
    });
    $('expand').addEventListener('click', function () {
      var n = cy && cy.getElementById($('node-list').value);
      if (!n || n.empty()) { return; }
      if (n.data('type') !== 'person') { ctx.status('Only persons can be expanded.'); return; }
      select(n.id(), true, true);
    });
    $('depth').addEventListener('change', function () { if (person) { load(person).catch(ctx.fail); } });
    $('layout').addEventListener('change', function (e) { if (cy) { GraphView.runLayout(cy, e.target.value); } });
    $('fit').addEventListener('click', function () { if (cy) { cy.fit(cy.elements().not('.gv-hidden'), 24); } });
    $('date-from').addEventListener('change', function () { applyFilter(); ctx.onDates($('date-from').value, $('date-to').value); });
    $('date-to').addEventListener('change', function () { applyFilter(); ctx.onDates($('date-from').value, $('date-to').value); });
    $('clear-dates').addEventListener('click', function () { setDates('', ''); ctx.onDates('', ''); });
  }

  global.NetworkPanel = { mount: mount, load: load, setDates: setDates, focusRecords: focusRecords,
    highlight: highlight, unidentified: unidentified, networkPath: networkPath, doc: function () { return doc; } };
})(window);
