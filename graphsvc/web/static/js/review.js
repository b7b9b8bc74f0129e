/* review.js: retention review for admins (contract section 8; the API is GET /review/due and
 * POST /review/{kind}/{id}). One view, drawn from the API's answers:
 *  - the worklist: every record whose review date is on or before the day chosen (default today,
 *    UK date), earliest first, a page at a time (next_cursor, "More"), each with what it is, why
 *    it is due (scheduled, or retained until then), what holds it (badges: the message as their
 *    title and beside the disabled Dispose, the evidence ids) and the last decision on it;
 *  - per row, Retain (a reason and the next review date) and Dispose (a reason, and a
 *    confirmation that the record is erased from graphsvc and cannot be restored from it), in one
 *    modal dialog. A held record's Dispose is disabled; if the server still refuses (409, a hold
 *    that arrived after the page was read), its holds replace the row's.
 * Every server string is set as text (textContent, attributes), never as HTML. Dates are shown as
 * recorded (YYYY-MM-DD); an incident's time as the API gives it (timeline.js). Loaded after
 * register.js, whose page step (RegisterView.paged) the worklist shares. */
(function (global) {
  'use strict';

  var KINDS = { person: 'Person', incident: 'Incident', order: 'Order', registration: 'Registration',
    notification: 'Notification' };
  var HOLDS = { ORDER_IN_FORCE: 'Order in force', REGISTRATION: 'Registration not ended',
    PUBLIC_PROTECTION: 'Public protection' };
  var MAX_RETAIN_YEARS = 20;  // graphsvc.analysis.retention.MAX_RETAIN_YEARS
  var uid = 0;

  function el(tag, value, cls) {
    var e = document.createElement(tag);
    if (value !== undefined && value !== null) { e.textContent = String(value); }
    if (cls) { e.className = cls; }
    return e;
  }
  function words(s) { return s === null || s === undefined ? '' : String(s).replace(/_/g, ' '); }
  function cap(s) { s = words(s); return s ? s.charAt(0).toUpperCase() + s.slice(1) : ''; }
  function kindOf(k) { return KINDS[k] || cap(k) || 'Record'; }
  function named(rec) { return kindOf(rec.kind).toLowerCase() + ' ' + rec.id; }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : (many || one + 's')); }
  function when(s) { return global.Timeline ? global.Timeline.shown(s) : String(s || '—'); }

  /* Sets `text` into `node`, each date (and time with its offset) and record id in a span that
   * does not break across lines at its hyphens: "2024-12-\n09" misreads. Text only, never HTML. */
  var UNBROKEN = /\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?: \([+-]\d{2}:\d{2}\))?)?|[A-Za-z0-9._:]+(?:-[A-Za-z0-9._:]+)+/g;
  function dated(node, text) {
    node.replaceChildren();
    text = String(text);
    var at = 0, m;
    UNBROKEN.lastIndex = 0;
    while ((m = UNBROKEN.exec(text)) !== null) {
      if (m.index > at) { node.appendChild(document.createTextNode(text.slice(at, m.index))); }
      node.appendChild(el('span', m[0], 'nowrap'));
      at = m.index + m[0].length;
    }
    if (at < text.length) { node.appendChild(document.createTextNode(text.slice(at))); }
    return node;
  }

  /* Today in Europe/London (the API's day), as YYYY-MM-DD, whatever the browser's zone. */
  function londonToday() {
    var parts = {};
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + '-' + parts.month + '-' + parts.day;
  }

  /* ISO date arithmetic on the calendar (UTC, no zone involved); 29 February to the 28th. */
  function isoPlus(iso, days, years) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    if (!m) { return ''; }
    var y = +m[1] + (years || 0), mo = +m[2] - 1, d = +m[3];
    if (mo === 1 && d === 29 && years && new Date(Date.UTC(y, 1, 29)).getUTCMonth() !== 1) { d = 28; }
    return new Date(Date.UTC(y, mo, d + (days || 0))).toISOString().slice(0, 10);
  }

  /* What the record is, in a line: its type, outcome and dates as recorded. */
  function what(rec) {
    var w = rec.what || {};
    switch (rec.kind) {
      case 'incident':
        return [cap(w.type) || 'Incident', 'occurred ' + when(w.occurred_at),
          w.outcome ? 'outcome: ' + words(w.outcome) : 'no outcome recorded'].join('; ');
      case 'order':
        return [cap(w.type) || 'Order', 'issued ' + (w.issued_on || '—'),
          w.expires_on ? 'expires ' + w.expires_on : 'until further order'].join('; ');
      case 'registration':
        return [cap(w.basis) ? cap(w.basis) + ' registration' : 'Registration', 'from ' + (w.start_on || '—'),
          w.end_on ? 'ended ' + w.end_on : 'no end date'].join('; ');
      case 'notification':
        return [(cap(w.type) || 'A') + ' notification', 'notified ' + (w.notified_on || '—')].join('; ');
      case 'person':
        return [[w.offender ? 'offender' : '', w.victim ? 'victim' : ''].filter(Boolean).join(' and ') ||
          'neither offender nor victim', 'first recorded ' + (w.first_recorded_on || '—')].join('; ');
    }
    return Object.keys(w).map(function (k) { return words(k) + ' ' + w[k]; }).join('; ') || '—';
  }

  /* Why it is due: its scheduled review, or a retain decision's date. */
  function why(rec) {
    if (rec.retained_until) {
      return 'Retained until ' + rec.retained_until + (rec.review_scheduled ? ' (scheduled ' + rec.review_scheduled + ')' : '');
    }
    return rec.review_scheduled ? 'Scheduled ' + rec.review_scheduled : 'Scheduled';
  }

  function holdsCell(td, holds) {
    td.replaceChildren();
    if (!(holds || []).length) { td.appendChild(el('span', 'none', 'hint')); return; }
    holds.forEach(function (h) {
      var box = el('div', null, 'hold');
      box.setAttribute('data-code', h.code);
      var b = el('span', HOLDS[h.code] || words(h.code), 'badge badge-hold');
      b.title = h.message || '';
      box.appendChild(b);
      var ev = el('span', null, 'evidence-ids');
      (h.evidence || []).forEach(function (id) {
        ev.appendChild(document.createTextNode(' '));
        ev.appendChild(el('code', id));
      });
      box.appendChild(ev);
      td.appendChild(box);
    });
  }

  function lastCell(td, d) {
    if (!d) { td.textContent = '—'; return; }
    td.appendChild(dated(el('span'), 'Retained on ' + (d.on || '—') + ' by '));
    td.appendChild(el('code', d.by || '—'));
    if (d.reason) { td.appendChild(dated(el('q', null, 'reason'), d.reason)); }
  }

  /* A date picker's day as recorded (YYYY-MM-DD) in its <output>: the picker itself draws it in
   * the browser's own format (01/10/2028 reads two ways). */
  function echo(input) {
    var out = document.querySelector('output[for="' + input.id + '"]');
    if (out) { out.textContent = input.value ? input.value : ''; }
  }

  function echoed(input) {
    input.addEventListener('input', function () { echo(input); });
    input.addEventListener('change', function () { echo(input); });
    echo(input);
    return input;
  }

  /* -- the worklist and its decisions ---------------------------------------------------------- */

  /* A worklist bound to its table and the decision dialog: `opts` {api, status, fail, table,
   * more, summary, dialog}; load(before, agency, limit) reads the first page, more() the next. */
  function Worklist(opts) {
    var body = opts.table.tBodies[0] || opts.table.createTBody();
    var cursor = null, query = null, count = 0, held = 0, seq = 0, asOf = londonToday();
    var dlg = opts.dialog;
    var q = function (id) { return dlg.querySelector('#' + id); };
    var form = q('review-decision'), reason = q('review-reason'), next = q('review-next'), confirm = q('review-confirm');
    var go = q('review-go'), errorLine = q('review-dialog-error');
    var open = null;  // {rec, decision, button, row}
    echoed(next);

    function summary(b) {
      var whose = b.agency ? b.agency + '\'s records' : 'every agency\'s records';
      opts.summary.textContent = plural(count, 'record') + ' due for review on or before ' + b.before + ' (' + whose +
        '), ' + held + ' of them held; judged on ' + b.as_of + ', earliest first' + (b.next_cursor ? '; more follow.' : '.');
    }

    function decisionCell(td, rec, tr) {
      td.replaceChildren();
      var acts = el('div', null, 'review-actions');
      var keep = el('button', 'Retain…', 'review-retain');
      keep.type = 'button';
      keep.setAttribute('aria-label', 'Retain ' + named(rec) + '…');
      keep.addEventListener('click', function () { ask(rec, 'retain', keep, tr); });
      var drop = el('button', 'Dispose…', 'review-dispose');
      drop.type = 'button';
      drop.setAttribute('aria-label', 'Dispose of ' + named(rec) + '…');
      drop.addEventListener('click', function () { ask(rec, 'dispose', drop, tr); });
      acts.appendChild(keep);
      acts.appendChild(drop);
      td.appendChild(acts);
      if ((rec.holds || []).length) {
        drop.disabled = true;
        var note = dated(el('p', null, 'held-why'), 'Held: ' + rec.holds.map(function (h) { return h.message; }).join('; ') +
          '.');
        note.id = 'review-held-' + (++uid);
        drop.setAttribute('aria-describedby', note.id);
        td.appendChild(note);
      }
    }

    function fill(tr, rec) {
      tr.replaceChildren();
      tr.className = (rec.holds || []).length ? 'held' : '';
      tr.setAttribute('data-kind', rec.kind);
      tr.setAttribute('data-id', rec.id);
      tr.setAttribute('data-held', (rec.holds || []).length ? 'true' : 'false');
      tr.insertCell().textContent = kindOf(rec.kind);
      tr.insertCell().appendChild(el('code', rec.id));
      tr.insertCell().textContent = rec.source || '—';
      tr.insertCell().textContent = rec.review_on || '—';
      dated(tr.insertCell(), why(rec));
      dated(tr.insertCell(), what(rec));
      holdsCell(tr.insertCell(), rec.holds);
      lastCell(tr.insertCell(), rec.last_decision);
      decisionCell(tr.insertCell(), rec, tr);
    }

    function add(rec) {
      fill(body.insertRow(), rec);
      count += 1;
      if ((rec.holds || []).length) { held += 1; }
    }

    /* Reads a page: the first (replacing the rows), or the next after the cursor. `limit`
     * overrides the page size (a refresh reads as many rows as were shown). */
    function read(first, limit, focusAt) {
      var mine = ++seq;
      var size = limit || query.limit;
      var path = '/review/due?before=' + encodeURIComponent(query.before) + '&limit=' + encodeURIComponent(size) +
        (query.agency ? '&agency=' + encodeURIComponent(query.agency) : '') +
        (!first && cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      opts.more.disabled = true;
      return opts.api(path).then(function (b) {
        if (mine !== seq) { return; }
        asOf = b.as_of || asOf;
        if (first) { body.replaceChildren(); count = 0; held = 0; }
        var before = body.rows.length;
        (b.records || []).forEach(add);
        cursor = global.RegisterView.paged(opts, body, count, b.next_cursor,
          'No record is due for review on or before ' + b.before + '.');
        summary(b);
        var at = first ? focusAt : before;
        if (typeof at === 'number' && count) {
          var row = body.rows[Math.min(at, body.rows.length - 1)];
          if (row && row.querySelector('button')) { row.querySelector('button').focus(); }
        }
        return b;
      }).catch(function (err) {
        opts.more.disabled = false;
        if (first) { body.replaceChildren(); opts.more.hidden = true; opts.summary.textContent = ''; }
        if (err && err.status === 403) {
          opts.status(query.agency ? 'This key reviews only its own agency\'s records: leave the agency empty.' :
            'Retention review is for admin keys only.');
        } else { opts.fail(err); }
        throw err;
      });
    }

    function refresh(focusAt) {
      return read(true, Math.min(200, Math.max(query.limit, count)), focusAt).catch(function () {});
    }

    /* -- the dialog --------------------------------------------------------------------------- */

    function ask(rec, decision, button, tr) {
      open = { rec: rec, decision: decision, button: button, row: tr };
      var dispose = decision === 'dispose';
      var name = named(rec);
      q('review-dialog-title').textContent = dispose ? 'Dispose of ' + name + ': erase it from graphsvc' : 'Retain ' + name;
      q('review-dialog-record').textContent = kindOf(rec.kind) + ' ' + rec.id + ' (source ' + (rec.source || '—') +
        '), due for review on ' + rec.review_on + ': ' + what(rec) + '.';
      q('review-dialog-warning').hidden = !dispose;
      q('review-dialog-erases').textContent = 'Disposing erases ' + name + ' and whatever only it created ' +
        '(placeholders, identifiers and addresses no other record used, a person\'s identity links), and every ' +
        'answer forgets it at once. Backups taken before keep it until they expire. The audit log keeps one ' +
        'erasure entry with its kind, id, source and your reason, never its content.';
      reason.value = '';
      q('review-reason-hint').textContent = dispose ? 'Kept in the erasure\'s audit entry (for example: "MoPI review: ' +
        'no policing purpose remains").' : 'Kept with the record\'s review history and in the audit log.';
      var min = isoPlus(asOf, 1, 0), max = isoPlus(asOf, 0, MAX_RETAIN_YEARS);
      q('review-next-field').hidden = dispose;
      next.required = !dispose;
      next.min = min;
      next.max = max;
      next.value = '';
      echo(next);
      q('review-next-hint').textContent = 'After today (' + asOf + ') and at most ' + MAX_RETAIN_YEARS + ' years on (' +
        max + ').';
      q('review-confirm-field').hidden = !dispose;
      confirm.required = dispose;
      confirm.checked = false;
      q('review-confirm-label').textContent = 'I understand that ' + name + ' will be erased and cannot be restored ' +
        'from graphsvc.';
      go.textContent = dispose ? 'Erase ' + name + ' permanently' : 'Retain until the next review';
      go.className = dispose ? 'danger' : '';
      go.disabled = false;
      errorLine.textContent = '';
      dlg.classList.toggle('dispose', dispose);
      dlg.showModal();
      reason.focus();
    }

    function close() {
      var was = open;
      open = null;
      if (dlg.open) { dlg.close(); }
      if (was && was.button.isConnected && !was.button.disabled) { was.button.focus(); }
    }

    function decided(o, r) {
      var index = Array.prototype.indexOf.call(body.rows, o.row);
      close();
      var msg;
      if (r.decision === 'retain') {
        msg = 'Retained ' + named(r) + ' (' + r.source + ') on ' + r.on + ': next review on ' + r.review_on +
          '. The reason is kept with the record and in the audit log.';
      } else {
        var also = [];
        if (r.released) { also.push(plural(r.released, 'identifier, address or placeholder', 'identifiers, addresses or placeholders') + ' that only it used'); }
        if (r.identity_links) { also.push(plural(r.identity_links, 'identity link')); }
        msg = 'Disposed of ' + named(r) + ' (' + r.source + ') on ' + r.on + ': erased from graphsvc' +
          (also.length ? ' with ' + also.join(' and ') : '') + '.' +
          ((r.persons || []).length ? ' Roles and counts read again for ' + r.persons.join(', ') + '.' : '') +
          (r.placeholder ? ' Another record still names it, so its id stays as a placeholder.' : '') +
          ' The audit log keeps the erasure: kind, id, source and reason.';
      }
      return refresh(index).then(function () { opts.status(msg, true); });
    }

    function refused(o, err) {
      if (err.status === 409 && err.details && Array.isArray(err.details.holds)) {
        // something came to hold it after the page was read: the row shows the server's holds now
        var was = (o.rec.holds || []).length;
        o.rec.holds = err.details.holds;
        fill(o.row, o.rec);
        if (!was) { held += 1; }
        close();
        var first = o.row.querySelector('button');
        if (first) { first.focus(); }
        opts.status(cap(err.message) + '. Retain it, or review it again when the hold ends.');
      } else if (err.status === 403) {
        errorLine.textContent = 'Only ' + (o.rec.source || 'its agency') + '\'s admin (or a national admin key) may ' +
          'decide on ' + named(o.rec) + '.';
      } else if (err.status === 404) {
        close();
        refresh(0).then(function () { opts.status(cap(named(o.rec)) + ' is no longer in graphsvc (disposed of already?).'); });
      } else if (err.status === 401) {
        close();
      } else {
        errorLine.textContent = (err && err.message) || String(err);
      }
    }

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!open || !form.reportValidity()) { return; }
      var o = open, why = reason.value.trim();
      if (!why) { reason.value = ''; form.reportValidity(); return; }
      var payload = { decision: o.decision, reason: why };
      if (o.decision === 'retain') { payload.next_review_on = next.value; }
      go.disabled = true;
      errorLine.textContent = '';
      opts.status((o.decision === 'retain' ? 'Retaining ' : 'Disposing of ') + named(o.rec) + '…', true);
      opts.api('/review/' + encodeURIComponent(o.rec.kind) + '/' + encodeURIComponent(o.rec.id),
        { method: 'POST', body: payload }).then(function (r) { return decided(o, r); }, function (err) {
        go.disabled = false;
        opts.status('', true);
        refused(o, err);
      });
    });
    q('review-cancel').addEventListener('click', close);
    dlg.addEventListener('cancel', function (e) { e.preventDefault(); close(); });  // Escape

    return {
      load: function (before, agency, limit) {
        query = { before: before || londonToday(), agency: agency || '', limit: +limit || 25 };
        opts.status('Reading the review worklist…', true);
        return read(true).then(function () { opts.status('', true); }, function () {});
      },
      more: function () { return cursor ? read(false).catch(function () {}) : Promise.resolve(); },
      today: londonToday
    };
  }

  /* Whether this key may review: asks the worklist for a day no record is due on (nothing read),
   * true, false (403: not an admin key) or null (unknown: another error). */
  /* Whether the key may review: its permissions, from GET /whoami (null when unknown). */
  function allowed(api) {
    return api('/whoami').then(function (me) { return (me.permissions || []).indexOf('review') >= 0; },
      function () { return null; });
  }

  global.ReviewView = { Worklist: Worklist, allowed: allowed, what: what, londonToday: londonToday, isoPlus: isoPlus,
    echoed: echoed, echo: echo };
})(window);
