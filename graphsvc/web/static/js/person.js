/* person.js: the readable parts of the person page, drawn from the API's answers: the profile
 * (names, date of birth, identifiers, roles, owning agency), the identity group (each linked
 * record with its probability, state and evidence, and confirm / reject / undo), the orders
 * with their status, and the flags with their evidence. No request is made here: console.js
 * passes the answers in and the actions out (hooks.decide, hooks.focus, hooks.highlight). */
(function (global) {
  'use strict';

  function text(tag, value, cls) {
    var e = document.createElement(tag);
    if (value !== undefined && value !== null) { e.textContent = String(value); }
    if (cls) { e.className = cls; }
    return e;
  }
  function words(s) { return String(s || '').replace(/_/g, ' '); }
  function cap(s) { s = words(s); return s.charAt(0).toUpperCase() + s.slice(1); }

  /* One identifier (a string, or an object such as a handle {platform, handle} or an address). */
  function ident(v) {
    if (v === null || v === undefined) { return ''; }
    if (typeof v !== 'object') { return String(v); }
    if (v.line1 || v.postcode) { return [v.line1, v.line2, v.town, v.postcode].filter(Boolean).join(', '); }
    if (v.platform || v.handle) { return (v.platform ? v.platform + ': ' : '') + (v.handle || ''); }
    return Object.keys(v).map(function (k) { return v[k]; }).filter(Boolean).join(' ');
  }
  function list(v) {
    if (v === '[redacted]') { return ['[redacted]']; }
    if (Withheld.by(v)) { return [Withheld.shown(v)]; }
    return (Array.isArray(v) ? v : v ? [v] : []).map(ident).filter(Boolean);
  }
  function fullName(p) { return Withheld.name(p); }

  /* One fact of the profile; `held`: another agency withheld it (the row is shaded as missing). */
  function row(dl, label, value, held) {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) { value = '—'; }
    dl.appendChild(text('dt', label));
    var dd = text('dd', null, held ? 'withheld' : null);
    if (Array.isArray(value)) {
      var ul = text('ul', null, 'plain');
      value.forEach(function (v) { ul.appendChild(text('li', v)); });
      dd.appendChild(ul);
    } else { dd.textContent = String(value); }
    dl.appendChild(dd);
  }

  /* What the caller's agency does not see of this record, and whom to ask (contract section 5). */
  function needToKnow(dl, p) {
    var who = Withheld.agencies(p.withheld_by);
    if (!who) { return; }
    var id = p.person_id || p.id;
    var own = Withheld.by(p.given_name) || Withheld.by(p.family_name) || Withheld.by(p.dob);
    row(dl, 'Held by another agency', own
      ? 'This victim\'s record is held by ' + own + '. Her name, date of birth, contact details and addresses ' +
        'are withheld from your agency: ask ' + own + ', quoting record ' + id + '.'
      : 'Parts of this record\'s history are held by ' + who + ' (victims\' details, incident descriptions, order ' +
        'conditions) and withheld from your agency: ask ' + who + ', quoting record ' + id + '.');
  }

  function profile(dl, p) {
    dl.replaceChildren();
    needToKnow(dl, p);
    var by = Withheld.by;
    row(dl, 'Name', fullName(p) || '(no name recorded)', by(p.given_name) || by(p.family_name));
    row(dl, 'Aliases', list(p.aliases), by(p.aliases));
    row(dl, 'Date of birth', Withheld.shown(p.dob) || 'not recorded', by(p.dob));
    row(dl, 'Gender', p.gender ? cap(p.gender) : '');
    row(dl, 'Roles', (p.roles || []).map(cap).join(', ') || 'none recorded');
    row(dl, 'Owning agency', p.source || p.agency || '');
    row(dl, 'Record id', p.person_id || p.id);
    row(dl, 'Phones', list(p.phones), by(p.phones));
    row(dl, 'Emails', list(p.emails), by(p.emails));
    row(dl, 'Handles', list(p.handles), by(p.handles));
    row(dl, 'Vehicles', list(p.vehicles), by(p.vehicles));
    row(dl, 'Addresses', list(p.addresses), by(p.addresses));
    var c = p.counts || {};
    var facts = [];
    if (c.incidents_as_offender) { facts.push(c.incidents_as_offender + ' incident(s) as offender'); }
    if (c.incidents_as_victim) { facts.push(c.incidents_as_victim + ' as victim'); }
    if (c.victims !== undefined && (c.victims || c.incidents_as_offender)) { facts.push(c.victims + ' distinct victim(s)'); }
    if (c.incidents_with_identity_links && c.incidents_with_identity_links !== c.incidents_as_offender) {
      facts.push(c.incidents_with_identity_links + ' incident(s) with linked records');
    }
    row(dl, 'On the register', facts.join(' · '));
    if (p.placeholder) { row(dl, 'Note', 'Placeholder record (made from another record\'s reference)'); }
  }

  /* A link's evidence, strongest first: "date of birth exact · email shared · ...". */
  function evidence(ev) {
    if (!ev || typeof ev !== 'object') { return ev ? String(ev) : 'no evidence recorded'; }
    var parts = Object.keys(ev).filter(function (k) {
      return k !== 'link_rule' && ev[k] && typeof ev[k] === 'object' && ev[k].level && ev[k].level !== 'null';
    }).sort(function (a, b) { return (ev[b].match_weight || 0) - (ev[a].match_weight || 0); }).map(function (k) {
      var w = ev[k].match_weight;
      return words(k === 'dob' ? 'date of birth' : k) + ' ' + ev[k].level + (typeof w === 'number' ? ' (' + (w >= 0 ? '+' : '') + w.toFixed(1) + ')' : '');
    });
    return parts.join(' · ') || 'no field agreed';
  }

  /* The identity group: the records counted with this person, from the profile's `identity`
   * and the links touching this person (GET /links?person_id=): state, probability, evidence,
   * who decided; proposed links can be confirmed or rejected, decided ones undone. */
  function identity(box, personId, group, links, hooks) {
    box.replaceChildren();
    group = group || {};
    var byOther = {};
    (links || []).forEach(function (l) {
      var other = l.a === personId ? l.b : l.a;
      byOther[other] = { person_id: other, pair: [l.a, l.b], status: l.status, probability: l.probability,
        evidence: l.evidence, decided_by: l.decided_by, decided_at: l.decided_at, reason: l.reason, via: personId };
    });
    (group.confirmed_person_ids || []).forEach(function (p) {
      if (!byOther[p]) { byOther[p] = { person_id: p, status: 'confirmed', probability: 1, via: null }; }
    });
    (group.unconfirmed || []).forEach(function (u) {
      var cur = byOther[u.person_id] || {};
      byOther[u.person_id] = Object.assign({}, cur, { person_id: u.person_id, status: cur.status || u.status || 'proposed',
        probability: u.probability, evidence: u.evidence || cur.evidence, via: u.via,
        pair: cur.pair || (u.via ? [u.via, u.person_id] : null), counted: true });
    });
    var ids = Object.keys(byOther).sort();
    if (!ids.length) { box.appendChild(text('p', 'No linked records: this record stands alone.', 'hint')); return; }
    box.appendChild(text('p', ids.length + ' linked record(s). Proposed links count in the analyses, marked unconfirmed, ' +
      'until a person confirms or rejects them.', 'hint'));
    var lab = text('label', 'Reason for a decision (kept on the link and in the audit log)');
    lab.setAttribute('for', 'link-reason');
    var reason = document.createElement('input');
    reason.id = 'link-reason'; reason.type = 'text'; reason.maxLength = 1000;
    box.appendChild(lab); box.appendChild(reason);
    var t = text('table', null, 'links');
    var cap0 = text('caption', 'Linked records of ' + personId);
    t.appendChild(cap0);
    var head = t.createTHead().insertRow();
    ['Record', 'State', 'Probability', 'Evidence', 'Decision'].forEach(function (h) {
      var th = text('th', h); th.scope = 'col'; head.appendChild(th);
    });
    var body = t.createTBody();
    ids.forEach(function (id) {
      var l = byOther[id];
      var r = body.insertRow();
      r.className = 'link link-' + l.status;
      r.setAttribute('data-person-id', id);
      var c0 = r.insertCell();
      var a = text('a', id);
      a.href = '#/person/' + encodeURIComponent(id);
      c0.appendChild(a);
      if (l.via && l.via !== personId) { c0.appendChild(text('div', 'through ' + l.via, 'hint')); }
      r.insertCell().textContent = l.status + (l.decided_by ? ' by ' + l.decided_by + (l.decided_at ? ', ' + l.decided_at.slice(0, 10) : '') : '');
      r.insertCell().textContent = typeof l.probability === 'number' ? l.probability.toFixed(3) : '—';
      r.insertCell().textContent = evidence(l.evidence);
      var act = r.insertCell();
      var choices = !l.pair ? [] : l.status === 'proposed' ? ['confirm', 'reject'] : ['undo'];
      choices.forEach(function (d) {
        var b = text('button', cap(d));
        b.type = 'button';
        b.setAttribute('data-decision', d);
        b.setAttribute('aria-label', cap(d) + ' the link ' + l.pair[0] + ' – ' + l.pair[1]);
        b.addEventListener('click', function () { hooks.decide(l.pair[0], l.pair[1], d, reason.value.trim()); });
        act.appendChild(b);
      });
      if (!choices.length) { act.textContent = 'decide on ' + (l.via || 'the linked record') + '\'s page'; }
    });
    box.appendChild(t);
  }

  // the answer's order status (graphsvc.analysis.flags.order_status), or its `active` alone
  var STATUS = { active: 'in force', expired: 'expired', not_yet_in_force: 'not yet in force',
    issue_date_unknown: 'issue date unknown', true: 'in force', false: 'not in force' };
  function orderStatus(o) { return STATUS[o.status !== undefined ? o.status : !!o.active] || words(o.status); }

  function orders(ul, list0, personId) {
    ul.replaceChildren();
    (list0 || []).forEach(function (o) {
      var li = text('li', null, 'order ' + (o.active ? 'order-active' : 'order-inactive'));
      li.setAttribute('data-order-id', o.id);
      li.appendChild(text('strong', cap(o.type || 'order') + ' ' + o.id));
      li.appendChild(text('span', orderStatus(o), 'badge ' + (o.active ? 'badge-on' : 'badge-off')));
      var bits = ['issued ' + (o.issued_on || '?'), o.expires_on ? 'expires ' + o.expires_on : 'until further order'];
      if (o.role) { bits.push(o.role === 'respondent' ? 'this person is the respondent' : 'this person is protected'); }
      if (o.respondent_id && o.respondent_id !== personId) { bits.push('respondent ' + o.respondent_id); }
      var prot = (o.protected_ids || []).filter(function (p) { return p !== personId; });
      if (prot.length) { bits.push('protects ' + prot.join(', ')); }
      var via = o.record_id;
      if (via && via !== personId) { bits.push('through linked record ' + via + (o.proposed ? ' (proposed link)' : '')); }
      if (o.breached_in && o.breached_in.length) { bits.push('breached in ' + o.breached_in.join(', ')); }
      li.appendChild(text('div', bits.join(' · '), 'hint'));
      ul.appendChild(li);
    });
    if (!(list0 || []).length) { ul.appendChild(text('li', 'None recorded.')); }
  }

  function flags(ul, list0, hooks) {
    ul.replaceChildren();
    (list0 || []).forEach(function (f) {
      var li = text('li', null, 'flag');
      li.setAttribute('data-code', f.code);
      li.appendChild(text('code', f.code));
      li.appendChild(document.createTextNode(' ' + (f.message || '')));
      var ev = text('div', null, 'evidence');
      var all = text('button', 'Highlight all ' + (f.evidence || []).length);
      all.type = 'button';
      all.className = 'highlight';
      all.setAttribute('aria-pressed', 'false');
      all.setAttribute('aria-label', all.textContent + ': the evidence of ' + f.code + ' in the network and the timeline');
      all.addEventListener('click', function () {
        var on = all.getAttribute('aria-pressed') !== 'true';
        ul.querySelectorAll('button.highlight').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
        all.setAttribute('aria-pressed', on ? 'true' : 'false');
        hooks.highlight(on ? f.evidence || [] : []);
      });
      if ((f.evidence || []).length) { ev.appendChild(all); }
      (f.evidence || []).forEach(function (rid) {
        var b = text('button', rid);
        b.type = 'button';
        b.title = 'Show ' + rid + ' in the network and the timeline';
        b.addEventListener('click', function () { hooks.focus(rid); });
        ev.appendChild(b);
      });
      li.appendChild(ev);
      ul.appendChild(li);
    });
    if (!(list0 || []).length) { ul.appendChild(text('li', 'No flags.')); }
  }

  /* A search result's linked records, whatever list the answer gives them in. */
  function linkedOf(p) {
    var raw = p.linked_records || p.linked || p.group || p.identity_group || null;
    if (!raw && p.identity) {
      raw = (p.identity.confirmed_person_ids || []).map(function (id) { return { person_id: id, status: 'confirmed' }; })
        .concat(p.identity.unconfirmed || []);
    }
    return (raw || []).map(function (x) { return typeof x === 'string' ? { person_id: x } : x; });
  }

  global.PersonView = { profile: profile, identity: identity, orders: orders, flags: flags, evidence: evidence,
    fullName: fullName, linkedOf: linkedOf, orderStatus: orderStatus, text: text, words: words, cap: cap };
})(window);
