"use strict";
(() => {
  const form = document.getElementById("query");
  const p = Tally.urlParams({ last: "30d", limit: "50" });

  async function load() {
    const segments = await Tally.api("segments");
    const names = segments.rows.map((r) => r[0]);
    const segment = p.segment || names[0];
    Tally.options(form.segment, names, segment);
    form.from.value = p.from || "";
    form.to.value = p.to || "";
    form.last.value = p.from ? "" : p.last;
    form.total.checked = p.total === "true";
    form.user.value = p.user || "";
    const jobs = [];
    if (segment) {
      jobs.push(Tally.show("sizes", "segment-sizes", { segment: segment, from: p.from, to: p.to,
        last: p.from ? undefined : p.last, total: p.total }, Tally.timeChart));
      jobs.push(Tally.show("members", "segment-members", { segment: segment, after: p.after, limit: p.limit },
        (id, data, name, params) => {
          Tally.table(id, data, name, params);
          const next = document.getElementById("next");
          next.disabled = data.rows.length < Number(p.limit);
          next.onclick = () => go(Object.assign({}, p, { segment: segment, after: data.rows[data.rows.length - 1][0] }));
          document.getElementById("first").onclick = () => go(Object.assign({}, p, { after: "" }));
        }));
    }
    if (p.user) {
      jobs.push(Tally.show("user", "user-segments", { user: p.user }, Tally.table));
    }
    await Promise.all(jobs);
    document.body.dataset.loaded = "true";
  }

  function go(params) {
    Tally.setUrlParams(params);
    location.reload();
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const next = { limit: p.limit };
    for (const [k, v] of new FormData(form).entries()) {
      next[k] = v;
    }
    go(next);
  });
  Tally.page(load);
})();
