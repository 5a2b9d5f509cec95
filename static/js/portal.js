/* Site-wide behaviour, loaded on every page (no inline scripts: the CSP forbids them). */
(function () {
  "use strict";

  // Forms carrying data-confirm ask before submitting (e.g. deactivating a unit and its subtree).
  // Without JavaScript the form simply submits: the button label says what it does.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
