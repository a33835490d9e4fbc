/* Site-wide behaviour, loaded as a static file (CSP-clean, no inline script).
 * - Detects the browser's time zone for the signup form's time zone select.
 * - Shows toasts sent by the server with the HX-Trigger header ("toast" event).
 */
(function () {
  "use strict";

  function detectTimeZone() {
    var select = document.querySelector("select[name='time_zone'][data-detect], #id_time_zone");
    if (!select || select.dataset.detected) return;
    select.dataset.detected = "1";
    if (select.form && select.form.querySelector("input[name='password1']") === null) return;
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.querySelector("option[value='" + zone.replace(/'/g, "") + "']")) {
        select.value = zone;
      }
    } catch (e) { /* keep the server default */ }
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

  document.addEventListener("DOMContentLoaded", detectTimeZone);
})();
