/* The quiz page: keyboard shortcuts, focus after htmx swaps, and the simulation countdown.
 * A static file (CSP-clean): no inline script, no inline style, no eval.
 * Everything here is an enhancement; the page works with plain forms and links without it.
 *
 * Keys: digits choose an option (1-9, and 0 for the tenth: questions have up to ten, so
 * letters are kept for commands and never clash with an option), Enter checks/saves the
 * answer (or goes on once the feedback is shown), N next, P previous, F flag.
 * The countdown trusts the server: it starts from data-seconds-left (refreshed on every card
 * swap) and re-syncs from the clock endpoint every minute; at zero it reloads the attempt,
 * and the server submits it.
 */
(function () {
  "use strict";

  var ANNOUNCE_AT = [600, 300];
  var RESYNC_MS = 60000;

  function quiz() { return document.querySelector("[data-quiz]"); }
  function card() { return document.getElementById("card"); }

  function announce(text) {
    var region = document.getElementById("quiz-announce");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) return true;
    if (tag === "input") {
      var type = (target.getAttribute("type") || "text").toLowerCase();
      return ["radio", "checkbox", "button", "submit"].indexOf(type) === -1;
    }
    return false;
  }

  function clickIn(root, selector) {
    var el = root && root.querySelector(selector);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }

  function choose(root, index) {
    var input = root.querySelector("input[data-key='" + index + "']");
    if (!input || input.disabled || input.closest("fieldset[disabled]")) return false;
    if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function onKey(event) {
    var root = card();
    if (!root || event.defaultPrevented) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    var lower = key.length === 1 ? key.toLowerCase() : key;
    var handled = false;
    if (/^[0-9]$/.test(key)) {
      handled = choose(root, key === "0" ? 10 : Number(key));
    } else if (key === "Enter") {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "button" || tag === "a" || tag === "summary") return;
      var form = root.querySelector("[data-answer-form]");
      if (form && form.querySelector("[data-submit-answer]")) {
        if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
        handled = true;
      } else {
        handled = clickIn(root, "[data-next]");
      }
    } else if (lower === "n") {
      handled = clickIn(root, "[data-next]");
    } else if (lower === "p") {
      handled = clickIn(root, "[data-prev]");
    } else if (lower === "f") {
      handled = clickIn(root, "[data-flag]");
    }
    if (handled) event.preventDefault();
  }

  function afterSwap() {
    var root = card();
    if (!root) return;
    var target = root.querySelector("[data-focus]") || root.querySelector("h2");
    if (target) target.focus({ preventScroll: false });
    var news = root.querySelector("[data-announce]");
    if (news) announce(news.textContent.trim());
    clock.syncFromCard();
  }

  /* Countdown ------------------------------------------------------------------------------ */

  var clock = {
    deadline: null,
    timer: null,
    announced: {},
    lastLeft: null,

    start: function () {
      this.box = document.querySelector("[data-countdown]");
      this.text = document.querySelector("[data-countdown-text]");
      this.toggle = document.querySelector("[data-countdown-toggle]");
      if (!this.box || !this.text) return;
      this.syncFromCard();
      if (this.deadline === null) return;
      var self = this;
      if (this.toggle) {
        // The form then sends the new state (htmx, or a plain post without JavaScript).
        this.toggle.addEventListener("click", function () { self.flipVisibility(); });
      }
      this.tick();
      this.timer = window.setInterval(function () { self.tick(); }, 1000);
      window.setInterval(function () { self.resync(); }, RESYNC_MS);
      document.addEventListener("visibilitychange", function () {
        if (!document.hidden) self.resync();
      });
    },

    flipVisibility: function () {
      var hidden = this.box.classList.toggle("is-hidden");
      var field = document.querySelector("[data-countdown-hidden]");
      if (field) field.value = hidden ? "1" : "0";
      this.toggle.textContent = hidden ? "Show time left" : "Hide time left";
    },

    set: function (seconds) {
      if (typeof seconds !== "number" || isNaN(seconds)) return;
      this.deadline = Date.now() + seconds * 1000;
    },

    syncFromCard: function () {
      var root = card();
      if (root && root.dataset.secondsLeft !== undefined && root.dataset.secondsLeft !== "") {
        this.set(Number(root.dataset.secondsLeft));
      }
    },

    resync: function () {
      var q = quiz();
      var url = q && q.dataset.clockUrl;
      if (!url || !window.fetch) return;
      var self = this;
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          if (data.status !== "in_progress" && data.url) { window.location.assign(data.url); return; }
          self.set(data.seconds_left);
        })
        .catch(function () { /* keep counting locally; the server enforces the deadline */ });
    },

    format: function (seconds) {
      var h = Math.floor(seconds / 3600);
      var m = Math.floor((seconds % 3600) / 60);
      var s = seconds % 60;
      var mm = (h && m < 10 ? "0" : "") + m;
      return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
    },

    tick: function () {
      if (this.deadline === null) return;
      var left = Math.max(0, Math.round((this.deadline - Date.now()) / 1000));
      this.text.textContent = this.format(left);
      var previous = this.lastLeft;
      this.lastLeft = left;
      var self = this;
      ANNOUNCE_AT.forEach(function (mark) {
        if (previous !== null && previous > mark && left <= mark && !self.announced[mark]) {
          self.announced[mark] = true;
          announce((mark / 60) + " minutes left.");
        }
      });
      if (left === 0) {
        window.clearInterval(this.timer);
        announce("Time is up. Submitting your answers.");
        var q = quiz();
        window.setTimeout(function () {
          if (q && q.dataset.resumeUrl) window.location.assign(q.dataset.resumeUrl);
        }, 1500);
      }
    }
  };

  document.addEventListener("keydown", onKey);
  // htmx:load fires on the new card itself once it is in the document (an outerHTML swap
  // replaces the element that other htmx events are dispatched on, so they may not bubble here).
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.id === "card") afterSwap();
  });
  function init() {
    clock.start();
    // After a full-page answer (no htmx), still tell screen readers how it went.
    var news = card() && card().querySelector("[data-announce]");
    if (news) announce(news.textContent.trim());
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
