// A form sent back with errors: move the focus to the error summary at the top of the page,
// so a keyboard or screen-reader user hears what to fix first (GOV.UK's error summary). Each
// link in it moves to its field. No inline script: the Content-Security-Policy allows this file.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
  });
})();
