// The application budget: add a line when you need one, and see the totals and the match the
// request implies as you type. The form works without this file (three blank lines are added
// each time it is saved; the office's own figures are shown once it is saved), so nothing
// here is needed to apply. No inline script: the Content-Security-Policy allows this file.
(function () {
  var form = document.querySelector("[data-budget-form]");
  if (!form) { return; }
  var lines = form.querySelector("[data-budget-lines]");
  var template = form.querySelector("[data-budget-line-template]");
  var addButton = form.querySelector("[data-budget-add]");
  var totals = form.querySelector("[data-budget-totals]");
  var status = form.querySelector("[data-budget-status]");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var maxForms = form.querySelector("input[name$='-MAX_NUM_FORMS']");
  var rate = parseFloat(form.getAttribute("data-match-rate") || "0");
  var inKindMax = parseFloat(form.getAttribute("data-in-kind-max") || "1");
  var cap = parseFloat(form.getAttribute("data-cap") || "0");

  // cents as integers, so sums are exact; "120,000" and "$1,250.50" read as people mean them
  function cents(text) {
    var t = (text || "").trim().replace(/^\$\s*/, "");
    if (!/^(\d{1,3}(,\d{3})+|\d+)?(\.\d{0,2})?$/.test(t) || t === "" || t === ".") {
      return t === "" ? 0 : NaN;
    }
    var parts = t.replace(/,/g, "").split(".");
    var whole = parseInt(parts[0] || "0", 10);
    var frac = parts.length > 1 ? parseInt((parts[1] + "00").slice(0, 2), 10) : 0;
    return whole * 100 + frac;
  }
  function dollars(c) {
    var s = (Math.abs(c) / 100).toFixed(2).split(".");
    return (c < 0 ? "-" : "") + "$" + s[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + s[1];
  }
  function sum(name) {
    var out = 0, bad = false;
    form.querySelectorAll("input[name$='-" + name + "']").forEach(function (input) {
      if (input.name.indexOf("__prefix__") !== -1) { return; }
      var c = cents(input.value);
      if (isNaN(c)) { bad = true; } else { out += c; }
    });
    return { cents: out, bad: bad };
  }
  function show(key, c) {
    var cell = form.querySelector("[data-total='" + key + "']");
    if (cell) { cell.textContent = dollars(c); }
  }
  function update() {
    var state = sum("state_amount"), cash = sum("match_cash"), kind = sum("match_in_kind");
    show("state_amount", state.cents);
    show("match_cash", cash.cents);
    show("match_in_kind", kind.cents);
    var required = Math.round(state.cents * rate);  // half up to the cent, as the office rounds
    var counted = cash.cents + Math.min(kind.cents, Math.round(required * inKindMax));
    show("required", required);
    show("counted", counted);
    var notes = [];
    if (state.bad || cash.bad || kind.bad) {
      notes.push("Some amounts are not numbers yet; they are left out of the totals.");
    }
    if (cap && state.cents > Math.round(cap * 100)) {
      notes.push("The request is above the cap of " + dollars(Math.round(cap * 100)) + ".");
    }
    if (rate && counted < required) {
      notes.push("The match pledged is " + dollars(required - counted) + " short.");
    } else if (rate) {
      notes.push("The match pledged covers what the request needs.");
    }
    if (status) { status.textContent = notes.join(" "); }
  }
  function addLine() {
    var n = parseInt(total.value, 10);
    var max = maxForms ? parseInt(maxForms.value, 10) : 1000;
    if (n >= max) { return; }
    var html = template.innerHTML.replace(/__prefix__/g, String(n))
      .replace(/__number__/g, String(n + 1));
    lines.insertAdjacentHTML("beforeend", html);
    total.value = String(n + 1);
    var added = lines.lastElementChild.querySelector("input, select, textarea");
    if (added) { added.focus(); }
    addButton.hidden = n + 1 >= max;
  }
  if (addButton && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", addLine);
  }
  if (totals) {
    totals.hidden = false;
    form.addEventListener("input", update);
    update();
  }
})();
