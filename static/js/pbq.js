/* Performance-based questions: drag and drop on top of the selects (a progressive
 * enhancement; CSP-clean, no inline script or style). The selects stay the answer: dragging
 * only sets them, so the form, the keyboard and screen readers work the same with or without
 * this file. Pointer events serve mouse, pen and touch alike.
 *
 * Order: drag an item by its handle to a new place in the list; every item's place select is
 * then set to where it stands. Match: drag a value chip onto a row to give it that value.
 */
(function () {
  "use strict";

  function setSelect(control, value) {
    if (!control) return;
    if (control.tagName === "SELECT") {
      control.value = String(value);
      control.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function setRow(row, number) {
    var select = row.querySelector("select[data-pbq-select]");
    if (select) { setSelect(select, number); return; }
    var radio = row.querySelector("input[data-pbq-select][value='" + number + "']");
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function renumber(list) {
    var items = list.querySelectorAll("[data-pbq-item]");
    for (var i = 0; i < items.length; i++) {
      setSelect(items[i].querySelector("select[data-pbq-select]"), i + 1);
    }
  }

  // Held within EDGE pixels of the top or bottom of the window, a drag scrolls the page (up
  // to STEP pixels a frame, faster nearer the edge), so a target off screen can be reached.
  var EDGE = 48, STEP = 14;

  function edgeSpeed(y) {
    if (y < EDGE) return -Math.ceil(((EDGE - y) / EDGE) * STEP);
    var below = window.innerHeight - y;
    if (below < EDGE) return Math.ceil(((EDGE - below) / EDGE) * STEP);
    return 0;
  }

  function drag(event, source, onMove, onDrop) {
    if (event.button !== undefined && event.button !== 0) return;
    event.preventDefault();
    source.classList.add("is-dragging");
    var last = null, frame = null;
    function scroll() {
      frame = null;
      var speed = last ? edgeSpeed(last.y) : 0;
      if (!speed) return;
      var before = window.scrollY;
      window.scrollBy(0, speed);
      if (window.scrollY === before) return; // at the top or the bottom of the page
      onMove(last.x, last.y);
      frame = window.requestAnimationFrame(scroll);
    }
    function move(e) {
      last = { x: e.clientX, y: e.clientY };
      onMove(e.clientX, e.clientY);
      if (frame === null) frame = window.requestAnimationFrame(scroll);
    }
    function up(e) {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      document.removeEventListener("pointercancel", up);
      if (frame !== null) window.cancelAnimationFrame(frame);
      last = frame = null;
      source.classList.remove("is-dragging");
      if (e.type === "pointerup") onDrop(e.clientX, e.clientY);
    }
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
    document.addEventListener("pointercancel", up);
  }

  function setUpOrder(fieldset) {
    var list = fieldset.querySelector("[data-pbq-list]");
    if (!list) return;
    list.querySelectorAll("[data-pbq-handle]").forEach(function (handle) {
      handle.hidden = false;
      handle.addEventListener("pointerdown", function (event) {
        var item = handle.closest("[data-pbq-item]");
        drag(event, item, function (x, y) {
          var over = document.elementFromPoint(x, y);
          var target = over && over.closest("[data-pbq-item]");
          if (!target || target === item || target.parentNode !== list) return;
          var box = target.getBoundingClientRect();
          list.insertBefore(item, y > box.top + box.height / 2 ? target.nextSibling : target);
        }, function () { renumber(list); });
      });
    });
  }

  function setUpMatch(fieldset) {
    var chips = fieldset.querySelector("[data-pbq-chips]");
    if (!chips) return;
    chips.hidden = false;
    var lit = null;
    function rowAt(x, y) {
      var over = document.elementFromPoint(x, y);
      var row = over && over.closest("[data-pbq-row]");
      return row && fieldset.contains(row) ? row : null;
    }
    chips.querySelectorAll("[data-pbq-chip]").forEach(function (chip) {
      chip.addEventListener("pointerdown", function (event) {
        drag(event, chip, function (x, y) {
          var row = rowAt(x, y);
          if (lit && lit !== row) lit.classList.remove("is-target");
          if (row) row.classList.add("is-target");
          lit = row;
        }, function (x, y) {
          if (lit) lit.classList.remove("is-target");
          var row = rowAt(x, y);
          if (row) setRow(row, chip.getAttribute("data-pbq-chip"));
        });
      });
    });
  }

  function setUp(root) {
    (root || document).querySelectorAll("fieldset[data-pbq]:not([disabled])").forEach(function (fieldset) {
      if (fieldset.dataset.pbqReady) return;
      fieldset.dataset.pbqReady = "1";
      fieldset.querySelectorAll(".pbq-js-hint").forEach(function (hint) { hint.hidden = false; });
      if (fieldset.dataset.pbq === "order") setUpOrder(fieldset); else setUpMatch(fieldset);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSwap", function () { setUp(document); });
})();
