// maskgate admin: keyboard shortcuts (j/k move, Enter open, r reply, ? help) and small helpers.
// Served from our own origin; the page's CSP allows no inline script.
(function () {
  'use strict';
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('table.list tbody tr[data-href]'));
  }
  function current() {
    return document.querySelector('table.list tr.current');
  }
  function move(step) {
    var list = rows();
    if (!list.length) return;
    var at = list.indexOf(current());
    var next = list[Math.max(0, Math.min(list.length - 1, at + step))] || list[0];
    if (current()) current().classList.remove('current');
    next.classList.add('current');
    next.scrollIntoView({ block: 'nearest' });
  }
  document.addEventListener('click', function (e) {
    var copy = e.target.closest && e.target.closest('[data-copy]');
    if (copy) {
      if (navigator.clipboard) navigator.clipboard.writeText(copy.getAttribute('data-copy'));
      copy.textContent = 'copied';
      return;
    }
    var row = e.target.closest && e.target.closest('tr[data-href]');
    if (row && !e.target.closest('a,button,input,select,textarea')) window.location.href = row.getAttribute('data-href');
  });
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select') return;
    if (e.key === 'j') move(1);
    else if (e.key === 'k') move(-1);
    else if (e.key === 'Enter' && current()) window.location.href = current().getAttribute('data-href');
    else if (e.key === 'r') {
      var box = document.querySelector('.reply textarea');
      if (box) {
        e.preventDefault();
        box.focus();
      }
    } else if (e.key === 'e' || e.key === 'f') {
      // e: processed, f: to follow up — on the current row, or on the conversation's last buyer message.
      var action = e.key === 'e' ? 'processed' : 'follow_up';
      var row = current();
      var bulk = document.getElementById('bulk');
      if (row && bulk) {
        var check = row.querySelector('input[type=checkbox]');
        if (check) check.checked = true;
        bulk.querySelector('select[name=action]').value = 'status:' + action;
        var scope = document.createElement('input');
        scope.type = 'hidden';
        scope.name = 'scope';
        scope.value = 'selected';
        bulk.appendChild(scope);
        bulk.submit();
        return;
      }
      var mark = document.querySelector('.conv-bar button[value=' + action + ']');
      if (mark) mark.click();
    } else if (e.key === 't') {
      var tagSelects = document.querySelectorAll('article.message.buyer_to_store select[name=tagId]');
      if (tagSelects.length) {
        e.preventDefault();
        tagSelects[tagSelects.length - 1].focus();
      }
    } else if (e.key === '?') {
      var help = document.getElementById('help');
      if (help && help.showModal) help.showModal();
    } else return;
  });
  // Shown = read: a conversation's [data-mark-read] element posts (htmx, with the CSRF header) only
  // while the tab is visible — at once, or when the tab is next looked at; a tab left open in the
  // background, a prerender or a preview marks nothing. Once per element: the live refresh swaps
  // in a new one when it brings buyer mail. Fired only once htmx has wired the element up (its own
  // htmx:load): an event sent before that is lost.
  function markShown() {
    if (document.visibilityState !== 'visible' || !window.htmx) return;
    var mark = document.querySelector('[data-mark-read][data-mark-ready]');
    if (!mark) return;
    mark.removeAttribute('data-mark-read');
    window.htmx.trigger(mark, 'shown');
  }
  document.addEventListener('visibilitychange', markShown);
  document.addEventListener('htmx:load', function (e) {
    var loaded = e.target;
    var mark = loaded.matches && loaded.matches('[data-mark-read]') ? loaded : loaded.querySelector && loaded.querySelector('[data-mark-read]');
    if (!mark) return;
    mark.setAttribute('data-mark-ready', '');
    markShown();
  });
  // A button with data-confirm asks its question first (deletes, revokes, final marks): "no"
  // submits nothing. On every admin page, htmx forms included (this runs before htmx's handler).
  document.addEventListener(
    'submit',
    function (e) {
      var button = e.submitter;
      var question = button && button.getAttribute('data-confirm');
      if (question && !window.confirm(question)) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    },
    true,
  );
})();
