/* Tally's dashboard: shared helpers of the pages. Every number shown comes from /api/<query>; the data of each
   chart is also kept on its element (data-chart), which is what the browser tests compare with Cassandra. */
"use strict";

const Tally = (() => {
  let retryTimer = null;
  let reloader = null;

  function banner(message) {
    const el = document.getElementById("banner");
    if (message) {
      el.textContent = message;
      el.classList.add("shown");
    } else {
      el.classList.remove("shown");
    }
  }

  /** The JSON of a named query; a Cassandra outage shows the banner and the page asks again until it answers. */
  async function api(name, params) {
    const url = apiUrl(name, params);
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" } });
    } catch (e) {
      outage("the dashboard did not answer (" + e.message + ")");
      e.outage = true;
      throw e;
    }
    const body = await response.json();
    if (response.status === 503) {
      outage(body.error);
      const error = new Error(body.error);
      error.outage = true;
      throw error;
    }
    if (!response.ok) {
      throw new Error(body.error || ("HTTP " + response.status));
    }
    return body;
  }

  function outage(message) {
    banner("Cassandra is not answering: " + message + " — retrying every few seconds.");
    if (!retryTimer && reloader) {
      retryTimer = setTimeout(async () => {
        retryTimer = null;
        await reloader();
      }, 3000);
    }
  }

  /** Runs the page's loader now and after each outage; clears the banner once a load succeeds. */
  async function page(load) {
    reloader = async () => {
      try {
        await load();
        banner(null);
      } catch (e) {
        if (!retryTimer) {
          console.warn(e);
        }
      }
    };
    await reloader();
  }

  function apiUrl(name, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null && value !== "") {
        query.set(key, value);
      }
    }
    const text = query.toString();
    return "/api/" + name + (text ? "?" + text : "");
  }

  /** The page's own parameters, from its URL, with defaults. */
  function urlParams(defaults) {
    const given = new URLSearchParams(location.search);
    const result = Object.assign({}, defaults);
    for (const [key, value] of given.entries()) {
      result[key] = value;
    }
    return result;
  }

  function setUrlParams(params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== "") {
        query.set(key, value);
      }
    }
    history.replaceState(null, "", location.pathname + "?" + query.toString());
  }

  const toSeconds = (label) => Date.parse(label.length === 10 ? label + "T00:00:00Z" : label.replace(" ", "T") + ":00Z") / 1000;
  const utc = (s) => new Date(s * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  const local = (s) => new Date(s * 1000).toLocaleString();
  const number = (n) => n.toLocaleString("en-US");
  const COLORS = ["#4a7bd0", "#d0774a", "#3fa66a", "#a64aa6", "#c9a227", "#4ab3c9", "#c94a6d", "#7a7a7a"];

  /** Fills a section: keeps the data on it, writes the CSV link, and says so when the range holds nothing. */
  function frame(id, data, csvName, csvParams) {
    const el = document.getElementById(id);
    el.dataset.chart = JSON.stringify(data);
    el.dataset.state = data.empty ? "empty" : "ready";
    const link = el.parentElement.querySelector("a.csv");
    if (link) {
      link.href = apiUrl(csvName, Object.assign({}, csvParams, { format: "csv" }));
    }
    el.innerHTML = "";
    if (data.empty) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = "Nothing in this range: " + (data.message || "no data");
      el.appendChild(p);
    }
    return el;
  }

  function failed(id, error) {
    const el = document.getElementById(id);
    el.dataset.state = "error";
    el.innerHTML = "";
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = error.message;
    el.appendChild(p);
  }

  /** A time series chart (uPlot), times in UTC on the axis, the local time too in the legend on hover. */
  function timeChart(id, data, csvName, csvParams, stacked) {
    const el = frame(id, data, csvName, csvParams);
    if (data.empty) {
      return;
    }
    const xs = data.x.map(toSeconds);
    let lines = data.series.map((s) => s.values);
    if (stacked) {
      const sums = xs.map(() => 0);
      lines = lines.map((values) => values.map((v, i) => (sums[i] += v)));
    }
    const raw = data.series.map((s) => s.values);
    const total = document.createElement("p");
    total.className = "note";
    if (data.summable) {
      const sum = raw.reduce((a, values) => a + values.reduce((b, v) => b + v, 0), 0);
      total.innerHTML = "Total: <b class=\"total\">" + number(sum) + "</b>";
    } else {
      total.textContent = "Distinct per bucket (not summable over days).";
    }
    const opts = {
      width: Math.max(480, el.clientWidth || 560),
      height: 220,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
      series: [{ label: "UTC (local)", value: (u, v) => (v == null ? "–" : utc(v) + " (" + local(v) + ")") }]
        .concat(data.series.map((s, i) => ({
          label: s.name,
          stroke: COLORS[i % COLORS.length],
          fill: stacked ? COLORS[i % COLORS.length] + "55" : undefined,
          value: (u, v, si, idx) => (idx == null ? "–" : number(raw[i][idx])),
        }))),
      axes: [{}, { values: (u, ticks) => ticks.map((t) => number(t)) }],
    };
    if (stacked) {
      // Draw the largest (outermost) band first so each lower band shows on top of it.
      opts.bands = lines.slice(1).map((_, i) => ({ series: [i + 2, i + 1] }));
    }
    new uPlot(opts, [xs].concat(lines), el);
    el.appendChild(total);
    el.title = "Times in UTC; hover for values and your local time";
  }

  /** A ranked bar list (top events, rejects by reason). */
  function barChart(id, data, csvName, csvParams) {
    const el = frame(id, data, csvName, csvParams);
    if (data.empty) {
      return;
    }
    const values = data.series[0].values;
    const max = Math.max(...values, 1);
    const list = document.createElement("div");
    list.className = "bars";
    data.x.forEach((label, i) => {
      const row = document.createElement("div");
      row.className = "row";
      row.dataset.label = label;
      row.dataset.value = values[i];
      const name = document.createElement("span");
      name.textContent = label;
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = (100 * values[i] / max) + "%";
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = number(values[i]);
      row.append(name, bar, value);
      list.appendChild(row);
    });
    el.appendChild(list);
  }

  /** A table of a listing (members, segments of a user). */
  function table(id, data, csvName, csvParams) {
    const el = frame(id, data, csvName, csvParams);
    if (data.empty) {
      return;
    }
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    data.columns.forEach((c) => {
      const th = document.createElement("th");
      th.textContent = c;
      head.appendChild(th);
    });
    const body = t.createTBody();
    data.rows.forEach((r) => {
      const tr = body.insertRow();
      r.forEach((cell) => (tr.insertCell().textContent = cell));
    });
    el.appendChild(t);
  }

  function options(select, values, chosen) {
    select.innerHTML = "";
    values.forEach((v) => {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = v === "*" ? "* (all events)" : v;
      o.selected = v === chosen;
      select.appendChild(o);
    });
  }

  /** Loads one query into one section; an outage is passed on (the page retries), other errors shown there. */
  async function show(id, name, params, render, stacked) {
    try {
      render(id, await api(name, params), name, params, stacked);
    } catch (e) {
      if (e.outage) {
        throw e;
      }
      failed(id, e);
    }
  }

  return { api, show, page, apiUrl, urlParams, setUrlParams, frame, timeChart, barChart, table, failed, options, number, banner };
})();
