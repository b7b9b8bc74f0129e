/* withheld.js: how the console shows what another agency's records withhold from the caller's
 * agency (contract section 5). The API sends each such field as the string "[withheld: CODE]"
 * (or "[withheld]" where no record stands behind it) and lists the agencies in `withheld_by`;
 * here each becomes "Withheld by CODE: ask CODE", never the raw marker, so an analyst reading
 * the page knows what is missing and whom to ask. Loaded first: the other modules use it. */
(function (global) {
  'use strict';

  var MARK = /^\[withheld(?:: ([^\]]+))?\]/;

  /* The agency that withheld a value (a string starting with the marker), or null. */
  function by(v) {
    var m = typeof v === 'string' ? MARK.exec(v) : null;
    return m ? (m[1] || 'another agency') : null;
  }

  /* What to show for a value: the value itself, or whom to ask for it (the rest of a label,
   * such as its record id, kept). */
  function shown(v) {
    var a = by(v);
    return a ? v.replace(MARK, 'Withheld by ' + a + ': ask ' + a) : v;
  }

  /* The same, short enough for a node on the chart: "Withheld (GMP)". */
  function short(v) {
    var a = by(v);
    return a ? v.replace(MARK, 'Withheld (' + a + ')') : v;
  }

  /* A person's name as the page shows it: "Name withheld (GMP)" when the owner withheld it. */
  function name(p, fallback) {
    var a = by(p.given_name) || by(p.family_name) || by(p.name);
    if (a) { return 'Name withheld (' + a + ')'; }
    return [p.given_name, p.family_name].filter(Boolean).join(' ') || p.name || fallback || '';
  }

  /* The agencies an answer names in `withheld_by`, as "GMP and MPS". */
  function agencies(list) {
    list = (list || []).filter(function (a) { return a && a !== 'unknown'; });
    if (list.length < 2) { return list.join(''); }
    return list.slice(0, -1).join(', ') + ' and ' + list[list.length - 1];
  }

  global.Withheld = { by: by, shown: shown, short: short, name: name, agencies: agencies };
})(window);
