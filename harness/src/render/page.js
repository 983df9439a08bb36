// report.html: draws the report from the JSON block #report-data. No network, no libraries.
// Every text from the report goes into the page through textContent, never as markup.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("report-data").textContent);
  // Marks from best to worst; a cell's colour is the worst mark it holds.
  const MARKS = ["pass", "skip", "changed", "known", "fail", "timeout", "crash"];
  const FROM_CHAR = { p: "pass", s: "skip", x: "changed", k: "known", f: "fail", t: "timeout", c: "crash" };
  const RANK = {};
  MARKS.forEach((m, n) => { RANK[m] = n; });
  const LABEL = { pass: "pass", skip: "skipped", changed: "changed by design", known: "known break", fail: "new failure", timeout: "timeout", crash: "crash" };
  const state = { marks: new Set(MARKS), family: "", platform: "", interp: "", build: "", q: "", open: new Set(), full: new Set(), onlyFindings: false };
  const FINDINGS_SHOWN = 300;

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null) continue;
      if (key === "text") node.textContent = value;
      else if (key === "cls") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  const entryIndex = new Map(D.entries.map(([name], e) => [name, e]));
  const familyEntries = D.families.map(() => []);
  D.entries.forEach(([, f], e) => familyEntries[f].push(e));
  const platforms = [...new Set(D.interpreters.map((i) => i.platform))];
  // Where an interpreter runs: its platform, and its architecture unless amd64.
  const where = (it) => (it.arch ? it.platform + ", " + it.arch : it.platform);
  // Families with a new failure start open, so the failing entries are in sight at once.
  for (const cell of D.cells) {
    for (let e = 0; e < cell.s.length; e += 1) if ("ftc".includes(cell.s[e])) state.open.add(D.entries[e][1]);
  }

  function interpOk(i) {
    const it = D.interpreters[i];
    return (state.platform === "" || it.platform === state.platform) && (state.interp === "" || String(i) === state.interp);
  }
  function cellOk(c) { return interpOk(c.i) && (state.build === "" || String(c.b) === state.build); }
  function entryOk(e) {
    const [name, f] = D.entries[e];
    return (state.family === "" || String(f) === state.family) && (state.q === "" || name.toLowerCase().includes(state.q));
  }
  function visibleInterpreters() { return D.interpreters.map((_, i) => i).filter(interpOk); }

  // Per entry, the worst shown mark over the given cells, and in how many cells it was seen.
  function worstOf(entries, cells) {
    const counts = {};
    let worst = null;
    const perEntry = [];
    for (const e of entries) {
      let w = null, n = 0;
      for (const c of cells) {
        const ch = c.s[e];
        if (ch === "." || ch === undefined) continue;
        const m = FROM_CHAR[ch];
        if (!state.marks.has(m)) continue;
        if (w === null || RANK[m] > RANK[w]) { w = m; n = 1; } else if (m === w) n += 1;
      }
      perEntry.push([w, n]);
      if (w === null) continue;
      counts[w] = (counts[w] || 0) + 1;
      if (worst === null || RANK[w] > RANK[worst]) worst = w;
    }
    return { worst, counts, perEntry };
  }

  function describe(counts) {
    return MARKS.slice().reverse().filter((m) => counts[m]).map((m) => counts[m] + " " + LABEL[m]).join(", ");
  }

  function hmCell(agg, text, title, onclick, attrs) {
    const mark = agg.worst || "none";
    return el("td", Object.assign({ cls: "hm-cell m-" + mark, title: title, "data-mark": mark, onclick: onclick }, attrs), text);
  }

  function drawHeatmap(root) {
    const interps = visibleInterpreters();
    const cellsBy = interps.map((i) => D.cells.filter((c) => c.i === i && cellOk(c)));
    const table = el("table", { cls: "grid", id: "heatmap" });
    const head = el("tr", {}, el("th", { cls: "corner", text: "family (entries)" }));
    for (const i of interps) {
      const it = D.interpreters[i];
      head.append(el("th", { title: it.executable }, it.label, el("span", { cls: "plat", text: where(it) })));
    }
    table.append(el("thead", {}, head));
    const body = el("tbody");
    let drawn = 0;
    D.families.forEach((fam, f) => {
      const entries = familyEntries[f].filter(entryOk);
      if (entries.length === 0) return;
      const perInterp = interps.map((i, n) => worstOf(entries, cellsBy[n]));
      if (state.onlyFindings && perInterp.every((agg) => agg.worst === null || agg.worst === "pass")) return;
      const open = state.open.has(f);
      const row = el("tr", { cls: "family-row" });
      row.append(el("th", { cls: "row", title: "show the entries", onclick: () => { if (open) state.open.delete(f); else state.open.add(f); update(); } },
        el("span", { cls: "tw", text: open ? "▾" : "▸" }), fam, el("span", { cls: "n", text: "(" + entries.length + ")" })));
      interps.forEach((i, n) => {
        const agg = perInterp[n];
        const bad = agg.worst && agg.worst !== "pass" ? agg.counts[agg.worst] : "";
        const title = fam + " on " + D.interpreters[i].label + " (" + where(D.interpreters[i]) + "): " + (describe(agg.counts) || "nothing checked");
        row.append(hmCell(agg, String(bad), title, () => focus({ family: String(f), interp: String(i) }), { "data-family": fam, "data-interpreter": D.interpreters[i].label }));
        drawn += 1;
      });
      body.append(row);
      if (!open) return;
      // An open family lists its entries with findings; those that only pass on request.
      const full = state.full.has(f) && !state.onlyFindings;
      let hidden = 0;
      entries.forEach((e, k) => {
        if (!full && perInterp.every((agg) => agg.perEntry[k][0] === null || agg.perEntry[k][0] === "pass")) { hidden += 1; return; }
        const erow = el("tr", { cls: "entry-row" }, el("th", { cls: "row entry", text: D.entries[e][0] }));
        interps.forEach((i, n) => {
          const [w, count] = perInterp[n].perEntry[k];
          const agg = { worst: w };
          const title = D.entries[e][0] + " on " + D.interpreters[i].label + ": " + (w ? LABEL[w] + " in " + count + " build(s)" : "not checked");
          erow.append(hmCell(agg, w && w !== "pass" ? String(count) : "", title, () => focus({ q: D.entries[e][0].toLowerCase(), interp: String(i) })));
        });
        body.append(erow);
      });
      if (hidden > 0) {
        body.append(el("tr", { cls: "entry-row" }, el("th", { cls: "row entry more-entries", colspan: String(interps.length + 1),
          onclick: () => { state.full.add(f); update(); } }, "+ " + hidden + " more " + fam + " entr" + (hidden === 1 ? "y" : "ies") + " with nothing but passes (show)")));
      } else if (full) {
        body.append(el("tr", { cls: "entry-row" }, el("th", { cls: "row entry more-entries", colspan: String(interps.length + 1),
          onclick: () => { state.full.delete(f); update(); } }, "− show only the entries with findings")));
      }
    });
    table.append(body);
    table.setAttribute("data-cells", String(drawn));
    root.append(el("div", { cls: "scroll" }, table));
    if (drawn === 0) root.append(el("p", { cls: "muted", text: "Nothing matches the filters." }));
  }

  function drawCells(root) {
    const interps = visibleInterpreters();
    const builds = D.builds.map((_, b) => b).filter((b) => state.build === "" || String(b) === state.build);
    const all = D.entries.map((_, e) => e).filter(entryOk);
    const table = el("table", { cls: "grid", id: "cells" });
    const head = el("tr", {}, el("th", { text: "build ↓ · interpreter →" }));
    for (const i of interps) head.append(el("th", {}, D.interpreters[i].label, el("span", { cls: "plat", text: where(D.interpreters[i]) })));
    table.append(el("thead", {}, head));
    const body = el("tbody");
    for (const b of builds) {
      const build = D.builds[b];
      const row = el("tr", {}, el("th", { cls: "row", title: "limited API " + build.limited_api + ", headers " + build.headers, text: build.id }));
      for (const i of interps) {
        const cell = D.cells.find((c) => c.i === i && c.b === b);
        if (!cell) { row.append(el("td", { cls: "hm-cell m-none", title: "not planned" })); continue; }
        const agg = worstOf(all, [cell]);
        const bad = agg.worst && agg.worst !== "pass" ? agg.counts[agg.worst] : "";
        const title = cell.label + ": " + (describe(agg.counts) || "nothing shown") + "; " + cell.cases + " property cases, " + (cell.ms / 1000).toFixed(1) + " s";
        row.append(hmCell(agg, String(bad), title, () => focus({ build: String(b), interp: String(i) })));
      }
      body.append(row);
    }
    table.append(body);
    root.append(el("div", { cls: "scroll" }, table));
  }

  function findingOk(f) {
    if (!state.marks.has(f.m)) return false;
    const cell = D.cells[f.c];
    if (!cellOk(cell)) return false;
    const [name, fam] = D.entries[f.e];
    if (state.family !== "" && String(fam) !== state.family) return false;
    if (state.q === "") return true;
    return [name, f.detail || "", f.known || "", cell.label].some((t) => t.toLowerCase().includes(state.q));
  }

  function drawFindings(root) {
    const shown = D.findings.filter(findingOk);
    shown.sort((a, b) => RANK[b.m] - RANK[a.m] || D.entries[a.e][0].localeCompare(D.entries[b.e][0]) || a.c - b.c);
    root.append(el("p", { cls: "muted", text: shown.length + " of " + D.findings.length + " results that are not a pass match the filters" + (shown.length > FINDINGS_SHOWN ? "; the first " + FINDINGS_SHOWN + " are shown" : "") + "." }));
    const openAll = shown.filter((f) => RANK[f.m] >= RANK.fail).length <= 20;
    for (const f of shown.slice(0, FINDINGS_SHOWN)) {
      const cell = D.cells[f.c];
      const item = el("details", { cls: "finding m-" + f.m, id: "finding-" + f.c + "-" + f.e + "-" + f.check });
      if (openAll && RANK[f.m] >= RANK.fail) item.open = true;
      item.append(el("summary", {}, el("span", { cls: "badge m-" + f.m, text: LABEL[f.m] }), el("code", { text: D.entries[f.e][0] }),
        " · " + f.check + (f.property && f.property !== D.entries[f.e][0] ? " (" + f.property + ")" : "") + " · " + cell.label));
      const body = el("div", { cls: "body" });
      if (f.known) body.append(el("div", { cls: "known-ref", text: "Known break, not counted as a failure: " + f.known }));
      const detail = (f.detail || "(no detail)").split("\n").filter((line) => !(f.replay && line.startsWith("replay: "))).join("\n");
      body.append(el("pre", { text: detail }));
      if (f.args) body.append(el("div", {}, "Counterexample arguments: ", el("code", { text: f.args })));
      if (f.replay) body.append(el("div", { cls: "muted", text: "Replay (click selects it):" }), el("pre", { cls: "replay", text: f.replay }));
      item.append(body);
      root.append(item);
    }
  }

  // Change points: neighbouring release interpreters between which a property's outcomes
  // change, with the builds that saw it (Report.differences, aggregated in Rust).
  function drawDifferences(root) {
    const interpLabel = state.interp === "" ? null : D.interpreters[Number(state.interp)].label + " (" + where(D.interpreters[Number(state.interp)]) + ")";
    const rows = D.changes.filter(([entry, , from, to, builds]) => {
      const e = entryIndex.has(entry) ? entryIndex.get(entry) : -1;
      if (e >= 0 && !entryOk(e)) return false;
      if (e < 0 && state.q !== "" && !entry.toLowerCase().includes(state.q)) return false;
      if (interpLabel !== null && from !== interpLabel && to !== interpLabel) return false;
      return state.build === "" || builds.includes(D.builds[Number(state.build)].id);
    });
    root.append(el("p", { cls: "muted", text: "Where a property's probe outcomes change between neighbouring release interpreters, for the same generated cases, while agreeing with the Python-level oracle: the Python-level behaviour changed too. Not failures. "
      + D.differences + " results differ from their build's own version; " + rows.length + " of " + D.changes.length + " change points match the filters." }));
    const table = el("table", { cls: "list", id: "changes" }, el("thead", {}, el("tr", {}, ...["entry", "property", "outcomes change between", "builds"].map((t) => el("th", { text: t })))));
    const body = el("tbody");
    for (const [entry, property, from, to, builds] of rows.slice(0, 500)) {
      body.append(el("tr", {}, el("td", {}, el("code", { text: entry })), el("td", {}, el("code", { text: property === entry ? "" : property })),
        el("td", { text: from + " → " + to }), el("td", { text: builds.join(", ") })));
    }
    table.append(body);
    root.append(el("div", { cls: "scroll" }, table));
    if (rows.length > 500) root.append(el("p", { cls: "muted", text: "... and " + (rows.length - 500) + " more; narrow the filters." }));
  }

  function focus(change) {
    Object.assign(state, change);
    syncControls();
    update();
    document.getElementById("findings").scrollIntoView();
  }

  const controls = {};
  function select(name, label, options) {
    const node = el("select", { "data-filter": name, onchange: (ev) => { state[name] = ev.target.value; update(); } }, el("option", { value: "", text: "all" }));
    for (const [value, text] of options) node.append(el("option", { value: String(value), text: text }));
    controls[name] = node;
    return el("label", {}, label + " ", node);
  }
  function syncControls() {
    for (const [name, node] of Object.entries(controls)) node.value = state[name];
    search.value = state.q;
  }
  const search = el("input", { type: "search", placeholder: "entry name, or text in a finding", oninput: (ev) => { state.q = ev.target.value.trim().toLowerCase(); update(); } });

  function header(app) {
    const s = D.summary;
    const bad = D.new_failures > 0;
    app.append(el("h1", {}, "Stable ABI report", el("span", { cls: "verdict " + (bad ? "bad" : "good"), text: bad ? D.new_failures + " new failure" + (D.new_failures === 1 ? "" : "s") : "no new failures" })));
    const started = D.started ? new Date(D.started * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "?";
    const settings = ["cases", "seed", "checks"].filter((k) => k in D.settings).map((k) => k + " " + JSON.stringify(D.settings[k])).join(", ");
    app.append(el("div", { cls: "muted", text: D.tool + " · started " + started + " · " + D.cells.length + " cells · manifest " + D.manifest + " · " + settings }));
    if (!D.complete) app.append(el("div", { cls: "warning", text: "Incomplete: some planned cells are missing (an interrupted run). The page shows the cells that finished." }));
    const counts = el("div", { cls: "counts" });
    for (const [key, label] of [["pass", "pass"], ["fail", "fail"], ["crash", "crash"], ["timeout", "timeout"], ["skip", "skip"], ["changed", "changed"], ["known", "of the failures are known breaks"]]) {
      counts.append(el("span", { cls: "count" }, el("b", { text: String(s[key] || 0) }), label));
    }
    app.append(counts);
    // The new failures first, above the fold: what a reader opened the page for.
    const failing = D.findings.filter((f) => RANK[f.m] >= RANK.fail);
    if (failing.length > 0) {
      const list = el("ul", { cls: "new-failures", id: "new-failures" });
      for (const f of failing.slice(0, 10)) {
        const id = "finding-" + f.c + "-" + f.e + "-" + f.check;
        list.append(el("li", {}, el("span", { cls: "badge m-" + f.m, text: LABEL[f.m] }),
          el("a", { href: "#" + id, onclick: (ev) => { ev.preventDefault(); const node = document.getElementById(id); if (node) { node.open = true; node.scrollIntoView(); } } },
            el("code", { text: D.entries[f.e][0] })), " · " + f.check + " · " + D.cells[f.c].label));
      }
      if (failing.length > 10) list.append(el("li", { cls: "muted", text: "... and " + (failing.length - 10) + " more in the findings below" }));
      app.append(list);
    }
  }

  function filters(app) {
    const bar = el("div", { cls: "filters", id: "filters" });
    const marks = el("span", {}, "show: ");
    for (const m of MARKS.slice().reverse()) {
      const box = el("input", { type: "checkbox", "data-mark": m, onchange: (ev) => { if (ev.target.checked) state.marks.add(m); else state.marks.delete(m); update(); } });
      box.checked = true;
      marks.append(el("label", {}, box, el("span", { cls: "sw m-" + m }), LABEL[m] + " "));
    }
    bar.append(marks);
    bar.append(select("family", "family", D.families.map((f, n) => [n, f])));
    bar.append(select("platform", "platform", platforms.map((p) => [p, p])));
    bar.append(select("interp", "interpreter", D.interpreters.map((it, n) => [n, it.label + " (" + where(it) + ")"])));
    bar.append(select("build", "build", D.builds.map((b, n) => [n, b.id])));
    bar.append(el("label", {}, "search ", search));
    const only = el("input", { type: "checkbox", id: "only-findings", onchange: (ev) => { state.onlyFindings = ev.target.checked; update(); } });
    bar.append(el("label", { title: "hide heat-map rows that only pass" }, only, " only rows with findings"));
    bar.append(el("button", { type: "button", text: "reset", onclick: () => {
      Object.assign(state, { family: "", platform: "", interp: "", build: "", q: "", onlyFindings: false });
      state.marks = new Set(MARKS);
      bar.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = true; });
      syncControls();
      update();
    } }));
    app.append(bar);
  }

  const app = document.getElementById("app");
  header(app);
  filters(app);
  const sections = {};
  for (const [id, title, intro] of [
    ["heatmap-section", "Entry families × interpreters", "Colour: the worst result of the family's entries over every build run on that interpreter; the number counts the entries with that result. Click a family to list its entries, a square to see its findings."],
    ["cells-section", "Builds × interpreters", "One square per cell (a build loaded into an interpreter): its worst result and how many entries have it."],
    ["findings", "Findings", "Every result that is not a pass, worst first, with the counterexample and the replay command."],
    ["differences-section", "Where behaviour changes across versions", null],
  ]) {
    const section = el("section", { id: id }, el("h2", { text: title }));
    if (intro) section.append(el("p", { cls: "muted", text: intro }));
    if (id === "heatmap-section") {
      const legend = el("div", { cls: "legend" });
      for (const m of MARKS.slice().reverse()) legend.append(el("span", {}, el("span", { cls: "sw m-" + m }), LABEL[m]));
      legend.append(el("span", {}, el("span", { cls: "sw m-none" }), "not checked"));
      section.append(legend);
    }
    const content = el("div", { cls: "content" });
    section.append(content);
    sections[id] = content;
    app.append(section);
  }

  function update() {
    const draw = [["heatmap-section", drawHeatmap], ["cells-section", drawCells], ["findings", drawFindings], ["differences-section", drawDifferences]];
    for (const [id, fn] of draw) {
      sections[id].replaceChildren();
      fn(sections[id]);
    }
    document.body.setAttribute("data-rendered", "true");
  }
  update();
})();
