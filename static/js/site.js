/* Site-wide behaviour, loaded as a static file (CSP-clean, no inline script).
 * - Detects the browser's time zone for the signup form's time zone select.
 * - Shows toasts sent by the server with the HX-Trigger header ("toast" event).
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

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || field.name !== "custom_length" || !field.form || field.value === "") return;
    var custom = field.form.querySelector("input[name='length'][value='custom']");
    if (custom) custom.checked = true;
  });

  document.addEventListener("DOMContentLoaded", detectTimeZone);
})();
