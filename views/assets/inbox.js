// maskgate inbox and conversation pages: select all and shift-click ranges, the live refresh of
// the list, the filters button on a phone, confirmations, the newest message in view, and a
// question before leaving a reply that was not sent. Served from our own origin (no inline script).
(function () {
  'use strict';

  // --- The list -----------------------------------------------------------------------------
  var lastPicked = null;
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('#results input[name=ids]'));
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!t.closest) return;
    if (t.closest('.select-all')) {
      var all = boxes();
      var on = all.some(function (b) {
        return !b.checked;
      });
      all.forEach(function (b) {
        b.checked = on;
      });
      return;
    }
    if (t.matches && t.matches('#results input[name=ids]')) {
      // Shift-click: everything between the last box clicked and this one takes its state.
      var list = boxes();
      if (e.shiftKey && lastPicked && list.indexOf(lastPicked) >= 0) {
        var a = list.indexOf(lastPicked);
        var b = list.indexOf(t);
        for (var i = Math.min(a, b); i <= Math.max(a, b); i++) list[i].checked = t.checked;
      }
      lastPicked = t;
      return;
    }
    var toggle = t.closest('.show-filters');
    if (toggle) {
      var main = document.querySelector('main.inbox');
      var shown = main.classList.toggle('filters-open');
      toggle.setAttribute('aria-expanded', shown ? 'true' : 'false');
    }
  });

  // Live refresh: the rows and the sidebar again, unless the user is choosing rows or typing there.
  var results = document.getElementById('results');
  if (results) {
    var every = Number(results.getAttribute('data-poll-ms')) || 5000;
    window.setInterval(function () {
      var now = document.getElementById('results');
      if (!now || document.hidden) return;
      if (now.querySelector('input[name=ids]:checked') || now.contains(document.activeElement)) return;
      var url = window.location.href;
      window
        .fetch(url, { headers: { 'HX-Request': 'true' }, credentials: 'same-origin' })
        .then(function (r) {
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          if (!html || window.location.href !== url) return;
          var doc = new window.DOMParser().parseFromString(html, 'text/html');
          ['results', 'side'].forEach(function (id) {
            var fresh = doc.getElementById(id);
            var old = document.getElementById(id);
            if (!fresh || !old) return;
            if (id === 'results' && (old.querySelector('input[name=ids]:checked') || old.contains(document.activeElement))) return;
            // The keyboard's current row (app.js) stays current in the fresh rows: it is not a change.
            var current = id === 'results' ? old.querySelector('tr.current') : null;
            var again = current ? fresh.querySelector('tr[data-pair-id="' + current.getAttribute('data-pair-id') + '"]') : null;
            if (again) again.classList.add('current');
            if (fresh.innerHTML === old.innerHTML) return;
            // The bulk action the user chose stays chosen: a refresh must not turn it into another one
            // (the bar's first action), so when it is no longer offered the rows wait.
            var chosen = old.querySelector('select[name=action]');
            var offered = fresh.querySelector('select[name=action]');
            if (chosen && offered && !offered.querySelector('option[value="' + chosen.value + '"]')) return;
            var notice = fresh.querySelector('.notice');
            if (notice) notice.remove(); // a past bulk result is not news
            old.replaceWith(fresh);
            var action = fresh.querySelector('select[name=action]');
            if (chosen && action) action.value = chosen.value;
            if (window.htmx) window.htmx.process(fresh);
          });
        })
        .catch(function () {});
    }, every);
  }

  // A filter typed and sent with Enter fires both change and submit; hx-sync="this:replace" on the
  // form keeps only the last request. Whatever swaps the rows, the bulk action already chosen stays
  // chosen while the fresh bar still offers it: a swap must never turn it into another action.
  var chosenBefore = null;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var old = document.querySelector('#results select[name=action]');
    chosenBefore = e.detail && e.detail.target && e.detail.target.id === 'results' && old ? old.value : null;
  });
  document.addEventListener('htmx:afterSettle', function () {
    if (chosenBefore === null) return;
    var action = document.querySelector('#results select[name=action]');
    if (action && action.querySelector('option[value="' + chosenBefore + '"]')) action.value = chosenBefore;
    chosenBefore = null;
  });

  // "Apply to all matching" acts on the filter the rows were read with (the bulk form carries it).
  // When the search bar says something else — typed and not sent, or its rows still on their way —
  // the click acts on nothing: the bar's rows are asked for, and the bar says to look again.
  function typedFilterDiffers(bar, bulk) {
    var field = function (name) {
      var el = bar.elements.namedItem(name);
      if (!el) return '';
      if (el.type === 'checkbox') return el.checked ? '1' : '';
      return String(el.value || '');
    };
    return (
      field('q').slice(0, 200) !== (bulk.getAttribute('data-q') || '') ||
      field('since') !== (bulk.getAttribute('data-since') || '') ||
      field('from') !== (bulk.getAttribute('data-from') || '') ||
      field('to') !== (bulk.getAttribute('data-to') || '') ||
      field('unread') !== (bulk.getAttribute('data-unread') || '')
    );
  }
  function staleBulk(e) {
    var bulk = e.target;
    var button = e.submitter;
    if (!bulk || bulk.id !== 'bulk' || !button || button.value !== 'matching') return false;
    var bar = document.getElementById('filter');
    if (!bar) return false;
    var inFlight = bar.classList.contains('htmx-request');
    if (!inFlight && !typedFilterDiffers(bar, bulk)) return false;
    var note = bulk.querySelector('.stale');
    if (!note) {
      note = document.createElement('p');
      note.className = 'warn stale';
      note.setAttribute('role', 'alert');
      bulk.appendChild(note);
    }
    note.textContent =
      'Nothing changed: the list below is not the one in the search bar. Its rows are on their way; check them and the count, then apply again.';
    if (!inFlight && window.htmx) window.htmx.trigger(bar, 'submit');
    return true;
  }

  // --- Forms ----------------------------------------------------------------------------------
  document.addEventListener(
    'submit',
    function (e) {
      if (staleBulk(e)) {
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      // (data-confirm questions are asked by app.js, on every page)
    },
    true,
  );
  document.addEventListener('change', function (e) {
    if (e.target.classList && e.target.classList.contains('submit-on-change')) e.target.form.submit();
  });

  // --- The conversation -----------------------------------------------------------------------
  var thread = document.getElementById('thread');
  if (thread && !window.location.hash) {
    var cards = thread.querySelectorAll('article.message');
    if (cards.length) cards[cards.length - 1].scrollIntoView({ block: 'start' });
  }
  var sending = false;
  document.addEventListener('htmx:beforeRequest', function (e) {
    var path = e.detail && e.detail.requestConfig && e.detail.requestConfig.path;
    if (path && /\/reply$/.test(path)) sending = true;
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    if (e.detail && e.detail.target && e.detail.target.id === 'reply') sending = false;
  });
  // A template, or another order for it, fills subject and text again: when the text is not the
  // one the last template filled (the user wrote or edited it), ask first; "no" keeps the text and
  // puts the choice back.
  document.addEventListener('htmx:confirm', function (e) {
    var sel = e.target;
    if (!sel || sel.tagName !== 'SELECT' || !sel.closest || !sel.closest('#reply')) return;
    if (sel.name !== 'template' && sel.name !== 'order') return;
    var form = sel.closest('#reply');
    var template = form.querySelector('select[name=template]');
    var box = form.querySelector('textarea[name=text]');
    if (!template || !template.value || !box) return; // without a template the typed text stays
    var text = box.value.trim();
    if (!text || text === (box.getAttribute('data-filled') || '').trim()) return;
    e.preventDefault();
    if (window.confirm('Replace the subject and text you wrote with the template filled again?')) {
      e.detail.issueRequest(true);
      return;
    }
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].defaultSelected) {
        sel.value = sel.options[i].value;
        return;
      }
    }
    sel.value = sel.options.length ? sel.options[0].value : '';
  });
  window.addEventListener('beforeunload', function (e) {
    var box = document.querySelector('#reply textarea[name=text]');
    if (sending || !box || !box.value.trim()) return;
    e.preventDefault();
    e.returnValue = '';
  });
})();
