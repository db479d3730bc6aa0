// On a narrow screen a wide data table scrolls inside its own box instead of pushing the whole
// page sideways (USWDS's scrollable table container): each table wider than its place is
// wrapped, and the box is a labelled, focusable region so a keyboard can scroll it too.
// Stacked tables (usa-table--stacked) fold into one column on phones and are left alone.
(function () {
  function wrap() {
    var tables = document.querySelectorAll("main table.usa-table");
    tables.forEach(function (table) {
      if (table.closest(".usa-table-container--scrollable")) { return; }
      var stacked = table.classList.contains("usa-table--stacked") ||
        table.classList.contains("usa-table--stacked-header");
      var parent = table.parentElement;
      // wider than the page allows (a flex or grid parent may have grown to fit the table)
      var limit = document.documentElement.clientWidth;
      if (!parent || table.getBoundingClientRect().right <= limit + 1) { return; }
      if (stacked && window.matchMedia("(max-width: 29.99em)").matches) { return; }
      var box = document.createElement("div");
      box.className = "usa-table-container--scrollable";
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
  }
  wrap();
  window.addEventListener("resize", wrap);
})();
