/* alerts.js: the signed-in user's alerts (contract section 6): what the register told this
 * key's subscriptions, newest first and those not yet acknowledged on top, each with its rule,
 * when, the message, the persons (another agency's victims withheld, shown as whom to ask) and
 * the evidence record ids; a person id opens that person, and "Acknowledge" records the triage
 * with a note (POST /alerts/{id}/ack). Every read goes through the API: audited with the purpose. */
(function (global) {
  'use strict';

  var RULES = {
    watched_person: 'Watched person named', order_subject_named: 'Order subject named',
    new_victim: 'New victim', serial: 'Serial', unidentified_link: 'Unidentified link',
    notification_overdue: 'Notification overdue'
  };

  function el(tag, value, cls) {
    var e = document.createElement(tag);
    if (value !== undefined && value !== null) { e.textContent = String(value); }
    if (cls) { e.className = cls; }
    return e;
  }

  function name(p) { return global.Withheld.name(p, p.person_id); }

  /* Renders the alerts into `list`; `opts`: {api, openPerson(id), status(text, ok), fail(err)}. */
  function render(list, alerts, opts) {
    list.textContent = '';
    if (!alerts.length) { list.appendChild(el('li', 'No alerts for this key.', 'hint')); return; }
    alerts.forEach(function (a) {
      var li = el('li', null, 'alert' + (a.ack ? ' acked' : ''));
      var head = el('div', null, 'alert-head');
      head.appendChild(el('span', RULES[a.rule] || a.rule, 'rule rule-' + a.rule));
      head.appendChild(el('time', global.Timeline ? global.Timeline.shown(a.created_at) : a.created_at));
      var d = a.delivery || {};
      head.appendChild(el('span', d.delivered_at ? 'delivered' : (d.failed_at ? 'delivery given up' :
        (d.attempts ? 'delivery retrying (' + d.attempts + ' tries)' : 'not yet delivered')), 'delivery'));
      li.appendChild(head);
      li.appendChild(el('p', a.message, 'message'));
      var persons = (a.persons || []).filter(function (p) { return a.person_ids.indexOf(p.person_id) >= 0; });
      if (persons.length) {
        var who = el('p', null, 'persons');
        persons.forEach(function (p) {
          var b = el('button', name(p) + ' (' + p.person_id + (p.roles && p.roles.length ? ', ' + p.roles.join('/') : '') + ')');
          b.type = 'button';
          b.addEventListener('click', function () { opts.openPerson(p.person_id); });
          who.appendChild(b);
        });
        li.appendChild(who);
      }
      var ev = el('p', null, 'evidence');
      ev.appendChild(el('span', 'Evidence: '));
      a.evidence.forEach(function (rid) {
        ev.appendChild(el('code', rid));
        ev.appendChild(document.createTextNode(' '));
      });
      li.appendChild(ev);
      if (a.ack) {
        li.appendChild(el('p', 'Acknowledged ' + (global.Timeline ? global.Timeline.shown(a.ack.at) : a.ack.at) +
          ' by ' + a.ack.by + ': ' + a.ack.note, 'ack'));
      } else {
        var form = el('form', null, 'ack-form');
        var label = el('label', 'Note');
        var input = el('input');
        input.type = 'text';
        input.required = true;
        input.maxLength = 2000;
        input.id = 'ack-' + a.id;
        label.htmlFor = input.id;
        var go = el('button', 'Acknowledge');
        go.type = 'submit';
        form.appendChild(label);
        form.appendChild(input);
        form.appendChild(go);
        form.addEventListener('submit', function (e) {
          e.preventDefault();
          var note = input.value.trim();
          if (!note) { return; }
          opts.api('/alerts/' + encodeURIComponent(a.id) + '/ack', { method: 'POST', body: { note: note } }).then(function () {
            opts.status('Alert acknowledged.', true);
            load(list, opts);
          }).catch(opts.fail);
        });
        li.appendChild(form);
      }
      list.appendChild(li);
    });
  }

  function order(alerts) {
    return alerts.slice().sort(function (x, y) {
      if (!!x.ack !== !!y.ack) { return x.ack ? 1 : -1; }
      return (y.delivery ? y.delivery.seq : 0) - (x.delivery ? x.delivery.seq : 0);
    });
  }

  /* Reads the key's alerts (every page, oldest first, up to 500) and shows them. */
  function load(list, opts) {
    var got = [];
    function page(cursor) {
      return opts.api('/alerts?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '')).then(function (b) {
        got = got.concat(b.alerts || []);
        return b.next_cursor && got.length < 500 ? page(b.next_cursor) : got;
      });
    }
    return page(null).then(function (all) { render(list, order(all), opts); }).catch(function (err) {
      list.textContent = '';
      list.appendChild(el('li', 'Alerts could not be read: ' + (err && err.message ? err.message : err), 'hint'));
    });
  }

  global.AlertsPanel = { load: load, render: render };
})(window);
