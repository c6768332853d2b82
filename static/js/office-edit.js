// The office's edit pages: after htmx swaps a form back (422 refused input, 409 somebody saved
// first), focus goes to what the user must read: the conflict or form message if there is one,
// else the first field in error (its error text is tied to it by aria-describedby). Without
// this, focus would drop to <body> when the old form is replaced. A plain page load of a
// refused form (no JavaScript swap) does the same once the page is shown.
(function () {
  "use strict";

  function focusProblem(root) {
    var target =
      root.querySelector("[data-focus-on-swap]") || root.querySelector('[aria-invalid="true"]');
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var form = event.detail.elt;
    // An outerHTML swap settles the new form; find it by id if htmx hands back the old one.
    if (form && !form.isConnected && form.id) {
      form = document.getElementById(form.id);
    }
    if (form && form.isConnected) {
      focusProblem(form);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("main");
    if (main) {
      focusProblem(main);
    }
  });
})();
