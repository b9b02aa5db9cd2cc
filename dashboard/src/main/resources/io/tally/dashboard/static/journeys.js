"use strict";
(() => {
  const form = document.getElementById("query");
  const p = Tally.urlParams({ last: "30d", period: "day" });
  const pct = (v) => (v === null || v === undefined ? "" : v.toFixed(1) + "%");

  /** The time between steps, as the largest two units (3 h 12 min). */
  function duration(ms) {
    if (ms === null || ms === undefined) {
      return "";
    }
    const units = [["d", 86400000], ["h", 3600000], ["min", 60000], ["s", 1000]];
    const parts = [];
    let rest = ms;
    for (const [name, size] of units) {
      if (rest >= size && parts.length < 2) {
        parts.push(Math.floor(rest / size) + " " + name);
        rest %= size;
      }
    }
    return parts.length ? parts.join(" ") : ms + " ms";
  }

  /** Conversion bars: one row per step, its width the share of those who entered. */
  function funnel(id, data, name, params) {
    const el = Tally.frame(id, data, name, params);
    if (data.empty) {
      return;
    }
    const list = document.createElement("div");
    list.className = "bars funnel";
    data.steps.forEach((s) => {
      const row = document.createElement("div");
      row.className = "row";
      row.dataset.step = s.step;
      const label = document.createElement("span");
      label.textContent = "Step " + s.step;
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = (s.ofEntered || 0) + "%";
      const users = document.createElement("span");
      users.className = "value";
      users.textContent = Tally.number(s.users);
      const conversion = document.createElement("span");
      conversion.className = "conversion";
      conversion.textContent = pct(s.ofEntered) + (s.step > 1 ? " (" + pct(s.ofPrevious) + " of previous)" : "");
      const mean = document.createElement("span");
      mean.className = "mean";
      mean.textContent = s.step > 1 ? duration(s.meanMsFromPrevious) : "";
      mean.title = "mean time from the previous step";
      const median = document.createElement("span");
      median.className = "median";
      median.textContent = s.step > 1 && s.medianMsFromPrevious != null
        ? "median " + duration(s.medianMsFromPrevious) + ", p90 " + duration(s.p90MsFromPrevious) : "";
      median.title = "median and 90th percentile of the time from the previous step, within 2%";
      row.append(label, bar, users, conversion, mean, median);
      list.appendChild(row);
    });
    el.appendChild(list);
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = "Users who entered on " + data.days.length + " day(s); per entry day in the CSV.";
    el.appendChild(note);
  }

  /** The cohort triangle as a heat map: each cell shaded by the share of its cohort that returned. */
  function triangle(id, data, name, params) {
    const el = Tally.frame(id, data, name, params);
    if (data.empty) {
      return;
    }
    const unit = data.kind.startsWith("week") ? "w" : "d";
    const t = document.createElement("table");
    t.className = "heat";
    const head = t.createTHead().insertRow();
    ["cohort", "users"].concat(Array.from({ length: data.periods }, (_, i) => unit + (i + 1))).forEach((c) => {
      const th = document.createElement("th");
      th.textContent = c;
      head.appendChild(th);
    });
    const body = t.createTBody();
    data.cohorts.forEach((c) => {
      const tr = body.insertRow();
      tr.dataset.cohort = c.cohort;
      tr.insertCell().textContent = c.cohort;
      const size = tr.insertCell();
      size.className = "num size";
      size.textContent = Tally.number(c.users);
      c.returned.forEach((users, i) => {
        const td = tr.insertCell();
        td.className = "num";
        if (users === null) {
          td.classList.add("later");
          return;
        }
        td.dataset.period = i + 1;
        td.dataset.users = users;
        td.textContent = pct(c.percent[i]);
        td.title = Tally.number(users) + " of " + Tally.number(c.users) + " users";
        const share = (c.percent[i] || 0) / 100;
        td.style.background = "rgba(74, 123, 208, " + (0.08 + 0.92 * share).toFixed(3) + ")";
        td.style.color = share > 0.5 ? "#fff" : "";
      });
    });
    el.appendChild(t);
  }

  async function load() {
    const [funnels, retentions] = await Promise.all([Tally.api("funnels"), Tally.api("retentions")]);
    const funnelNames = funnels.rows.map((r) => r[0]);
    const retentionNames = retentions.rows.map((r) => r[0]);
    const chosenFunnel = p.funnel || funnelNames[0];
    const chosenRetention = p.retention || retentionNames[0];
    Tally.options(form.funnel, funnelNames, chosenFunnel);
    Tally.options(form.retention, retentionNames, chosenRetention);
    form.from.value = p.from || "";
    form.to.value = p.to || "";
    form.last.value = p.from ? "" : p.last;
    form.period.value = p.period;
    form.or_later.checked = p.or_later === "true";
    const range = { from: p.from, to: p.to, last: p.from ? undefined : p.last };
    const jobs = [];
    if (chosenFunnel) {
      jobs.push(Tally.show("funnel", "funnel", Object.assign({ name: chosenFunnel }, range), funnel));
    } else {
      Tally.frame("funnel", { empty: true, message: "no funnel has rows yet (funnels: in the configuration)" }, "funnels", {});
    }
    if (chosenRetention) {
      jobs.push(Tally.show("retention", "retention", Object.assign({ name: chosenRetention, period: p.period,
        or_later: p.or_later }, range), triangle));
    } else {
      Tally.frame("retention", { empty: true, message: "no retention definition has rows yet" }, "retentions", {});
    }
    await Promise.all(jobs);
    document.body.dataset.loaded = "true";
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const next = {};
    for (const [k, v] of new FormData(form).entries()) {
      next[k] = v;
    }
    Tally.setUrlParams(next);
    location.reload();
  });
  Tally.page(load);
})();
