/* Site-wide behaviour, loaded as a static file (CSP-clean, no inline script).
 * - Detects the browser's time zone for the signup form's time zone select.
 * - Shows toasts sent by the server with the HX-Trigger header ("toast" event), and one for
 *   a request that fails (offline, server error), leaving the form as it was.
 * - Typing a custom length on a start form chooses "Custom" (without JavaScript the server
 *   asks the learner to choose it).
 */
(function () {
  "use strict";

  /* Only selects marked data-detect="time-zone" (the signup form) follow the browser; the
   * profile form keeps the zone the learner saved. Without JavaScript the server's UTC stays. */
  function detectTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone) return;
    document.querySelectorAll("select[data-detect='time-zone']").forEach(function (select) {
      if (select.dataset.detected) return;
      select.dataset.detected = "1";
      var known = Array.prototype.some.call(select.options, function (option) {
        return option.value === zone;
      });
      if (known) select.value = zone;
    });
  }

  function showToast(text) {
    var box = document.getElementById("toasts");
    if (!box || !text) return;
    var toast = document.createElement("div");
    toast.className = "toast";
    toast.textContent = text;
    box.appendChild(toast);
    window.setTimeout(function () { toast.remove(); }, 6000);
  }

  document.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    var items = Array.isArray(detail.value) ? detail.value : [detail.value || detail.message || detail];
    items.forEach(function (item) { showToast(typeof item === "string" ? item : item && item.message); });
  });

  /* A request that fails says so; htmx swaps nothing on an error, so the form stays as it is.
   * Refusals (400, 409) carry their own toast in HX-Trigger; everything else gets one here. */
  document.addEventListener("htmx:sendError", function () {
    showToast("Not sent: you seem to be offline. Your choices are still here; try again " +
      "when you are back online.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Trigger")) return;
    var status = xhr ? xhr.status : 0;
    showToast(status >= 500
      ? "The server had a problem, so this was not saved. Your choices are still here; " +
        "try again in a moment."
      : "That did not work (error " + status + "). Reload the page and try again.");
  });

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || field.name !== "custom_length" || !field.form || field.value === "") return;
    var custom = field.form.querySelector("input[name='length'][value='custom']");
    if (custom) custom.checked = true;
  });

  document.addEventListener("DOMContentLoaded", detectTimeZone);
})();
