// When the server refuses an htmx request with an error (503 while the database is unreachable),
// htmx swaps nothing: the form stays as the user typed it, but without this the user would see
// nothing happen. The server's short text message (text/plain) is shown above the element that
// sent the request, as an alert, and removed when that element sends again.
(function () {
  "use strict";

  function noticeFor(elt) {
    var previous = elt.previousElementSibling;
    return previous && previous.classList.contains("htmx-error") ? previous : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var notice = noticeFor(event.detail.elt);
    if (notice) {
      notice.remove();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/plain") !== 0 || !xhr.responseText) {
      return;
    }
    var elt = event.detail.elt;
    var notice = noticeFor(elt);
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "message message-error htmx-error";
      notice.setAttribute("role", "alert");
      elt.parentNode.insertBefore(notice, elt);
    }
    notice.textContent = xhr.responseText;
  });
})();
