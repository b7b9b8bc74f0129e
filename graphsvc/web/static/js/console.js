/* console.js: the investigator console. Talks only to the JSON API with the key typed at
 * sign-in (sessionStorage: gone when the tab closes) and the purpose asked before any person
 * is shown (sent as X-Purpose on every read, so each read is audited with it). */
(function () {
  'use strict';
  var API = document.body.getAttribute('data-api-base') || '/api/v1';
  var KEY = 'graphsvc.key', PURPOSE = 'graphsvc.purpose';
  var FORMATS = [
    ['cytoscape', 'Cytoscape JSON', 'cyjs'], ['graphml', 'GraphML', 'graphml'], ['gexf', 'GEXF (Gephi)', 'gexf'],
    ['anx', 'i2 ANX', 'anx'], ['csv', 'CSV (zip)', 'zip'], ['html', 'HTML (offline)', 'html'],
    ['svg', 'SVG', 'svg'], ['png', 'PNG', 'png']
  ];
  var state = { person: null, cy: null, expanded: {}, network: null };
  var $ = function (id) { return document.getElementById(id); };

  function status(text, ok) {
    var s = $('status');
    s.textContent = text || '';
    s.className = ok ? 'ok' : '';
  }

  function show(view) {
    ['signin-view', 'purpose-view', 'search-view', 'person-view'].forEach(function (v) {
      $(v).hidden = v !== view;
    });
    var signedIn = !!sessionStorage.getItem(KEY);
    $('session-info').hidden = !signedIn || !sessionStorage.getItem(PURPOSE);
    $('purpose-shown').textContent = sessionStorage.getItem(PURPOSE) || '';
    var first = $(view).querySelector('input, button, select');
    if (first) { first.focus(); }
  }

  function route() {
    if (!sessionStorage.getItem(KEY)) { return show('signin-view'); }
    if (!sessionStorage.getItem(PURPOSE)) { return show('purpose-view'); }
    var m = /^#\/person\/(.+)$/.exec(location.hash);
    if (m) { return openPerson(decodeURIComponent(m[1])); }
    show('search-view');
  }

  function ApiError(status, code, message) { this.status = status; this.code = code; this.message = message; }

  function api(path, opts) {
    opts = opts || {};
    var headers = { 'Authorization': 'Bearer ' + sessionStorage.getItem(KEY),
      'X-Purpose': sessionStorage.getItem(PURPOSE) || '', 'Accept': opts.accept || 'application/json' };
    return fetch(API + path, { headers: headers, cache: 'no-store' }).then(function (r) {
      if (r.status === 401) {
        sessionStorage.removeItem(KEY);
        show('signin-view');
        throw new ApiError(401, 'unauthorized', 'The API key was refused: sign in again.');
      }
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          var e = body && body.error ? body.error : {};
          throw new ApiError(r.status, e.code || 'error', e.message || ('HTTP ' + r.status));
        });
      }
      return opts.raw ? r : r.json();
    });
  }

  function fail(err) { status(err && err.message ? err.message : String(err)); }

  function text(tag, value, cls) {
    var e = document.createElement(tag);
    if (value !== undefined && value !== null) { e.textContent = String(value); }
    if (cls) { e.className = cls; }
    return e;
  }

  function fmtValue(v) {
    if (v === null || v === undefined || v === '') { return '—'; }
    if (Array.isArray(v)) {
      return v.map(function (x) { return typeof x === 'object' ? Object.values(x).join(' ') : String(x); }).join('; ') || '—';
    }
    if (typeof v === 'object') {
      return Object.keys(v).map(function (k) { return k.replace(/_/g, ' ') + ': ' + fmtValue(v[k]); }).join(', ') || '—';
    }
    return String(v);
  }

  /* -- sign in, purpose, search ---------------------------------------------------------- */
  $('signin-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var key = $('api-key').value.trim();
    if (!key) { return; }
    sessionStorage.setItem(KEY, key);
    $('api-key').value = '';
    status('');
    route();
  });
  $('purpose-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var p = $('purpose').value.trim();
    if (!p) { return; }
    sessionStorage.setItem(PURPOSE, p);
    route();
  });
  $('change-purpose').addEventListener('click', function () {
    sessionStorage.removeItem(PURPOSE);
    $('purpose').value = '';
    location.hash = '';
    show('purpose-view');
  });
  $('sign-out').addEventListener('click', function () {
    sessionStorage.clear();
    location.hash = '';
    status('Signed out.', true);
    show('signin-view');
  });
  $('back').addEventListener('click', function () { location.hash = ''; show('search-view'); });

  function resultItems(body) {
    if (Array.isArray(body)) { return body; }
    return body.persons || body.results || body.matches || [];
  }

  $('search-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var q = $('q').value.trim();
    if (!q) { return; }
    status('Searching…', true);
    api('/search?q=' + encodeURIComponent(q)).then(function (body) {
      var list = $('results');
      list.replaceChildren();
      var items = resultItems(body);
      items.forEach(function (p) {
        var id = p.person_id || p.id;
        var name = [p.given_name, p.family_name].filter(Boolean).join(' ') || p.name || id;
        var li = document.createElement('li');
        var b = text('button', name + ' (' + id + ')');
        b.type = 'button';
        b.className = 'result';
        b.setAttribute('data-person-id', id);
        b.addEventListener('click', function () { location.hash = '#/person/' + encodeURIComponent(id); });
        li.appendChild(b);
        var extra = [];
        if (p.roles) { extra.push(fmtValue(p.roles)); }
        if (p.matched_on) { extra.push('matched on ' + fmtValue(p.matched_on)); }
        if (p.score !== undefined) { extra.push('score ' + Number(p.score).toFixed(2)); }
        if (extra.length) { li.appendChild(text('span', ' ' + extra.join(' · '), 'hint')); }
        list.appendChild(li);
      });
      status(items.length + ' result' + (items.length === 1 ? '' : 's') + '.', true);
      if (items.length) { list.querySelector('button').focus(); }
    }).catch(fail);
  });

  /* -- person page ------------------------------------------------------------------------ */
  function openPerson(id) {
    state.person = id;
    state.expanded = {};
    show('person-view');
    $('person-title').textContent = id;
    status('Loading ' + id + '…', true);
    state.fixation = null;
    var profile = api('/persons/' + encodeURIComponent(id)).then(renderProfile);
    var network = loadNetwork();
    var fixation = api('/persons/' + encodeURIComponent(id) + '/fixation').then(renderFixation, function (err) {
      $('fixation-summary').replaceChildren(text('p', 'Fixation analysis unavailable: ' + err.message, 'hint'));
    });
    Promise.all([network, fixation]).then(drawTimeline, function () {});
    Promise.all([profile, network, fixation]).then(function () { status('', true); }).catch(fail);
    renderExports();
  }

  function renderProfile(p) {
    var person = p.person || p;
    var name = [person.given_name, person.family_name].filter(Boolean).join(' ');
    $('person-title').textContent = (name ? name + ' ' : '') + '(' + state.person + ')';
    var dl = $('profile');
    dl.replaceChildren();
    var skip = { flags: 1, orders: 1, person: 1 };
    Object.keys(p).forEach(function (k) {
      if (skip[k]) { return; }
      dl.appendChild(text('dt', k.replace(/_/g, ' ')));
      dl.appendChild(text('dd', fmtValue(p[k])));
    });
    var orders = $('orders');
    orders.replaceChildren();
    (p.orders || []).forEach(function (o) {
      orders.appendChild(text('li', (o.type || '').replace(/_/g, ' ') + ' ' + o.id + ' — issued ' + (o.issued_on || '?') +
        ', ' + (o.expires_on ? 'expires ' + o.expires_on : 'until further order') + (o.active ? ' (active)' : '')));
    });
    if (!(p.orders || []).length) { orders.appendChild(text('li', 'None recorded.')); }
    var flags = $('flags');
    flags.replaceChildren();
    (p.flags || []).forEach(function (f) {
      var li = text('li', null, 'flag');
      li.appendChild(text('code', f.code));
      li.appendChild(document.createTextNode(' ' + (f.message || '')));
      var ev = text('div', null, 'evidence');
      (f.evidence || []).forEach(function (rid) {
        var b = text('button', rid);
        b.type = 'button';
        b.title = 'Show ' + rid + ' in the network';
        b.addEventListener('click', function () { focusRecord(rid); });
        ev.appendChild(b);
      });
      li.appendChild(ev);
      flags.appendChild(li);
    });
    if (!(p.flags || []).length) { flags.appendChild(text('li', 'No flags.')); }
  }

  /* Breaches from the fixation analysis: recorded ones and incidents inside an order's
   * in-force period that were never recorded as breaches. */
  function fixationBreaches() {
    var out = {};
    ((state.fixation && state.fixation.victims) || []).forEach(function (v) {
      (Array.isArray(v.breaches) ? v.breaches : []).forEach(function (b) {
        if (b && b.incident_id) { out[b.incident_id] = b.recorded !== false; }
      });
    });
    return out;
  }

  function drawTimeline() {
    if (!state.network) { return; }
    var tl = Timeline.draw($('timeline'), state.network, Date.now(), fixationBreaches());
    Timeline.legend($('timeline-legend'), tl);
  }

  function renderFixation(f) {
    state.fixation = f;
    var box = $('fixation-summary');
    box.replaceChildren();
    var victims = f.victims || [];
    if (f.pattern) {
      box.appendChild(text('p', 'Victims: ' + fmtValue(f.pattern.victim_count) + ' · most at once: ' +
        fmtValue(f.pattern.max_concurrent_victims) + (f.pattern.serial ? ' · serial pattern' : '') +
        (f.pattern.sequence ? ' · sequence: ' + fmtValue(f.pattern.sequence) : '')));
    }
    if (!victims.length) { return; }
    var t = document.createElement('table');
    var head = t.insertRow();
    ['Victim', 'First', 'Last', 'Incidents', 'Days', 'Escalation', 'FOUR', 'Breaches'].forEach(function (h) {
      var th = document.createElement('th'); th.textContent = h; head.appendChild(th);
    });
    victims.forEach(function (v) {
      var r = t.insertRow();
      var four = v.four ? Object.keys(v.four).filter(function (k) { return v.four[k]; }).join(', ') : '';
      [v.victim_id, v.first_contact, v.last_contact, v.incident_count, v.span_days,
        v.escalation ? v.escalation.trend : '', four,
        Array.isArray(v.breaches) ? v.breaches.length : v.breaches].forEach(function (c) {
        r.insertCell().textContent = fmtValue(c);
      });
    });
    box.appendChild(t);
  }

  /* -- network ---------------------------------------------------------------------------- */
  function networkPath(id, depth, format) {
    return '/persons/' + encodeURIComponent(id) + '/network?depth=' + depth + '&format=' + format;
  }

  function loadNetwork() {
    var depth = $('depth').value;
    return api(networkPath(state.person, depth, 'cytoscape')).then(function (doc) {
      state.network = doc;
      if (state.cy) { state.cy.destroy(); }
      state.cy = GraphView.create($('graph'), doc, { layout: $('layout').value || undefined });
      window.consoleGraph = state.cy;
      state.expanded[state.person] = true;
      state.cy.on('tap', 'node', function (evt) { selectNode(evt.target.id(), true); });
      renderFilters();
      refreshNodeList();
      drawTimeline();
    });
  }

  function updateCount() {
    var cy = state.cy;
    var visible = cy.nodes().filter(function (n) { return !n.hasClass('gv-hidden'); }).length;
    $('graph-count').textContent = cy.nodes().length + ' nodes, ' + cy.edges().length + ' edges' +
      (visible !== cy.nodes().length ? ' (' + visible + ' shown)' : '');
    $('graph').setAttribute('data-node-count', String(cy.nodes().length));
    $('graph').setAttribute('data-visible-count', String(visible));
  }

  function renderFilters() {
    var box = $('filters');
    box.querySelectorAll('label').forEach(function (l) { l.remove(); });
    var counts = GraphView.counts(state.cy);
    GraphView.TYPES.forEach(function (t) {
      var l = document.createElement('label');
      var i = document.createElement('input');
      i.type = 'checkbox'; i.checked = true; i.setAttribute('data-type', t);
      i.addEventListener('change', applyFilter);
      var sw = text('span', null, 'swatch');
      sw.style.background = GraphView.COLOURS[t];
      l.appendChild(i); l.appendChild(sw);
      l.appendChild(document.createTextNode(t + ' (' + (counts[t] || 0) + ')'));
      box.appendChild(l);
    });
  }

  function applyFilter() {
    var shown = Array.prototype.slice.call(document.querySelectorAll('#filters input:checked'))
      .map(function (i) { return i.getAttribute('data-type'); });
    GraphView.applyFilter(state.cy, shown);
    refreshNodeList();
  }

  function refreshNodeList() {
    var sel = $('node-list');
    var current = sel.value;
    sel.replaceChildren();
    state.cy.nodes().filter(function (n) { return !n.hasClass('gv-hidden'); })
      .sort(function (a, b) { return a.data('level') - b.data('level') || String(a.id()).localeCompare(b.id()); })
      .forEach(function (n) {
        var o = document.createElement('option');
        o.value = n.id();
        o.textContent = n.data('type') + ': ' + n.data('label');
        sel.appendChild(o);
      });
    if (current) { sel.value = current; }
    updateCount();
  }

  function selectNode(id, expand) {
    var n = state.cy.getElementById(id);
    if (n.empty()) { return; }
    state.cy.$(':selected').unselect();
    n.select();
    $('node-list').value = id;
    var d = n.data();
    var table = document.createElement('table');
    Object.keys(d).forEach(function (k) {
      var r = table.insertRow();
      r.insertCell().textContent = k;
      r.insertCell().textContent = fmtValue(d[k]);
    });
    $('node-details').replaceChildren(table);
    if (expand && d.type === 'person') { expandPerson(d.record_id); }
  }

  function expandPerson(personId) {
    if (!personId || state.expanded[personId]) { return Promise.resolve(0); }
    state.expanded[personId] = true;
    status('Expanding ' + personId + '…', true);
    return api(networkPath(personId, 1, 'cytoscape')).then(function (doc) {
      var added = GraphView.addElements(state.cy, doc);
      if (added) { GraphView.runLayout(state.cy, $('layout').value); }
      applyFilter();
      status('Added ' + added + ' elements from ' + personId + '.', true);
      return added;
    }).catch(function (err) { state.expanded[personId] = false; fail(err); });
  }

  function focusRecord(recordId) {
    var hit = state.cy && state.cy.nodes().filter(function (n) { return n.data('record_id') === recordId; });
    if (hit && hit.length) {
      selectNode(hit[0].id(), false);
      state.cy.animate({ center: { eles: hit[0] }, zoom: 1.5 }, { duration: 200 });
    } else {
      status(recordId + ' is not in the network at this depth.');
    }
  }

  $('node-list').addEventListener('change', function (e) { selectNode(e.target.value, false); });
  $('node-list').addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { e.preventDefault(); $('expand').click(); }
  });
  $('expand').addEventListener('click', function () {
    var id = $('node-list').value;
    var n = state.cy && state.cy.getElementById(id);
    if (!n || n.empty()) { return; }
    if (n.data('type') !== 'person') { status('Only persons can be expanded.'); return; }
    selectNode(id, true);
  });
  $('depth').addEventListener('change', function () {
    if (state.person) { state.expanded = {}; loadNetwork().catch(fail); }
  });
  $('layout').addEventListener('change', function (e) { if (state.cy) { GraphView.runLayout(state.cy, e.target.value); } });
  $('fit').addEventListener('click', function () { if (state.cy) { state.cy.fit(); } });

  /* -- exports ---------------------------------------------------------------------------- */
  /* The formats the API's network route accepts, read from its OpenAPI document (so formats
   * the API adds later appear by themselves); the contract's six when it cannot be read. */
  var CONTRACT_FORMATS = ['cytoscape', 'graphml', 'gexf', 'anx', 'csv', 'html'];
  var apiFormats = null;

  function findEnum(node) {
    if (!node || typeof node !== 'object') { return null; }
    if (Array.isArray(node.enum) && node.enum.indexOf('cytoscape') >= 0) { return node.enum; }
    var keys = Object.keys(node);
    for (var i = 0; i < keys.length; i++) {
      var found = findEnum(node[keys[i]]);
      if (found) { return found; }
    }
    return null;
  }

  function loadFormats() {
    if (apiFormats) { return Promise.resolve(apiFormats); }
    return api('/openapi.json').then(function (doc) {
      var paths = doc.paths || {};
      var key = Object.keys(paths).filter(function (k) { return /\/persons\/\{[^}]+\}\/network$/.test(k); })[0];
      var params = key && paths[key].get ? paths[key].get.parameters : null;
      var format = (params || []).filter(function (p) { return p.name === 'format'; })[0];
      var found = findEnum(format);
      if (!found && format && format.schema && format.schema.$ref) {
        found = findEnum(doc.components);
      }
      apiFormats = found || CONTRACT_FORMATS;
      return apiFormats;
    }).catch(function () { apiFormats = CONTRACT_FORMATS; return apiFormats; });
  }

  function renderExports() {
    return loadFormats().then(function (allowed) { drawExports(allowed); });
  }

  function drawExports(allowed) {
    var box = $('exports');
    box.replaceChildren();
    FORMATS.filter(function (f) { return allowed.indexOf(f[0]) >= 0; }).forEach(function (f) {
      var b = text('button', f[1]);
      b.type = 'button';
      b.setAttribute('data-format', f[0]);
      b.addEventListener('click', function () { download(f[0], f[2]); });
      box.appendChild(b);
    });
  }

  function download(format, ext) {
    var depth = $('depth').value;
    status('Preparing the ' + format + ' export…', true);
    api(networkPath(state.person, depth, format), { raw: true, accept: '*/*' }).then(function (r) {
      return r.blob();
    }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = document.createElement('a');
      a.href = url;
      a.download = state.person + '-network-d' + depth + '.' + ext;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      status('Exported ' + format + ' (' + blob.size + ' bytes). The disclosure is logged.', true);
    }).catch(fail);
  }

  window.addEventListener('hashchange', route);
  route();
})();
