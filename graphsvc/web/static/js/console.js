/* console.js: the investigator console. Talks only to the JSON API with the key typed at
 * sign-in (sessionStorage: gone when the tab closes) and the purpose asked before any person
 * is shown (sent as X-Purpose on every read, so each read is audited with it). */
(function () {
  'use strict';
  var API = document.body.getAttribute('data-api-base') || '/api/v1';
  var KEY = 'graphsvc.key', PURPOSE = 'graphsvc.purpose', REVIEW = 'graphsvc.review';
  var FORMATS = [
    ['cytoscape', 'Cytoscape JSON', 'cyjs'], ['graphml', 'GraphML', 'graphml'], ['gexf', 'GEXF (Gephi)', 'gexf'],
    ['anx', 'i2 ANX', 'anx'], ['csv', 'CSV (zip)', 'zip'], ['html', 'HTML (offline)', 'html'],
    ['svg', 'SVG', 'svg'], ['png', 'PNG', 'png']
  ];
  var state = { person: null, fixation: null, timeline: null };
  var $ = function (id) { return document.getElementById(id); };

  function status(text, ok) {
    var s = $('status');
    s.textContent = text || '';
    s.className = ok ? 'ok' : '';
  }

  function show(view) {
    ['signin-view', 'purpose-view', 'search-view', 'person-view', 'register-view', 'register-person-view',
      'review-view'].forEach(function (v) {
      $(v).hidden = v !== view;
    });
    var signedIn = !!sessionStorage.getItem(KEY);
    $('session-info').hidden = !signedIn || !sessionStorage.getItem(PURPOSE);
    $('nav').hidden = $('session-info').hidden;
    var section = /^register/.test(view) ? 'nav-register' : (view === 'search-view' ? 'nav-search' :
      (view === 'review-view' ? 'nav-review' : null));
    $('nav-review').hidden = sessionStorage.getItem(REVIEW) !== 'yes';
    ['nav-search', 'nav-register', 'nav-review'].forEach(function (n) {
      if (n === section) { $(n).setAttribute('aria-current', 'page'); } else { $(n).removeAttribute('aria-current'); }
    });
    $('purpose-shown').textContent = sessionStorage.getItem(PURPOSE) || '';
    var first = $(view).querySelector('input, button, select');
    if (first) { first.focus(); }
  }

  function route() {
    if (!sessionStorage.getItem(KEY)) { return show('signin-view'); }
    if (!sessionStorage.getItem(PURPOSE)) { return show('purpose-view'); }
    checkReview();
    var m = /^#\/person\/(.+)$/.exec(location.hash);
    if (m) { return openPerson(decodeURIComponent(m[1])); }
    m = /^#\/register\/(.+)$/.exec(location.hash);
    if (m) { return openRegistered(decodeURIComponent(m[1])); }
    if (location.hash === '#/register') { return openWorklist(); }
    if (location.hash === '#/review') { return openReview(); }
    show('search-view');
    loadAlerts();
  }

  function loadAlerts() {
    return window.AlertsPanel.load($('alerts'), {
      api: api, status: status, fail: fail,
      openPerson: function (id) { location.hash = '#/person/' + encodeURIComponent(id); }
    });
  }

  function ApiError(status, code, message, details) {
    this.status = status; this.code = code; this.message = message; this.details = details || {};
  }

  function api(path, opts) {
    opts = opts || {};
    var headers = { 'Authorization': 'Bearer ' + sessionStorage.getItem(KEY),
      'X-Purpose': sessionStorage.getItem(PURPOSE) || '', 'Accept': opts.accept || 'application/json' };
    var init = { headers: headers, cache: 'no-store', method: opts.method || 'GET' };
    if (opts.body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(opts.body); }
    return fetch(API + path, init).then(function (r) {
      if (r.status === 401) {
        sessionStorage.removeItem(KEY);
        sessionStorage.removeItem(REVIEW);
        show('signin-view');
        throw new ApiError(401, 'unauthorized', 'The API key was refused: sign in again.');
      }
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          var e = body && body.error ? body.error : {};
          throw new ApiError(r.status, e.code || 'error', e.message || ('HTTP ' + r.status), e.details);
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
    sessionStorage.removeItem(REVIEW);  // what this key may do is asked again
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
  $('back').addEventListener('click', function () { location.hash = ''; show('search-view'); loadAlerts(); });
  $('alerts-refresh').addEventListener('click', function () { loadAlerts(); });

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
        var name = Withheld.name(p, id);
        var li = document.createElement('li');
        var b = text('button', name + ' (' + id + ')');
        b.type = 'button';
        b.className = 'result';
        b.setAttribute('data-person-id', id);
        b.addEventListener('click', function () { location.hash = '#/person/' + encodeURIComponent(id); });
        li.appendChild(b);
        var extra = [];
        if (p.dob && !Withheld.by(p.dob)) { extra.push('born ' + p.dob); }
        if (p.source) { extra.push(p.source); }
        if (p.roles && p.roles.length) { extra.push(fmtValue(p.roles)); }
        if (p.matched_on) { extra.push('matched on ' + fmtValue(p.matched_on)); }
        if (p.score !== undefined) { extra.push('score ' + Number(p.score).toFixed(2)); }
        if (extra.length) { li.appendChild(text('span', ' ' + extra.join(' · '), 'hint result-facts')); }
        // linked records (an identity group), when the answer groups them
        var linked = window.PersonView.linkedOf(p);
        if (linked.length) {
          var ul = text('ul', null, 'linked');
          ul.setAttribute('aria-label', 'Records linked to ' + id);
          linked.forEach(function (l) {
            var lid = l.person_id || l.id;
            var lli = document.createElement('li');
            var lb = text('button', Withheld.name(l, lid) + ' (' + lid + ')');
            lb.type = 'button';
            lb.className = 'linked-result';
            lb.setAttribute('data-person-id', lid);
            lb.addEventListener('click', function () { location.hash = '#/person/' + encodeURIComponent(lid); });
            lli.appendChild(lb);
            var facts = [l.status || '', typeof l.probability === 'number' ? 'p ' + l.probability.toFixed(2) : '',
              l.dob ? 'born ' + l.dob : '', l.source || ''].filter(Boolean);
            if (facts.length) { lli.appendChild(text('span', ' ' + facts.join(' · '), 'hint')); }
            ul.appendChild(lli);
          });
          li.appendChild(ul);
        }
        list.appendChild(li);
      });
      status(items.length + ' result' + (items.length === 1 ? '' : 's') + '.', true);
      if (items.length) { list.querySelector('button').focus(); }
    }).catch(fail);
  });

  /* -- person page ------------------------------------------------------------------------ */
  var P = window.PersonView;
  var timeline = null;

  function openPerson(id) {
    state.person = id;
    state.fixation = null;
    state.timeline = null;
    show('person-view');
    $('person-title').textContent = id;
    $('person-register').hidden = true;
    status('Loading ' + id + '…', true);
    var enc = encodeURIComponent(id);
    var profile = api('/persons/' + enc).then(renderProfile);
    var links = api('/links?person_id=' + enc + '&limit=500').then(function (b) { return b.links || []; }, function () { return []; });
    Promise.all([profile, links]).then(function (r) { renderIdentity(r[0], r[1]); }).catch(function () {});
    var network = NetworkPanel.load(id);
    var fixation = api('/persons/' + enc + '/fixation').then(renderFixation, function (err) {
      $('fixation-summary').replaceChildren(text('p', 'Fixation analysis unavailable: ' + err.message, 'hint'));
      return null;
    });
    var tl = loadTimeline(id, fixation).then(drawTimeline);
    Promise.all([profile, network, fixation, tl]).then(function () { status('', true); }).catch(fail);
    renderExports();
  }

  /* The timeline answer; while the API has no timeline route (404/405), the same shape from
   * the fixation answer and a depth-2 network (which holds the identity group's incidents). */
  function loadTimeline(id, fixation) {
    var enc = encodeURIComponent(id);
    return api('/persons/' + enc + '/timeline').then(function (t) { t.source_route = 'timeline'; return t; }, function (err) {
      if (err.status !== 404 && err.status !== 405) { throw err; }
      return Promise.all([fixation, api(NetworkPanel.networkPath(id, 2, 'cytoscape'))]).then(function (r) {
        if (!r[0]) { throw err; }
        var t = Timeline.fromFixation(r[0], r[1]);
        t.source_route = 'fixation';
        return t;
      });
    });
  }

  function drawTimeline(data) {
    state.timeline = data;
    $('timeline').setAttribute('data-source', data.source_route || '');
    timeline = Timeline.draw($('timeline'), data, {
      onSelect: function (ids) { NetworkPanel.focusRecords(ids); timeline.select(ids); },
      onBrush: function (from, to) {
        NetworkPanel.setDates(from, to);
        status('Network filtered to ' + from + ' – ' + to + '.', true);
      }
    });
    Timeline.legend($('timeline-legend'));
    labelFixationRows();
  }

  function renderProfile(p) {
    var name = P.fullName(p);
    $('person-title').textContent = (name ? name + ' ' : '') + '(' + state.person + ')';
    P.profile($('profile'), p);
    P.orders($('orders'), p.orders, state.person);
    // a registered man: a link to his registrations, duties and notifications
    var registered = (p.flags || []).some(function (f) { return f.code === 'REGISTERED'; });
    $('person-register-link').href = '#/register/' + encodeURIComponent(state.person);
    $('person-register').hidden = !registered;
    (p.flags || []).filter(function (f) { return f.code === 'LINKED_UNIDENTIFIED'; }).forEach(function (f) {
      NetworkPanel.unidentified(f.evidence || []);
    });
    P.flags($('flags'), p.flags, {
      focus: function (rid) {
        NetworkPanel.focusRecords([rid], true);
        if (timeline) { timeline.select([rid]); }
      },
      highlight: function (ids) {
        var n = NetworkPanel.highlight(ids);
        if (timeline) { timeline.mark(ids); }
        status(ids.length ? n + ' of ' + ids.length + ' evidence records are in the network.' : '', true);
      }
    });
    return p;
  }

  function renderIdentity(p, links) {
    P.identity($('identity'), state.person, p.identity, links, { decide: decide });
  }

  function decide(a, b, decision, reason) {
    if (!reason) {
      status('Give a reason for the decision first (it is kept on the link and in the audit log).');
      $('link-reason').focus();
      return;
    }
    status('Recording ' + decision + ' of ' + a + ' – ' + b + '…', true);
    api('/links/' + encodeURIComponent(a) + '/' + encodeURIComponent(b) + '/' + decision,
      { method: 'POST', body: { reason: reason } }).then(function (r) {
      openPerson(state.person);
      status('Link ' + r.link.a + ' – ' + r.link.b + ' is now ' + r.link.status + '.', true);
    }).catch(function (err) {
      status(err.status === 403 ? 'Your role may not decide identity links.' : err.message);
    });
  }

  function victimLabel(id) {
    var rows = (state.timeline && state.timeline.rows) || [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].record_ids.indexOf(id) >= 0) { return rows[i].label !== id ? rows[i].label + ' (' + id + ')' : id; }
    }
    return id;
  }

  function labelFixationRows() {
    document.querySelectorAll('#fixation-summary td[data-victim]').forEach(function (td) {
      td.textContent = victimLabel(td.getAttribute('data-victim'));
    });
  }

  function renderFixation(f) {
    state.fixation = f;
    var box = $('fixation-summary');
    box.replaceChildren();
    var victims = f.victims || [];
    if (f.pattern) {
      box.appendChild(text('p', 'Victims: ' + fmtValue(f.pattern.victim_count) + ' · most at once: ' +
        fmtValue(f.pattern.max_concurrent_victims) + (f.pattern.serial ? ' · serial pattern' : '')));
    }
    if (!victims.length) { return f; }
    var t = document.createElement('table');
    t.appendChild(text('caption', 'Fixation per victim'));
    var head = t.createTHead().insertRow();
    ['Victim', 'First contact', 'Last contact', 'Incidents', 'Days', 'Severity trend', 'FOUR', 'Breaches'].forEach(function (h) {
      var th = text('th', h); th.scope = 'col'; head.appendChild(th);
    });
    var body = t.createTBody();
    victims.forEach(function (v) {
      var r = body.insertRow();
      var four = v.four ? Object.keys(v.four).filter(function (k) { return v.four[k]; }).join(', ') : '';
      var c = r.insertCell();
      c.setAttribute('data-victim', v.victim_id);
      c.textContent = victimLabel(v.victim_id);
      [Timeline.shown(v.first_contact), Timeline.shown(v.last_contact), v.incident_count, v.span_days,
        v.escalation && v.escalation.severity ? v.escalation.severity.trend : '', four,
        Array.isArray(v.breaches) ? v.breaches.length : v.breaches].forEach(function (x) {
        r.insertCell().textContent = fmtValue(x);
      });
    });
    box.appendChild(t);
    return f;
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  NetworkPanel.mount({
    api: api, status: status, fail: fail,
    onSelect: function (ids) { if (timeline) { timeline.select(ids); } },
    onDates: function (from, to) { if (timeline) { timeline.setBrush(from, to, false); } }
  });
  $('tl-zoom-in').addEventListener('click', function () { if (timeline) { timeline.zoom(0.5); } });
  $('tl-zoom-out').addEventListener('click', function () { if (timeline) { timeline.zoom(2); } });
  $('tl-zoom-brush').addEventListener('click', function () {
    var b = timeline && timeline.brush();
    if (b) { timeline.zoomTo(b[0], b[1]); } else { status('Drag across the timeline (or set the network dates) first.'); }
  });
  $('tl-reset').addEventListener('click', function () { if (timeline) { timeline.reset(); } });
  $('tl-svg').addEventListener('click', function () {
    if (!timeline || !timeline.svg) { return; }
    save(new Blob([timeline.svgText()], { type: 'image/svg+xml' }), state.person + '-timeline.svg');
    status('Timeline saved as SVG.', true);
  });
  $('tl-png').addEventListener('click', function () {
    if (!timeline || !timeline.svg) { return; }
    timeline.pngBlob(2).then(function (b) { save(b, state.person + '-timeline.png'); status('Timeline saved as PNG.', true); }).catch(fail);
  });

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
    var box = $('export-buttons');
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
    api(NetworkPanel.networkPath(state.person, depth, format), { raw: true, accept: '*/*' }).then(function (r) {
      return r.blob();
    }).then(function (blob) {
      save(blob, state.person + '-network-d' + depth + '.' + ext);
      status('Exported ' + format + ' (' + blob.size + ' bytes). The disclosure is logged.', true);
    }).catch(fail);
  }

  /* -- the register (offender managers) -------------------------------------------------- */
  var worklist = window.RegisterView.Worklist({
    api: api, status: status, fail: fail,
    table: $('register-worklist'), more: $('register-more'), summary: $('register-summary')
  });

  function openWorklist() {
    show('register-view');
    return worklist.load($('register-agency').value.trim(), $('register-limit').value);
  }

  function openRegistered(id) {
    state.registered = id;
    show('register-person-view');
    $('reg-person-title').textContent = id + ': on the register';
    $('reg-person-link').href = '#/person/' + encodeURIComponent(id);
    ['reg-as-of', 'reg-flags', 'reg-last', 'reg-registrations', 'reg-duties', 'reg-notifications'].forEach(function (b) {
      $(b).replaceChildren();
    });
    $('reg-held').hidden = true;
    status('Reading ' + id + '\'s registrations…', true);
    return api('/register/persons/' + encodeURIComponent(id)).then(function (data) {
      if (state.registered !== id) { return; }
      window.RegisterView.person({
        title: $('reg-person-title'), asOf: $('reg-as-of'), held: $('reg-held'), flags: $('reg-flags'),
        last: $('reg-last'), registrations: $('reg-registrations'), duties: $('reg-duties'),
        notifications: $('reg-notifications')
      }, data, { transfer: transfer });
      status('', true);
    }).catch(function (err) {
      if (err.status === 404) {
        $('reg-as-of').textContent = 'No person record or placeholder has the id ' + id + '.';
        status('No such person: ' + id + '.');
      } else { fail(err); }
    });
  }

  function transfer(registrationId, to, reason) {
    status('Transferring ' + registrationId + ' to ' + to + '…', true);
    return api('/register/registrations/' + encodeURIComponent(registrationId) + '/transfer',
      { method: 'POST', body: { to: to, reason: reason } }).then(function (t) {
      return openRegistered(state.registered).then(function () {
        status('Registration ' + t.registration_id + ' transferred from ' + t.from + ' to ' + t.to + ' on ' + t.on +
          '. The transfer is kept with the registration and in the audit log.', true);
        var moved = document.querySelector('#reg-registrations [data-registration-id="' + CSS.escape(t.registration_id) + '"] h4');
        if (moved) { moved.tabIndex = -1; moved.focus(); }
      });
    }).catch(function (err) {
      if (err.status === 403) {
        status('Only the managing agency\'s offender manager (or a national key) may transfer ' + registrationId + '.');
      } else if (err.status === 409) {
        status(err.message + '.');
      } else { fail(err); }
      throw err;
    });
  }

  /* -- retention review (admins) ------------------------------------------------------------ */
  /* The Review link is shown to keys that may review (admins) only: asked once a session, from
   * the API itself (GET /whoami: the key's permissions), and kept with the key. */
  var reviewAsked = null;
  function checkReview() {
    if (sessionStorage.getItem(REVIEW) || reviewAsked) { return reviewAsked || Promise.resolve(); }
    reviewAsked = window.ReviewView.allowed(api).then(function (ok) {
      reviewAsked = null;
      if (ok === null || !sessionStorage.getItem(KEY)) { return; }
      sessionStorage.setItem(REVIEW, ok ? 'yes' : 'no');
      $('nav-review').hidden = !ok;
      if (location.hash === '#/review') { openReview(); }
    });
    return reviewAsked;
  }

  var review = window.ReviewView.Worklist({
    api: api, status: status, fail: fail, dialog: $('review-dialog'),
    table: $('review-worklist'), more: $('review-more'), summary: $('review-summary')
  });

  function openReview() {
    show('review-view');
    var may = sessionStorage.getItem(REVIEW);
    $('review-denied').hidden = may !== 'no';
    $('review-body').hidden = may !== 'yes';
    if (may !== 'yes') {
      if (may === 'no') { status('Retention review is for admin keys only.'); }
      return;
    }
    if (!$('review-before').value) { $('review-before').value = window.ReviewView.londonToday(); }
    window.ReviewView.echo($('review-before'));
    $('review-before').focus();
    return review.load($('review-before').value, $('review-agency').value.trim(), $('review-limit').value);
  }

  window.ReviewView.echoed($('review-before'));
  $('review-form').addEventListener('submit', function (e) { e.preventDefault(); openReview(); });
  $('review-more').addEventListener('click', function () { review.more(); });

  $('register-form').addEventListener('submit', function (e) { e.preventDefault(); openWorklist(); });
  $('register-more').addEventListener('click', function () { worklist.more(); });
  $('reg-back').addEventListener('click', function () { location.hash = '#/register'; });
  $('register-open').addEventListener('submit', function (e) {
    e.preventDefault();
    var id = $('register-person-id').value.trim();
    if (id) { location.hash = '#/register/' + encodeURIComponent(id); }
  });

  window.addEventListener('hashchange', route);
  route();
})();
