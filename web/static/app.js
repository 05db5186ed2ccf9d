// weike's few page helpers. Every page works without them; they only save
// taps. No inline script anywhere (the CSP forbids it): pages say what they
// want through data- attributes.
(function () {
  'use strict';

  // selectText selects an element's text, so that the phone's own "copy"
  // is one tap away when the clipboard is out of reach.
  function selectText(el) {
    var r = document.createRange();
    r.selectNodeContents(el);
    var s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
  }

  // Copy buttons: <button data-copy="ID" data-done="…" data-fallback="…">
  // copies the text of #ID; [data-copy-status="ID"] says what happened.
  // Hidden until this script shows them: without it they would do nothing.
  function copyButtons() {
    var buttons = document.querySelectorAll('button[data-copy]');
    Array.prototype.forEach.call(buttons, function (b) {
      var target = document.getElementById(b.getAttribute('data-copy'));
      if (!target) return;
      var status = document.querySelector('[data-copy-status="' + b.getAttribute('data-copy') + '"]');
      var say = function (m) { if (status) status.textContent = m; };
      b.hidden = false;
      b.addEventListener('click', function () {
        var text = target.textContent.trim();
        selectText(target);
        var fallback = function () {
          selectText(target);
          var ok = false;
          try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
          say(b.getAttribute(ok ? 'data-done' : 'data-fallback'));
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { say(b.getAttribute('data-done')); }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  // The order form's weeks of times: "previous week" and "next week" are
  // submit buttons that show another week through the server; here they
  // show it at once, keeping everything else as it is.
  function weekNav() {
    var form = document.querySelector('form.order-form');
    if (!form) return;
    var weeks = Array.prototype.slice.call(form.querySelectorAll('.slot-week'));
    var prev = form.querySelector('[data-week-nav=prev]');
    var next = form.querySelector('[data-week-nav=next]');
    if (!prev || !next || weeks.length < 2) return;
    var show = function (i, button) {
      weeks.forEach(function (w, j) { w.hidden = j !== i; });
      prev.disabled = i === 0;
      next.disabled = i === weeks.length - 1;
      prev.value = i > 0 ? weeks[i - 1].getAttribute('data-week') : '';
      next.value = i < weeks.length - 1 ? weeks[i + 1].getAttribute('data-week') : '';
      if (button.disabled) (button === prev ? next : prev).focus();
    };
    var current = function () {
      for (var i = 0; i < weeks.length; i++) if (!weeks[i].hidden) return i;
      return 0;
    };
    prev.addEventListener('click', function (ev) { ev.preventDefault(); show(Math.max(current() - 1, 0), prev); });
    next.addEventListener('click', function (ev) { ev.preventDefault(); show(Math.min(current() + 1, weeks.length - 1), next); });

    // The line under the weeks says which times are chosen, in every week.
    var line = document.getElementById('slots-chosen');
    if (line) {
      form.addEventListener('change', function (ev) {
        if (ev.target.name !== 'slots') return;
        var picked = Array.prototype.map.call(form.querySelectorAll('input[name=slots]:checked'),
          function (c) { return c.getAttribute('data-label'); });
        line.textContent = picked.length ? line.getAttribute('data-prefix') + picked.join(line.getAttribute('data-sep')) : line.getAttribute('data-none');
      });
    }
  }

  // A form shown again with problems: its summary links to each field, and
  // the first field in error has the focus (autofocus does it without this
  // script; a browser that skips autofocus gets it here).
  function focusProblems() {
    var form = document.querySelector('form[data-focus]');
    var first = form && form.getAttribute('data-focus') ? document.getElementById(form.getAttribute('data-focus')) : null;
    if (first && (document.activeElement === document.body || !document.activeElement)) first.focus();
    Array.prototype.forEach.call(document.querySelectorAll('.summary a[href^="#"]'), function (a) {
      a.addEventListener('click', function (ev) {
        var el = document.getElementById(a.getAttribute('href').slice(1));
        if (!el) return;
        ev.preventDefault();
        el.scrollIntoView({ block: 'center' });
        el.focus();
      });
    });
  }

  copyButtons();
  weekNav();
  focusProblems();
})();
