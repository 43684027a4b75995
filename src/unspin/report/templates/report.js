/* unspin web pages: highlight toggles (layer, technique family, technique)
   and the detail line for the highlight under the pointer, focus or finger.
   No dependencies; the pages work without it (toggles are then hidden). */
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function byId(id) { return id ? document.getElementById(id) : null; }

  function refreshTechniques(text, form) {
    var offFamily = {}, offTechnique = {};
    form.querySelectorAll('input[data-family]').forEach(function (b) {
      if (!b.checked) offFamily[b.getAttribute('data-family')] = true;
    });
    form.querySelectorAll('input[data-technique]').forEach(function (b) {
      if (!b.checked) offTechnique[b.getAttribute('data-technique')] = true;
    });
    text.querySelectorAll('.l-technique').forEach(function (s) {
      var off = offFamily[s.getAttribute('data-family')] || offTechnique[s.getAttribute('data-technique')];
      s.classList.toggle('off', !!off);
    });
  }

  document.addEventListener('change', function (e) {
    var box = e.target;
    if (!box.matches || !box.matches('input[data-target]')) return;
    var text = byId(box.getAttribute('data-target'));
    if (!text) return;
    var layer = box.getAttribute('data-layer');
    if (layer) {
      text.classList.toggle('hide-' + layer, !box.checked);
      return;
    }
    if (box.hasAttribute('data-family')) {
      var family = box.closest('.family');
      if (family) family.querySelectorAll('input[data-technique]').forEach(function (t) { t.disabled = !box.checked; });
    }
    refreshTechniques(text, box.form || document);
  });

  var shown = null;
  function show(e) {
    var mark = e.target.closest && e.target.closest('mark.hl');
    if (!mark || mark === shown) return;
    var text = mark.closest('.text');
    var detail = text && byId(text.getAttribute('data-detail'));
    if (!detail) return;
    shown = mark;
    var list = document.createElement('ul');
    (mark.getAttribute('title') || '').split('; ').forEach(function (line) {
      var item = document.createElement('li');
      item.textContent = line;
      list.appendChild(item);
    });
    detail.textContent = '';
    var quote = document.createElement('q');
    quote.textContent = mark.textContent;
    detail.appendChild(quote);
    detail.appendChild(list);
  }
  document.addEventListener('focusin', show);
  document.addEventListener('click', show);
  // Hover: only real pointer moves. A page scrolled by keyboard focus moves the
  // text under a resting pointer, and that must not replace the focused detail.
  var lastX = -1, lastY = -1;
  document.addEventListener('mousemove', function (e) {
    if (e.clientX === lastX && e.clientY === lastY) return;
    lastX = e.clientX;
    lastY = e.clientY;
    show(e);
  });
})();
