/* The minutes' pages: live attendance totals on the secretary's form, and the work record's print button.
 * Loaded as a static file (the CSP forbids inline scripts). Without JavaScript the form still works: the
 * totals shown are those of the last rendering and the server derives the stored counts itself. */
(function () {
  "use strict";

  function updateTotals() {
    var totals = document.getElementById("attendance-totals");
    if (!totals) {
      return;
    }
    var counts = { expected: 0, present: 0, leave: 0, absent: 0 };
    document.querySelectorAll("select[data-attendance-status]").forEach(function (select) {
      counts.expected += 1;
      if (Object.prototype.hasOwnProperty.call(counts, select.value)) {
        counts[select.value] += 1;
      }
      var row = select.closest("[data-attendance-row]");
      var away = select.value !== "present";
      if (row) {
        row.classList.toggle("is-away", away);
        var reason = row.querySelector("[data-attendance-reason]");
        if (reason) {
          // Tell assistive technology the reason is now needed; the server enforces it anyway.
          if (away) {
            reason.setAttribute("aria-required", "true");
          } else {
            reason.removeAttribute("aria-required");
          }
        }
      }
    });
    Object.keys(counts).forEach(function (key) {
      var output = totals.querySelector('[data-total="' + key + '"]');
      if (output) {
        output.textContent = String(counts[key]);
      }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target instanceof HTMLSelectElement && event.target.hasAttribute("data-attendance-status")) {
      updateTotals();
    }
  });

  // On submit, rows left at "present" with no reason are not sent (the server reads a missing row as
  // present): a unit of 2,000 people posts a handful of fields instead of 4,000.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "meeting-form") {
      return;
    }
    form.querySelectorAll("[data-attendance-row]").forEach(function (row) {
      var select = row.querySelector("select[data-attendance-status]");
      var reason = row.querySelector("[data-attendance-reason]");
      if (select && select.value === "present" && (!reason || reason.value.trim() === "")) {
        select.dataset.name = select.getAttribute("name") || "";
        select.removeAttribute("name");
        if (reason) {
          reason.dataset.name = reason.getAttribute("name") || "";
          reason.removeAttribute("name");
        }
      }
    });
  });
  // Back from the browser's cache after a submit (bfcache): give the rows their names again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-attendance-row]").forEach(function (row) {
      var select = row.querySelector("select[data-attendance-status]");
      var reason = row.querySelector("[data-attendance-reason]");
      if (select && select.dataset.name) {
        select.setAttribute("name", select.dataset.name);
      }
      if (reason && reason.dataset.name) {
        reason.setAttribute("name", reason.dataset.name);
      }
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (button) {
      window.print();
    }
  });

  function start() {
    updateTotals();
    // After a refused save, bring the explanation into view (and to screen readers' attention).
    var problems = document.getElementById("form-problems");
    if (problems) {
      problems.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
