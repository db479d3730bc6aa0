// A page showing a background job in progress reloads itself every few seconds (no inline
// script, so the Content-Security-Policy allows scripts from this site only).
(function () {
  var progress = document.querySelector("[data-reload-after]");
  if (progress) {
    var ms = parseInt(progress.getAttribute("data-reload-after"), 10) || 3000;
    setTimeout(function () { window.location.reload(); }, ms);
  }
})();
