/* timeline.js: the fixation timeline as SVG, from the timeline answer
 * (GET /persons/{id}/timeline, shape in docs/console.md): one row per victim of the subject's
 * identity group, incidents coloured by severity (marks days apart stacked in lanes, so each can
 * be clicked), orders as bands, breaches ringed, a date axis
 * in months that turns to days when zoomed, a brush that reports a date range.
 *
 * Time: marks are placed by instant (Date.parse of the string with its offset), but every
 * date and time shown is the string's own (as recorded: Europe/London), never re-rendered in
 * the browser's zone. Axis ticks fall on London midnights, so a mark at 00:55 on 22 August
 * (BST) sits right of the "22 Aug" tick. */
(function (global) {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var DAY = 86400000;
  // severity 1..7 (the API's severity_scale): yellow to dark red, each with a dark outline
  var SEVERITY = ['#fed976', '#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#bd0026', '#800026'];
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var LEFT = 230, RIGHT = 14, TOP = 34, ROW = 40;
  // close marks stack in lanes within their row: LANE px apart, GAP px apart along one lane
  // (a breach ring's width and a little), at most MAX_LANES (beyond that, zoom in)
  var LANE = 18, GAP = 22, MAX_LANES = 16;

  function el(name, attrs, text) {
    var e = document.createElementNS(SVGNS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  /* UK civil time: BST (+1 h) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
   * last Sunday of October. */
  function lastSunday(y, m) {
    var d = new Date(Date.UTC(y, m + 1, 0));
    return Date.UTC(y, m, d.getUTCDate() - d.getUTCDay(), 1);
  }
  function londonOffset(t) {
    var y = new Date(t).getUTCFullYear();
    return t >= lastSunday(y, 2) && t < lastSunday(y, 9) ? 3600000 : 0;
  }
  function londonMidnight(y, m, d) {
    var u = Date.UTC(y, m, d);
    return u - londonOffset(u - 3600000);
  }
  function londonDate(t) { return new Date(t + londonOffset(t)).toISOString().slice(0, 10); }

  /* An instant from an answer's string; a date-only value is placed at noon of that London day. */
  function instant(s) {
    if (!s) { return null; }
    s = String(s);
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
      var p = s.split('-').map(Number);
      return londonMidnight(p[0], p[1] - 1, p[2]) + DAY / 2;
    }
    var t = Date.parse(s);
    return isNaN(t) ? null : t;
  }

  /* The string as recorded: "2024-08-22 00:55 (+01:00)", or the date alone. */
  function shown(s) {
    if (!s) { return '—'; }
    s = String(s);
    var m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
    if (!m) { return s; }
    return m[1] + ' ' + m[2] + (m[3] ? ' (' + (m[3] === 'Z' ? '+00:00' : m[3]) + ')' : '');
  }

  /* The fallback while the timeline endpoint is absent: the same shape from the fixation
   * answer (its victims are the identity group's) with incident details from the network. */
  function fromFixation(fix, doc) {
    var inc = {};
    ((doc && doc.elements && doc.elements.nodes) || []).forEach(function (n) {
      if (n.data.type === 'incident') { inc[n.data.record_id] = n.data; }
      if (n.data.type === 'person') { inc['p:' + n.data.record_id] = n.data; }
    });
    var scale = fix.severity_scale || {};
    var breaches = [];
    var rows = (fix.victims || []).map(function (v) {
      var bs = {};
      (v.breaches || []).forEach(function (b) { if (b && b.incident_id) { bs[b.incident_id] = b; breaches.push(b.incident_id); } });
      var p = inc['p:' + v.victim_id];
      return { victim_id: v.victim_id, record_ids: v.record_ids || [v.victim_id], proposed: !!v.proposed,
        label: p ? Withheld.name(p, v.victim_id) : v.victim_id,
        source: p ? p.agency : '', first_contact: v.first_contact, last_contact: v.last_contact,
        incidents: (v.incident_ids || []).map(function (id) {
          var d = inc[id] || {};
          return { id: id, occurred_at: d.occurred_at, occurred_precision: d.occurred_precision,
            type: d.incident_type || 'other', severity: scale[d.incident_type] || 1,
            breach: !!bs[id] || d.incident_type === 'breach', recorded: bs[id] ? bs[id].recorded !== false : true };
        }).filter(function (i) { return i.occurred_at; }) };
    });
    var orders = {};
    (fix.victims || []).forEach(function (v) {
      (v.orders || []).forEach(function (o) {
        var cur = orders[o.id] || Object.assign({ protected_ids: [] }, o);
        if (cur.protected_ids.indexOf(v.victim_id) < 0) { cur.protected_ids.push(v.victim_id); }
        orders[o.id] = cur;
      });
    });
    return { person_id: fix.person_id, identity: fix.identity, rows: rows,
      orders: Object.keys(orders).map(function (k) { return orders[k]; }), breaches: breaches,
      severity_scale: scale, fallback: true };
  }

  function extent(data) {
    var ts = [];
    (data.rows || []).forEach(function (r) { r.incidents.forEach(function (i) { var t = instant(i.occurred_at); if (t !== null) { ts.push(t); } }); });
    (data.orders || []).forEach(function (o) { var a = instant(o.issued_on); if (a !== null) { ts.push(a); } });
    if (data.range) { [data.range.start, data.range.end].forEach(function (s) { var t = instant(s); if (t !== null) { ts.push(t); } }); }
    if (!ts.length) { return null; }
    var min = Math.min.apply(null, ts), max = Math.max.apply(null, ts);
    var pad = Math.max(7 * DAY, (max - min) * 0.04);
    return [min - pad, max + pad];
  }

  function ticks(t0, t1, px) {
    var out = [], span = (t1 - t0) / DAY, d = new Date(t0 + londonOffset(t0));
    if (span <= 75) {
      var step = [1, 2, 7, 14].filter(function (s) { return px * s / span >= 46; })[0] || 14;
      var day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      for (var k = 0; k < 200; k++) {
        var t = londonMidnight(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
        if (t > t1) { break; }
        if (t >= t0 && (step === 1 || ((day.getUTCDate() - 1) % step === 0 && day.getUTCDate() < 29))) {
          out.push({ t: t, label: day.getUTCDate() + ' ' + MONTHS[day.getUTCMonth()], major: day.getUTCDate() === 1 });
        }
        day = new Date(day.getTime() + DAY);
      }
      return { unit: 'day', ticks: out };
    }
    var every = [1, 2, 3, 6, 12].filter(function (s) { return px * s * 30.4 / span >= 52; })[0] || 12;
    var y = d.getUTCFullYear(), m = d.getUTCMonth();
    for (var i = 0; i < 600; i++, m++) {
      if (m > 11) { m = 0; y++; }
      var tm = londonMidnight(y, m, 1);
      if (tm > t1) { break; }
      if (tm >= t0 && m % every === 0) {
        out.push({ t: tm, label: (m === 0 || every === 12 ? y + ' ' : '') + MONTHS[m], major: m === 0 });
      }
    }
    return { unit: 'month', ticks: out };
  }

  /* Lanes for a row's marks in the current view: each incident gets the first lane whose last
   * mark is at least GAP px to its left, so marks a few days apart sit one above the other
   * instead of on top of each other. Returns {lanes, of: {incidentId: lane}}. */
  function stack(incidents, x, view) {
    var placed = incidents.map(function (inc) { return { id: inc.id, t: instant(inc.occurred_at) }; })
      .filter(function (p) { return p.t !== null && p.t >= view[0] && p.t <= view[1]; })
      .sort(function (a, b) { return a.t - b.t || String(a.id).localeCompare(String(b.id)); });
    var last = [], of = {};
    placed.forEach(function (p) {
      var px = x(p.t), lane = -1;
      for (var k = 0; k < last.length; k++) { if (px - last[k] >= GAP) { lane = k; break; } }
      if (lane < 0 && last.length < MAX_LANES) { lane = last.length; }
      if (lane < 0) { lane = last.indexOf(Math.min.apply(null, last)); }
      last[lane] = px;
      of[p.id] = lane;
    });
    return { lanes: Math.max(1, last.length), of: of };
  }

  /* Draws into container; returns a controller. opts: {onSelect(ids), onBrush(from, to)} */
  function draw(container, data, opts) {
    opts = opts || {};
    var full = extent(data);
    var view = full ? full.slice() : null;
    var selected = {}, marked = {}, brush = null;
    var ctl = { data: data, svg: null };

    function render() {
      container.replaceChildren();
      if (!view || !(data.rows || []).length) {
        container.appendChild(Object.assign(document.createElement('p'), { textContent: 'No dated incidents against victims of this person.' }));
        return;
      }
      var width = Math.max(900, container.clientWidth || 1200);
      var otherOrders = (data.orders || []).filter(function (o) {
        return !data.rows.some(function (r) { return (o.protected_ids || []).some(function (p) { return r.record_ids.indexOf(p) >= 0; }); });
      });
      var plotW = width - LEFT - RIGHT;
      var x = function (t) { return LEFT + plotW * (t - view[0]) / (view[1] - view[0]); };
      var stacks = data.rows.map(function (r) { return stack(r.incidents, x, view); });
      var rowH = stacks.map(function (st) { return Math.max(ROW, st.lanes * LANE + 14); });
      var rowTop = [];
      rowH.reduce(function (top, h, i) { rowTop[i] = top; return top + h; }, TOP);
      var rowsEnd = TOP + rowH.reduce(function (a, b) { return a + b; }, 0);
      var height = rowsEnd + (otherOrders.length ? ROW : 0) + 8;
      var svg = el('svg', { xmlns: SVGNS, viewBox: '0 0 ' + width + ' ' + height, width: width, height: height,
        'font-family': 'system-ui, sans-serif', 'font-size': '11', role: 'img',
        'aria-label': 'Timeline of ' + data.rows.length + ' victim rows' });
      svg.appendChild(el('rect', { x: 0, y: 0, width: width, height: height, fill: '#ffffff' }));
      var clip = el('clipPath', { id: 'tl-clip' });
      clip.appendChild(el('rect', { x: LEFT, y: 0, width: plotW, height: height }));
      svg.appendChild(el('defs')).appendChild(clip);
      var axis = ticks(view[0], view[1], plotW);
      var ag = el('g', { 'class': 'tl-axis', 'data-unit': axis.unit });
      axis.ticks.forEach(function (tk) {
        ag.appendChild(el('line', { x1: x(tk.t), x2: x(tk.t), y1: TOP - 6, y2: height - 4,
          stroke: tk.major ? '#9a9a9a' : '#dddddd' }));
        ag.appendChild(el('text', { x: x(tk.t) + 2, y: TOP - 10, fill: '#222', 'class': 'tl-tick' }, tk.label));
      });
      svg.appendChild(ag);
      function bands(g, orders, cy, h) {
        orders.forEach(function (o) {
          var a = instant(o.issued_on), b = o.expires_on ? instant(o.expires_on) : view[1];
          if (a === null) { return; }
          var band = el('rect', { x: x(a), y: cy - h / 2 + 5, width: Math.max(2, x(b) - x(a)), height: h - 10, fill: '#762a83',
            'fill-opacity': '0.14', stroke: '#762a83', 'stroke-width': '1', 'class': 'tl-order', 'data-id': o.id,
            'clip-path': 'url(#tl-clip)' });
          band.appendChild(el('title', {}, (o.type || 'order').replace(/_/g, ' ') + ' ' + o.id + ': ' + shown(o.issued_on) +
            ' to ' + (o.expires_on ? shown(o.expires_on) : 'further order') + (o.active ? ' (in force)' : '')));
          g.appendChild(band);
          if (x(b) - x(a) > 120) {
            g.appendChild(el('text', { x: Math.max(LEFT + 2, x(a) + 3), y: cy - h / 2 + 15, fill: '#4b1a55', 'font-size': '9',
              'clip-path': 'url(#tl-clip)' }, (o.type || 'order').replace(/_/g, ' ') + ' ' + o.id));
          }
        });
      }
      data.rows.forEach(function (r, i) {
        var h = rowH[i], cy = rowTop[i] + h / 2, st = stacks[i];
        var g = el('g', { 'class': 'tl-row', 'data-victim': r.victim_id, 'data-records': r.record_ids.join(' ') });
        var label = Withheld.name({ name: r.label }, r.victim_id);  // "Name withheld (GMP)", not the marker
        var name = label.length > 30 ? label.slice(0, 29) + '…' : label;
        g.appendChild(el('text', { x: 6, y: cy - 2, fill: '#111', 'font-weight': '600' }, name));
        g.appendChild(el('text', { x: 6, y: cy + 11, fill: '#333', 'font-size': '9.5' },
          r.record_ids.join(' + ') + (r.proposed ? ' (proposed link)' : '')));
        g.appendChild(el('line', { x1: LEFT, x2: width - RIGHT, y1: cy, y2: cy, stroke: '#c8c8c8' }));
        bands(g, (data.orders || []).filter(function (o) {
          return (o.protected_ids || []).some(function (p) { return r.record_ids.indexOf(p) >= 0; });
        }), cy, h);
        r.incidents.forEach(function (inc) {
          var t = instant(inc.occurred_at);
          if (t === null || t < view[0] || t > view[1]) { return; }
          var my = cy + (st.of[inc.id] - (st.lanes - 1) / 2) * LANE;
          var cls = 'tl-incident' + (selected[inc.id] ? ' tl-selected' : '') + (marked[inc.id] ? ' tl-evidence' : '');
          if (inc.breach) {
            var ring = { cx: x(t), cy: my, r: 10, fill: 'none', stroke: '#c00000', 'stroke-width': '2',
              'class': 'tl-breach-mark' + (inc.recorded === false ? ' tl-unrecorded' : '') };
            if (inc.recorded === false) { ring['stroke-dasharray'] = '3 2'; }
            g.appendChild(el('circle', ring));
          }
          var c = el('circle', { cx: x(t), cy: my, r: selected[inc.id] || marked[inc.id] ? 7.5 : 6,
            fill: SEVERITY[Math.max(1, Math.min(7, inc.severity || 1))], stroke: selected[inc.id] ? '#00a3e0' : marked[inc.id] ? '#000' : '#333',
            'stroke-width': selected[inc.id] || marked[inc.id] ? '3' : '0.8', 'class': cls, 'data-id': inc.id,
            'data-at': inc.occurred_at, 'data-severity': String(inc.severity || '') });
          c.appendChild(el('title', {}, (inc.type || 'incident').replace(/_/g, ' ') + ' ' + inc.id + ', ' +
            shown(inc.occurred_at) + ', severity ' + inc.severity + (inc.breach ? ', breach of an order' : '') +
            (inc.recorded === false ? ' (in force, not recorded as a breach)' : '')));
          g.appendChild(c);
        });
        svg.appendChild(g);
      });
      if (otherOrders.length) {
        var og = el('g', { 'class': 'tl-row-orders' });
        var oy = rowsEnd + ROW / 2;
        og.appendChild(el('text', { x: 6, y: oy + 4, fill: '#111', 'font-weight': '600' }, 'Other orders'));
        bands(og, otherOrders, oy, ROW);
        svg.appendChild(og);
      }
      var brushRect = el('rect', { 'class': 'tl-brush', x: 0, y: TOP - 4, width: 0, height: height - TOP,
        fill: '#00a3e0', 'fill-opacity': '0.15', stroke: '#00729c', visibility: brush ? 'visible' : 'hidden' });
      if (brush) { brushRect.setAttribute('x', x(brush[0])); brushRect.setAttribute('width', Math.max(1, x(brush[1]) - x(brush[0]))); }
      svg.appendChild(brushRect);
      interact(svg, x, plotW, brushRect);
      container.appendChild(svg);
      ctl.svg = svg;
      container.setAttribute('data-unit', axis.unit);
    }

    function interact(svg, x, plotW, rect) {
      var start = null;
      var toT = function (evt) {
        var box = svg.getBoundingClientRect();
        var px = (evt.clientX - box.left) * (svg.viewBox.baseVal.width / box.width);
        return view[0] + (view[1] - view[0]) * Math.max(0, Math.min(plotW, px - LEFT)) / plotW;
      };
      svg.addEventListener('click', function (evt) {
        var id = evt.target.getAttribute && evt.target.getAttribute('data-id');
        if (id && evt.target.classList.contains('tl-incident') && opts.onSelect) { opts.onSelect([id]); }
      });
      svg.addEventListener('mousedown', function (evt) {
        if (evt.target.classList.contains('tl-incident')) { return; }
        start = toT(evt);
        evt.preventDefault();
      });
      svg.addEventListener('mousemove', function (evt) {
        if (start === null) { return; }
        var t = toT(evt), a = Math.min(start, t), b = Math.max(start, t);
        rect.setAttribute('visibility', 'visible');
        rect.setAttribute('x', x(a)); rect.setAttribute('width', Math.max(1, x(b) - x(a)));
      });
      var end = function (evt) {
        if (start === null) { return; }
        var t = toT(evt), a = Math.min(start, t), b = Math.max(start, t);
        start = null;
        if (x(b) - x(a) < 4) { return; }
        ctl.setBrush(londonDate(a), londonDate(b), true);
      };
      svg.addEventListener('mouseup', end);
      svg.addEventListener('mouseleave', end);
      svg.addEventListener('wheel', function (evt) {
        evt.preventDefault();
        ctl.zoom(evt.deltaY < 0 ? 0.7 : 1 / 0.7, toT(evt));
      }, { passive: false });
    }

    /* from, to: 'YYYY-MM-DD' London dates, inclusive ('' clears) */
    ctl.setBrush = function (from, to, notify) {
      brush = from && to ? [instant(from) - DAY / 2, instant(to) + DAY / 2 - 1] : null;
      render();
      if (notify && opts.onBrush) { opts.onBrush(from || '', to || ''); }
    };
    ctl.zoom = function (factor, around) {
      if (!view) { return; }
      around = around === undefined ? (view[0] + view[1]) / 2 : around;
      var span = Math.max(3 * DAY, Math.min(full[1] - full[0], (view[1] - view[0]) * factor));
      var a = around - (around - view[0]) * span / (view[1] - view[0]);
      a = Math.max(full[0], Math.min(a, full[1] - span));
      view = [a, a + span];
      render();
    };
    ctl.zoomTo = function (from, to) { view = [instant(from) - DAY / 2, instant(to) + DAY / 2]; render(); };
    ctl.reset = function () { view = full ? full.slice() : null; render(); };
    ctl.select = function (ids) { selected = {}; (ids || []).forEach(function (i) { selected[i] = true; }); render(); };
    ctl.mark = function (ids) { marked = {}; (ids || []).forEach(function (i) { marked[i] = true; }); render(); };
    ctl.brush = function () { return brush ? [londonDate(brush[0]), londonDate(brush[1])] : null; };
    ctl.svgText = function () {
      return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(ctl.svg);
    };
    ctl.pngBlob = function (scale) {
      scale = scale || 2;
      var svgText = ctl.svgText();
      var w = ctl.svg.width.baseVal.value, h = ctl.svg.height.baseVal.value;
      return new Promise(function (resolve, reject) {
        var img = new Image();
        var url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
        img.onload = function () {
          var c = document.createElement('canvas');
          c.width = w * scale; c.height = h * scale;
          var g = c.getContext('2d');
          g.scale(scale, scale);
          g.drawImage(img, 0, 0, w, h);
          URL.revokeObjectURL(url);
          c.toBlob(function (b) { if (b) { resolve(b); } else { reject(new Error('PNG encoding failed')); } }, 'image/png');
        };
        img.onerror = function () { URL.revokeObjectURL(url); reject(new Error('the timeline could not be drawn as PNG')); };
        img.src = url;
      });
    };
    render();
    return ctl;
  }

  function legend(container) {
    container.replaceChildren();
    var ul = document.createElement('ul');
    ul.className = 'gv-legend';
    for (var s = 1; s <= 7; s++) {
      var li = document.createElement('li');
      var sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = SEVERITY[s];
      li.appendChild(sw);
      li.appendChild(document.createTextNode('severity ' + s + (s === 1 ? ' (contact)' : s === 7 ? ' (assault)' : '')));
      ul.appendChild(li);
    }
    [['tl-key-order', 'order in force (band)'], ['tl-key-breach', 'breach of an order (red ring; dashed: in force, not recorded)'],
      ['tl-key-brush', 'drag across the chart to filter the network by date']].forEach(function (k) {
      var li = document.createElement('li');
      li.appendChild(Object.assign(document.createElement('span'), { className: 'swatch ' + k[0] }));
      li.appendChild(document.createTextNode(k[1]));
      ul.appendChild(li);
    });
    container.appendChild(ul);
  }

  global.Timeline = { draw: draw, legend: legend, fromFixation: fromFixation, instant: instant, shown: shown,
    londonDate: londonDate, ticks: ticks, SEVERITY: SEVERITY };
})(window);
