/* register.js: the offender manager's register (contract section 7). Two views, drawn from the
 * API's answers:
 *  - the overdue worklist (GET /register/overdue): registrations in force whose due notification's
 *    last day has passed, longest overdue first, a page at a time (next_cursor, "More"); an
 *    agency's key reads its own agency's;
 *  - one person's place on the register (GET /register/persons/{id}): his registrations (basis,
 *    order, dates, who manages him, in force, the due duty and whether it is overdue, the proposed
 *    transfer and the past ones), every duty with its last day and the notification that met it,
 *    his notifications newest first and what he notified last.
 * A transfer (POST /register/registrations/{id}/transfer) needs a reason; console.js makes the
 * request (hooks.transfer). What another agency withholds reads as whom to ask (withheld.js).
 * Dates are shown as recorded (YYYY-MM-DD). */
(function (global) {
  'use strict';

  var DUTIES = { initial: 'Initial notification', name: 'Change of name', address: 'Change of address',
    annual: 'Annual notification' };
  var TYPES = { initial: 'Initial', name: 'Change of name', address: 'Change of address', annual: 'Annual',
    travel: 'Travel' };
  var BASIS = { order: 'Order (notification requirements of a stalking protection order)',
    conviction: 'Conviction (notification requirements of a conviction)' };

  function el(tag, value, cls) {
    var e = document.createElement(tag);
    if (value !== undefined && value !== null) { e.textContent = String(value); }
    if (cls) { e.className = cls; }
    return e;
  }
  function duty(k) { return DUTIES[k] || k || '—'; }
  function shown(v) { return v === null || v === undefined || v === '' ? '—' : String(v); }
  function badge(label, cls) { return el('span', label, 'badge ' + cls); }

  /* Whole days from ISO date a to ISO date b (both as recorded, no time zone involved). */
  function daysBetween(a, b) {
    var p = function (s) { var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || ''); return m ? Date.UTC(+m[1], m[2] - 1, +m[3]) : NaN; };
    var d = (p(b) - p(a)) / 86400000;
    return isNaN(d) ? null : Math.round(d);
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : (many || one + 's')); }

  function address(v) {
    if (!v) { return null; }
    if (typeof v === 'string') { return v; }
    return [v.line1, v.line2, v.town, v.postcode].filter(Boolean).join(', ');
  }

  function names(list) {
    if (global.Withheld.by(list)) { return global.Withheld.shown(list); }
    return (list || []).map(function (n) { return global.Withheld.name(n); }).filter(Boolean).join('; ');
  }

  /* A cell or definition: the value, or "Withheld by X: ask X" on a shaded background. */
  function fill(node, value) {
    var held = global.Withheld.by(value);
    node.textContent = held ? global.Withheld.shown(value) : shown(value);
    if (held) { node.classList.add('withheld'); }
    return node;
  }

  function codes(node, ids) {
    (ids || []).forEach(function (id, i) {
      if (i) { node.appendChild(document.createTextNode(' ')); }
      node.appendChild(el('code', id));
    });
    if (!(ids || []).length) { node.textContent = '—'; }
    return node;
  }

  function row(dl, label, value) {
    dl.appendChild(el('dt', label));
    var dd = el('dd');
    if (value instanceof Node) { dd.appendChild(value); } else { fill(dd, value); }
    dl.appendChild(dd);
    return dd;
  }

  function table(caption, heads, cls) {
    var t = el('table', null, 'register' + (cls ? ' ' + cls : ''));
    t.appendChild(el('caption', caption));
    var head = t.createTHead().insertRow();
    heads.forEach(function (h) {
      var th = el('th', h);
      th.scope = 'col';
      head.appendChild(th);
    });
    return t;
  }

  /* -- the worklist --------------------------------------------------------------------------- */

  /* After a worklist's page is drawn (`opts` {table, more}): a row saying `empty` when it has no
   * rows, "More" while a cursor follows, the row count on the table. Answers the next cursor. */
  function paged(opts, body, count, next, empty) {
    if (!count) {
      var c = body.insertRow().insertCell();
      c.colSpan = opts.table.tHead.rows[0].cells.length;
      c.textContent = empty;
      c.className = 'hint';
    }
    opts.more.hidden = !next;
    opts.more.disabled = false;
    opts.table.setAttribute('data-rows', String(count));
    return next || null;
  }

  /* A worklist bound to its table: `opts` {api, status, fail, table, more, summary}; load(agency,
   * limit) reads the first page, more() the next one. */
  function Worklist(opts) {
    var body = opts.table.tBodies[0] || opts.table.createTBody();
    var cursor = null, query = '', count = 0, seq = 0;

    function summary(b) {
      var who = b.agency ? 'managed by ' + b.agency : 'managed by every agency';
      opts.summary.textContent = plural(count, 'overdue registration') + ' ' + who +
        ', judged on ' + b.as_of + ', longest overdue first' + (b.next_cursor ? '; more follow.' : '.');
    }

    function add(p) {
      var r = body.insertRow();
      r.setAttribute('data-registration-id', p.registration_id);
      var c = r.insertCell();
      if (p.person_id) {
        var who = global.Withheld.name(p, '');
        var a = el('a', who ? who + ' (' + p.person_id + ')' : p.person_id);
        a.href = '#/register/' + encodeURIComponent(p.person_id);
        a.setAttribute('aria-label', (who ? who + ', ' : '') + p.person_id + ': his register page');
        c.appendChild(a);
      } else { c.textContent = '—'; }
      r.insertCell().appendChild(el('code', p.registration_id));
      r.insertCell().textContent = duty(p.duty);
      r.insertCell().textContent = shown(p.due_on);
      var d = r.insertCell();
      d.className = 'num';
      d.textContent = shown(p.days_overdue);
      r.insertCell().textContent = shown(p.managing_agency);
    }

    function read(first) {
      var mine = ++seq;
      var path = '/register/overdue' + query + (!first && cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      opts.more.disabled = true;
      return opts.api(path).then(function (b) {
        if (mine !== seq) { return; }
        if (first) { body.replaceChildren(); count = 0; }
        var before = body.rows.length;
        (b.persons || []).forEach(add);
        count += (b.persons || []).length;
        cursor = paged(opts, body, count, b.next_cursor, 'No registration is overdue.');
        summary(b);
        if (!first && body.rows[before]) { body.rows[before].querySelector('a').focus(); }
        opts.status('', true);
      }).catch(function (err) {
        opts.more.disabled = false;
        if (first) { body.replaceChildren(); opts.more.hidden = true; opts.summary.textContent = ''; }
        if (err && err.status === 403) {
          opts.status('This key reads only its own agency\'s worklist: leave the agency empty, or ask that agency.');
        } else { opts.fail(err); }
      });
    }

    return {
      load: function (agency, limit) {
        query = '?limit=' + encodeURIComponent(limit || 25) + (agency ? '&agency=' + encodeURIComponent(agency) : '');
        opts.status('Reading the overdue worklist…', true);
        return read(true);
      },
      more: function () { return cursor ? read(false) : Promise.resolve(); }
    };
  }

  /* -- one person ------------------------------------------------------------------------------ */

  function title(data) {
    var named = (data.last_notified && data.last_notified.names) || [];
    if (!named.length) {
      (data.notifications || []).some(function (n) { named = n.names || []; return named.length; });
    }
    var n = named.length ? global.Withheld.name(named[0]) : '';
    return (n ? n + ' ' : '') + '(' + data.person_id + '): on the register';
  }

  function heldNote(box, data) {
    var who = global.Withheld.agencies(data.withheld_by);
    box.replaceChildren();
    box.hidden = !who;
    if (!who) { return; }
    box.appendChild(el('strong', 'Held by another agency. '));
    box.appendChild(document.createTextNode('Notifications to registrations ' + who + ' manages are shown without ' +
      'their home address, station and reference, which are withheld from your agency: ask ' + who +
      ', quoting record ' + data.person_id + '.'));
  }

  function flags(ul, list) {
    ul.replaceChildren();
    (list || []).forEach(function (f) {
      var li = el('li', null, 'flag');
      li.setAttribute('data-code', f.code);
      li.appendChild(el('code', f.code));
      li.appendChild(document.createTextNode(' ' + (f.message || '') + ' '));
      var ev = el('span', null, 'evidence-ids');
      ev.appendChild(el('span', 'Evidence: ', 'hint'));
      codes(ev, f.evidence);
      li.appendChild(ev);
      ul.appendChild(li);
    });
    if (!(list || []).length) { ul.appendChild(el('li', 'No register flags today (no registration in force).')); }
  }

  function lastNotified(dl, last) {
    dl.replaceChildren();
    if (!last) { row(dl, 'Last notified', 'Nothing notified yet.'); return; }
    row(dl, 'Names', global.Withheld.by(last.names) ? last.names : names(last.names) || 'not notified');
    row(dl, 'Home address', address(last.home_address) || 'not notified');
    row(dl, 'Last notified on', last.notified_on + ' (travel notifications aside)');
    row(dl, 'Evidence', codes(el('span'), last.evidence));
  }

  function inForce(r, asOf) {
    if (r.in_force) { return badge('in force', 'badge-on'); }
    if (r.start_on && asOf && r.start_on > asOf) { return badge('not yet in force', 'badge-off'); }
    return badge('ended', 'badge-off');
  }

  /* A required text input and its label: [label, input]. */
  function textField(id, label, maxLength, value) {
    var lab = el('label', label);
    var input = el('input');
    input.type = 'text';
    input.id = id;
    input.required = true;
    input.maxLength = maxLength;
    input.value = value;
    input.autocomplete = 'off';
    lab.htmlFor = id;
    return [lab, input];
  }

  /* The proposed transfer, and the form that makes one; `theirs`: the registration is managed by
   * an agency that withholds its notifications from this key, so the key is not that agency's
   * and may not transfer it (the form is left out, and whom to ask is said instead). */
  function transferForm(r, hooks, theirs) {
    var box = el('div', null, 'transfer');
    var p = r.transfer_proposed;
    var id = 'xfer-' + r.registration_id;
    var held = p ? global.Withheld.by(p.to) : null;
    if (p && held) {  // the agency and area would say where he lives: the managing agency's to tell
      var hidden = el('p', null, 'proposal withheld');
      hidden.appendChild(el('strong', 'Transfer proposed: '));
      hidden.appendChild(document.createTextNode('his last notified home address is in another agency\'s area; ' +
        global.Withheld.shown(p.to) + '. Evidence: '));
      codes(hidden, p.evidence);
      box.appendChild(hidden);
    } else if (p) {
      var say = el('p', null, 'proposal');
      say.appendChild(el('strong', 'Transfer proposed to ' + p.to + ': '));
      say.appendChild(document.createTextNode('his last notified home address is in postcode area ' + p.postcode_area +
        ', which ' + p.to + ' polices. Evidence: '));
      codes(say, p.evidence);
      box.appendChild(say);
    }
    if (theirs) {
      var who = r.managed_by || r.managing_agency;
      box.appendChild(el('p', 'Managed by ' + who + ': only ' + who + '\'s offender manager (or a ' +
        'national key) may transfer it.', 'hint no-transfer'));
      return box;
    }
    var open = el('button', p ? 'Transfer to ' + p.to + '…' : 'Transfer to another agency…', 'transfer-open');
    open.type = 'button';
    open.setAttribute('aria-expanded', 'false');
    open.setAttribute('aria-controls', id);
    box.appendChild(open);
    var form = el('form', null, 'transfer-form');
    form.id = id;
    form.hidden = true;
    form.setAttribute('aria-label', 'Transfer registration ' + r.registration_id);
    var toField = textField(id + '-to', 'To agency', 32, p ? p.to : '');
    var toLab = toField[0], to = toField[1];
    var reasonField = textField(id + '-reason', 'Reason (kept with the registration and in the audit log)', 500, '');
    var reasonLab = reasonField[0], reason = reasonField[1];
    reason.setAttribute('aria-describedby', id + '-hint');
    var hint = el('p', 'For example: "notified a home address in ' + (p ? p.postcode_area : 'the new area') +
      (p && p.evidence.length ? ' (notification ' + p.evidence[0] + ')' : '') + '". Only the managing agency\'s ' +
      'offender manager (or a national key) may transfer.', 'hint');
    hint.id = id + '-hint';
    var go = el('button', 'Confirm transfer');
    go.type = 'submit';
    var cancel = el('button', 'Cancel');
    cancel.type = 'button';
    var actions = el('div', null, 'actions');
    actions.appendChild(go);
    actions.appendChild(cancel);
    [toLab, to, reasonLab, reason, hint, actions].forEach(function (n) { form.appendChild(n); });
    box.appendChild(form);
    function toggle(on) {
      form.hidden = !on;
      open.setAttribute('aria-expanded', on ? 'true' : 'false');
      if (on) { (to.value ? reason : to).focus(); } else { open.focus(); }
    }
    open.addEventListener('click', function () { toggle(form.hidden); });
    cancel.addEventListener('click', function () { toggle(false); });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var why = reason.value.trim(), agency = to.value.trim();
      if (!why || !agency) { return; }
      go.disabled = true;
      Promise.resolve(hooks.transfer(r.registration_id, agency, why)).then(function () { go.disabled = false; },
        function () { go.disabled = false; reason.focus(); });
    });
    return box;
  }

  function registration(r, asOf, hooks, withheldBy) {
    var overdue = r.due && r.due.overdue;
    var art = el('article', null, 'registration' + (overdue ? ' overdue' : '') + (r.in_force ? '' : ' ended'));
    art.setAttribute('data-registration-id', r.registration_id);
    var h = el('h4', 'Registration ' + r.registration_id);
    h.appendChild(inForce(r, asOf));
    if (overdue) { h.appendChild(badge('overdue', 'badge-overdue')); }
    art.appendChild(h);
    var dl = el('dl');
    row(dl, 'Basis', BASIS[r.basis] || r.basis);
    if (r.basis === 'order' || r.order_id) { row(dl, 'Order', r.order_id); }
    row(dl, 'Start', r.start_on);
    row(dl, 'End', r.end_on || 'no end date');
    var managed = r.managed_by || r.managing_agency;
    row(dl, 'Managed by', managed + (r.source && r.source !== managed ? ' (record supplied by ' + r.source + ')' : ''));
    var moved = r.managing_agency && managed && r.managing_agency !== managed;
    row(dl, 'Manager', r.manager ? r.manager + (moved ? ' (named by ' + r.managing_agency + ', before the transfer)' : '')
      : 'not named');
    var due = el('span');
    if (r.due) {
      due.appendChild(document.createTextNode(duty(r.due.duty) + ' due by ' + r.due.due_on));
      if (r.due.overdue) {
        var late = daysBetween(r.due.due_on, asOf);
        due.appendChild(badge('overdue' + (late ? ' ' + plural(late, 'day') : ''), 'badge-overdue'));
      }
    } else { due.textContent = r.in_force ? 'nothing due: every duty met' : 'nothing due'; }
    row(dl, 'Due next', due);
    art.appendChild(dl);
    var theirs = !!managed && (withheldBy || []).indexOf(managed) >= 0;
    if (r.transfer_proposed || r.in_force) { art.appendChild(transferForm(r, hooks, theirs)); }
    if ((r.transfers || []).length) {
      var t = table('Transfers of ' + r.registration_id, ['On', 'From', 'To', 'By (key)', 'Reason'], 'transfers');
      var body = t.createTBody();
      r.transfers.forEach(function (x) {
        var tr = body.insertRow();
        [x.on, x.from, x.to, x.by, x.reason].forEach(function (v) { fill(tr.insertCell(), v); });
      });
      art.appendChild(t);
    } else {
      art.appendChild(el('p', 'Never transferred.', 'hint'));
    }
    return art;
  }

  function duties(box, list) {
    box.replaceChildren();
    if (!(list || []).length) { box.appendChild(el('p', 'No duties yet.', 'hint')); return; }
    var t = table('Duties, by last day', ['Registration', 'Duty', 'Due by (last day)', 'Met on', 'Late',
      'Overdue', 'Evidence']);
    var body = t.createTBody();
    list.forEach(function (d) {
      var r = body.insertRow();
      r.className = 'duty' + (d.overdue ? ' overdue' : '') + (d.late ? ' late' : '');
      r.setAttribute('data-registration-id', d.registration_id);
      r.setAttribute('data-duty', d.kind);
      r.insertCell().appendChild(el('code', d.registration_id));
      r.insertCell().textContent = duty(d.kind);
      r.insertCell().textContent = shown(d.due_on);
      r.insertCell().textContent = d.met_on || 'not yet';
      var late = r.insertCell();
      if (d.late) {
        late.appendChild(badge('late ' + plural(daysBetween(d.due_on, d.met_on), 'day'), 'badge-late'));
      } else { late.textContent = d.met_on ? 'on time' : '—'; }
      var over = r.insertCell();
      if (d.overdue) { over.appendChild(badge('overdue', 'badge-overdue')); } else { over.textContent = 'no'; }
      codes(r.insertCell(), d.evidence);
    });
    box.appendChild(t);
  }

  function notifications(box, list) {
    box.replaceChildren();
    if (!(list || []).length) { box.appendChild(el('p', 'No notifications made.', 'hint')); return; }
    var t = table('Notifications, newest first', ['Notified on', 'Type', 'Changed on', 'Names', 'Home address',
      'Station', 'Reference', 'Registration', 'Notification']);
    var body = t.createTBody();
    list.forEach(function (n) {
      var r = body.insertRow();
      r.setAttribute('data-notification-id', n.notification_id);
      r.insertCell().textContent = shown(n.notified_on);
      r.insertCell().textContent = TYPES[n.type] || shown(n.type);
      r.insertCell().textContent = shown(n.changed_on);
      fill(r.insertCell(), global.Withheld.by(n.names) ? n.names : names(n.names));
      fill(r.insertCell(), address(n.home_address));
      fill(r.insertCell(), n.station);
      fill(r.insertCell(), n.reference);
      r.insertCell().appendChild(el('code', n.registration_id));
      r.insertCell().appendChild(el('code', n.notification_id));
    });
    box.appendChild(t);
  }

  /* Draws one person's register answer into the view's boxes: `boxes` {title, asOf, held, flags,
   * last, registrations, duties, notifications}; `hooks` {transfer(registrationId, to, reason)}. */
  function person(boxes, data, hooks) {
    boxes.title.textContent = title(data);
    boxes.asOf.textContent = 'Duties judged on ' + data.as_of + ' (UK date). ' +
      (data.placeholder ? 'Placeholder record: made from a registration\'s reference, no person record yet. ' : '') +
      plural((data.registrations || []).length, 'registration') + ', ' +
      plural((data.notifications || []).length, 'notification') + '.';
    heldNote(boxes.held, data);
    flags(boxes.flags, data.flags);
    lastNotified(boxes.last, data.last_notified);
    boxes.registrations.replaceChildren();
    (data.registrations || []).forEach(function (r) {
      boxes.registrations.appendChild(registration(r, data.as_of, hooks, data.withheld_by));
    });
    if (!(data.registrations || []).length) {
      boxes.registrations.appendChild(el('p', 'Not on the register: no registration names this record.', 'hint'));
    }
    duties(boxes.duties, data.duties);
    notifications(boxes.notifications, data.notifications);
  }

  global.RegisterView = { Worklist: Worklist, person: person, duty: duty, daysBetween: daysBetween, paged: paged };
})(window);
