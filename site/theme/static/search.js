// Search for the labkit course site: reads mystmd's search index (myst.search.json) once, then
// matches every word of the query against the page titles, headings and text. No server needed.
(function () {
  var records = null, loading = null;
  function root() { return window.LABKIT_ROOT || "./"; }
  function load() {
    if (records) return Promise.resolve(records);
    if (!loading) {
      loading = fetch(root() + "myst.search.json").then(function (r) { return r.json(); })
        .then(function (d) { records = d.records || []; return records; });
    }
    return loading;
  }
  function hierarchy(r) {
    var h = r.hierarchy || {}, parts = [];
    for (var i = 1; i <= 6; i++) { if (h["lvl" + i]) parts.push(h["lvl" + i]); }
    return parts;
  }
  function href(url) {
    var path = url.split("#")[0].replace(/^\//, ""), frag = url.indexOf("#") >= 0 ? url.slice(url.indexOf("#")) : "";
    return root() + (path ? path + "/" : "") + frag;
  }
  function snippet(text, words) {
    if (!text) return "";
    var low = text.toLowerCase(), at = low.indexOf(words[0]);
    var start = Math.max(0, at - 60), s = text.slice(start, start + 180).replace(/\s+/g, " ");
    return (start > 0 ? "…" : "") + s + "…";
  }
  function search(q) {
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    var hits = [];
    records.forEach(function (r) {
      var head = hierarchy(r).join(" ").toLowerCase(), body = (r.content || "").toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        var inHead = head.indexOf(words[i]) >= 0, inBody = body.indexOf(words[i]) >= 0;
        if (!inHead && !inBody) return;
        score += inHead ? 10 : 1;
      }
      if (r.type && r.type !== "content") score += 2;
      hits.push({ r: r, score: score, words: words });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.r.position - b.r.position; });
    return hits.slice(0, 25);
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function show(box, q) {
    load().then(function () {
      var hits = search(q);
      if (!q.trim()) { box.hidden = true; return; }
      box.innerHTML = hits.length ? hits.map(function (h) {
        var where = hierarchy(h.r).join(" › ");
        return '<a href="' + esc(href(h.r.url)) + '"><span class="where">' + esc(where) + "</span>" +
          '<span class="snippet">' + esc(snippet(h.r.content, h.words)) + "</span></a>";
      }).join("") : '<div class="none">Nothing found for “' + esc(q) + "”.</div>";
      box.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("search-input"), box = document.getElementById("search-results");
    if (!input) return;
    var timer = null;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { show(box, input.value); }, 120); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { box.hidden = true; input.blur(); }
      if (e.key === "Enter") { var first = box.querySelector("a"); if (first) window.location.href = first.href; }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== input) { e.preventDefault(); input.focus(); }
    });
    document.addEventListener("click", function (e) { if (!box.contains(e.target) && e.target !== input) box.hidden = true; });
  });
})();
