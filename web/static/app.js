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

  copyButtons();
})();
