/* Offline search over the site's municipality and sector pages (the index is KARTOITUS_HAKU,
   written above this code). No server, no request: works from disk and on any web host. */
(function () {
  "use strict";
  function fold(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9 ]+/g, " ").trim();
  }
  var entries = (typeof KARTOITUS_HAKU === "undefined" ? [] : KARTOITUS_HAKU).map(function (e) {
    return { e: e, name: fold(e.name), words: fold(e.words || e.name) };
  });
  function search(query) {
    var q = fold(query);
    if (!q) { return []; }
    var starts = [], contains = [];
    entries.forEach(function (x) {
      if (x.name.indexOf(q) === 0) { starts.push(x.e); }
      else if (x.words.indexOf(q) !== -1) { contains.push(x.e); }
    });
    return starts.concat(contains).slice(0, 8);
  }
  function show(list, hits) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    hits.forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
      a.href = e.href;
      a.textContent = e.name;
      kind.className = "kind";
      kind.textContent = e.kind;
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
  }
  function init() {
    var form = document.getElementById("haku-lomake"), input = document.getElementById("haku"),
        list = document.getElementById("haku-tulokset");
    if (!form || !input || !list) { return; }
    input.addEventListener("input", function () { show(list, search(input.value)); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var hits = search(input.value);
      if (hits.length) { window.location.href = hits[0].href; }
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && list.firstChild) { ev.preventDefault(); list.firstChild.firstChild.focus(); }
      if (ev.key === "Escape") { show(list, []); }
    });
    list.addEventListener("keydown", function (ev) {
      var li = ev.target.parentNode;
      if (ev.key === "ArrowDown" && li.nextSibling) { ev.preventDefault(); li.nextSibling.firstChild.focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (li.previousSibling ? li.previousSibling.firstChild : input).focus(); }
      if (ev.key === "Escape") { show(list, []); input.focus(); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
