"use strict";
(() => {
  const p = Tally.urlParams({ days: "30" });
  const days = { last: p.days + "d", granularity: "day" };

  function status(id, data) {
    const el = document.getElementById(id);
    el.dataset.chart = JSON.stringify(data);
    el.dataset.state = data.available ? "ready" : "empty";
    el.innerHTML = "";
    if (!data.available) {
      el.innerHTML = "<p class=\"empty\"></p>";
      el.firstChild.textContent = "No status here: " + data.reason + ". The charts read the tables directly.";
      return;
    }
    const s = data.status;
    const rows = [
      ["Caught up", s.caughtUp ? "yes" : "no"],
      ["Last committed batch", s.lastCommittedBatch == null ? "none yet" : s.lastCommittedBatch],
      ["Last commit", s.lastCommitAgeSeconds == null ? "–" : s.lastCommitAgeSeconds.toFixed(1) + " s ago"],
      ["Kafka lag", s.kafkaLag == null ? "no Kafka source" : Object.entries(s.kafkaLag).map(([t, n]) => t + ": " + Tally.number(n)).join(", ")],
      ["Files pending", s.filesPending == null ? "no files source" : s.filesPending],
      ["Events counted", Tally.number(s.eventsCounted)],
      ["Rejected", Tally.number(s.rejected)],
    ];
    const dl = document.createElement("dl");
    dl.className = "status";
    rows.forEach(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      dd.dataset.key = k;
      dl.append(dt, dd);
    });
    el.appendChild(dl);
  }

  const minutes = () => Tally.show("minutes", "counts", { granularity: "minute", last: "2h" }, Tally.timeChart);
  Tally.page(() => Promise.all([
    minutes(),
    Tally.show("hours", "counts", { granularity: "hour", last: "48h" }, Tally.timeChart),
    Tally.show("days", "counts", days, Tally.timeChart),
    Tally.show("dau", "users", { last: p.days + "d" }, Tally.timeChart),
    Tally.show("top", "top-events", { last: p.days + "d", limit: 10 }, Tally.barChart),
    Tally.show("rejects", "rejects", { last: "48h" }, Tally.barChart),
    Tally.show("status", "status", {}, status),
  ]).then(() => {
    // From navigation to every chart drawn: what DashboardBenchmark reports.
    document.body.dataset.loadMs = String(Math.round(performance.now()));
    document.body.dataset.load = p.load || "";
    document.body.dataset.loaded = "true";
  }));
  setInterval(() => minutes().catch(() => {}), 30000);
})();
