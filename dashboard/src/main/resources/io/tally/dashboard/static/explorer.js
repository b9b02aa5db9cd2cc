"use strict";
(() => {
  const form = document.getElementById("query");
  const p = Tally.urlParams({ event: "*", granularity: "hour", last: "48h" });
  if (p.from) {
    delete p.last;
  }

  function range() {
    return { from: p.from, to: p.to, last: p.from ? undefined : p.last };
  }

  async function load() {
    const [events, properties] = await Promise.all([Tally.api("events"), Tally.api("properties")]);
    const names = ["*"].concat(events.rows.map((r) => r[0]));
    Tally.options(form.event, names, p.event);
    Tally.options(form.compare, [""].concat(names), p.compare || "");
    Tally.options(form.property, [""].concat(properties.rows.map((r) => r[0])), p.property || "");
    form.from.value = p.from || "";
    form.to.value = p.to || "";
    form.last.value = p.from ? "" : (p.last || "");
    form.granularity.value = p.granularity;
    const counts = Object.assign({ event: p.event, granularity: p.granularity }, range());
    const jobs = [
      Tally.show("counts", "counts", counts, Tally.timeChart),
      Tally.show("users", "users", Object.assign({ event: p.event }, range()), Tally.timeChart),
    ];
    if (p.compare) {
      jobs.push(Tally.show("compared", "counts", Object.assign({}, counts, { event: p.compare }), Tally.timeChart));
    } else {
      idle("compared", "Pick a second event to compare.");
    }
    if (p.property) {
      jobs.push(Tally.show("breakdown", "breakdown",
        Object.assign({}, counts, { property: p.property }), Tally.timeChart, true));
    } else {
      idle("breakdown", "Pick a property to break the counts down by.");
    }
    await Promise.all(jobs);
    document.body.dataset.loaded = "true";
  }

  function idle(id, text) {
    const el = document.getElementById(id);
    el.dataset.state = "idle";
    el.innerHTML = "<p class=\"empty\"></p>";
    el.firstChild.textContent = text;
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const [k, v] of data.entries()) {
      next[k] = v;
    }
    Tally.setUrlParams(next);
    location.reload();
  });
  Tally.page(load);
})();
