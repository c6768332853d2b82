// After an htmx swap, focus goes to what changed or to its message, never back to <body>.
// The server marks the element to focus with data-swap-focus (a notice, an error summary, the
// conflict box); it carries tabindex="-1" so it can take focus without joining the Tab order.
// Markers present when the page loads are dropped: they belong to a full page, whose focus
// starts at the top as usual.
(function () {
  "use strict";
  var MARK = "data-swap-focus";

  function dropMarks() {
    document.querySelectorAll("[" + MARK + "]").forEach(function (el) {
      el.removeAttribute(MARK);
    });
  }

  document.addEventListener("DOMContentLoaded", dropMarks);
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[" + MARK + "]");
    if (!target) {
      return;
    }
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    dropMarks();
  });
})();
