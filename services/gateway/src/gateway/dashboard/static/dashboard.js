/* 衢州市人社局监管驾驶舱 — reads the gateway's JSON API with a short-lived token from /dashboard/session.
   Everything is written with textContent (never HTML), and no script runs inline (the page's CSP forbids it). */
"use strict";
(function () {
  const PAGE = 50;
  const PERIOD = { year: "年度", plan_to_date: "规划期累计", year_end: "年末", rate: "比率" };
  const STATUS = { measured: "已统计", not_measured: "无法统计", no_target: "无目标" };
  const state = { token: null, renewAt: 0, me: null, year: null, county: "", code: null, indicators: [],
                  offsets: { alerts: 0, arrears: 0, warnings: 0 } };
  const charts = {};
  // For people and tests: the chart instances and how many full renders finished.
  window.hrssDashboard = { state: state, charts: charts, renders: 0 };

  const $ = (id) => document.getElementById(id);
  const counties = {};

  function say(text) { $("status").textContent = text || ""; }

  async function signIn() {
    const r = await fetch("/dashboard/session", { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401) { window.location.assign("/dashboard/signin?error=expired"); throw new Error("signed out"); }
    if (!r.ok) throw new Error("会话接口错误 " + r.status);
    const me = await r.json();
    state.token = me.token;
    state.renewAt = Date.now() + me.expires_in * 800;  // renew at 80% of the token's life
    return me;
  }

  async function api(path, params) {
    if (!state.token || Date.now() > state.renewAt) await signIn();
    const url = new URL(path, window.location.origin);
    Object.entries(params || {}).forEach(([k, v]) => { if (v !== "" && v !== null && v !== undefined) url.searchParams.set(k, v); });
    const call = () => fetch(url, { headers: { Authorization: "Bearer " + state.token, Accept: "application/json" } });
    let r = await call();
    if (r.status === 401) { await signIn(); r = await call(); }
    if (!r.ok) {
      let detail = "";
      try { detail = (await r.json()).detail || ""; } catch (e) { detail = ""; }
      throw new Error(path + "：" + r.status + " " + detail);
    }
    return r.json();
  }

  const num = (v) => (v === null || v === undefined || v === "" ? null : Number(v));
  const pct = (v) => (v === null || v === undefined ? "—" : (Number(v) * 100).toFixed(1) + "%");
  const countyName = (code) => (code ? counties[code] || code : "全市");
  const rowsOf = (page) => page.data || page.items || [];
  const countOf = (page) => (page.count !== undefined ? page.count : page.total || 0);

  function option(select, value, text) {
    const o = document.createElement("option");
    o.value = value; o.textContent = text; select.appendChild(o);
  }

  function fill(tbody, rows, columns) {
    tbody.replaceChildren();
    if (!rows.length) {
      const tr = tbody.insertRow(); const td = tr.insertCell();
      td.colSpan = columns.length; td.className = "empty"; td.textContent = "暂无数据";
      return;
    }
    rows.forEach((row) => {
      const tr = tbody.insertRow();
      columns.forEach((c) => {
        const td = tr.insertCell();
        const v = c(row);
        td.textContent = v === null || v === undefined ? "—" : String(v);
      });
    });
  }

  function chart(id, type, labels, datasets, extra) {
    const config = {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ animation: false, responsive: true, maintainAspectRatio: false,
                               plugins: { legend: { position: "bottom" } } }, extra || {}),
    };
    if (charts[id]) { charts[id].destroy(); }
    charts[id] = new window.Chart($(id), config);
  }

  function exportLinks() {
    const base = { county_code: state.county };
    const filters = { indicators: { year: state.year }, alerts: { status: "open" }, arrears: {}, warnings: {} };
    document.querySelectorAll(".exports").forEach((span) => {
      const table = span.dataset.table;
      span.replaceChildren();
      ["csv", "xlsx"].forEach((fmt) => {
        const url = new URL("/dashboard/export/" + table + "." + fmt, window.location.origin);
        Object.entries(Object.assign({}, base, filters[table])).forEach(([k, v]) => { if (v) url.searchParams.set(k, v); });
        const a = document.createElement("a");
        a.href = url.pathname + url.search; a.className = "export"; a.id = "export-" + table + "-" + fmt;
        a.textContent = fmt === "csv" ? "导出 CSV" : "导出 Excel";
        span.appendChild(a);
      });
    });
  }

  async function loadIndicators() {
    const answer = await api("/v1/indicators", { year: state.year, county_code: state.county });
    state.indicators = answer.indicators || [];
    $("plan-title").textContent = answer.plan ? answer.plan.title + "（" + answer.plan.period_start + "–" + answer.plan.period_end + "）" : "本年度无规划目标";
    const measured = state.indicators.filter((i) => i.share !== null && i.share !== undefined);
    const note = $("share-note");
    note.hidden = measured.length > 0;
    $("chart-share").parentElement.hidden = measured.length === 0;  // an empty chart says nothing
    note.textContent = state.county ? "规划只定全市目标，按县（市、区）查询没有完成率；实绩见下方图表与指标明细。"
      : "本年度没有可计算完成率的指标（无规划目标或数据无法计量）。";
    chart("chart-share", "bar", measured.map((i) => i.name),
          [{ label: "完成率（%）", data: measured.map((i) => Number((Number(i.share) * 100).toFixed(2))), backgroundColor: "#2f6fb3" }],
          { scales: { y: { beginAtZero: true, title: { display: true, text: "%" } } } });
    fill($("table-indicators").tBodies[0], state.indicators, [
      (i) => i.name + (i.illustrative ? "（示例数据）" : ""), (i) => PERIOD[i.period] || i.period,
      (i) => (i.target === null ? null : (i.comparison && i.comparison !== "=" ? i.comparison + " " : "") + i.target + " " + i.unit),
      (i) => (i.actual === null ? null : i.actual + " " + i.unit), (i) => pct(i.share),
      (i) => STATUS[i.status] || i.status, (i) => i.reason || i.target_scope,
    ]);
    const select = $("indicator");
    const codes = state.indicators.filter((i) => i.status !== "not_measured");
    if (!codes.some((i) => i.code === state.code)) state.code = codes.length ? codes[0].code : null;
    select.replaceChildren();
    codes.forEach((i) => option(select, i.code, i.name));
    if (state.code) select.value = state.code;
  }

  async function loadIndicatorCharts() {
    if (!state.code) { return; }
    const series = await api("/v1/indicators/series", { code: state.code, county_code: state.county });
    const points = series.points || [];
    $("series-title").textContent = series.name + "（" + series.unit + "，" + countyName(state.county) + "）";
    chart("chart-series", "line", points.map((p) => String(p.year)), [
      { label: "实际", data: points.map((p) => num(p.actual)), borderColor: "#2f6fb3", backgroundColor: "#2f6fb3" },
      { label: "目标", data: points.map((p) => num(p.target)), borderColor: "#d9534f", backgroundColor: "#d9534f", borderDash: [6, 4] },
    ]);
    if (state.me.county_code) return;  // a county client sees its own county only: no comparison across counties
    const by = await api("/v1/indicators/by-county", { year: state.year, code: state.code });
    const rows = by.counties || [];
    $("county-title").textContent = by.name + "（" + by.year + " 年，" + by.unit + "）";
    const highlight = (r, color) => (state.county && r.county_code !== state.county ? color + "55" : color);
    chart("chart-county", "bar", rows.map((r) => r.county_name), [
      { label: "实际", data: rows.map((r) => num(r.actual)), backgroundColor: rows.map((r) => highlight(r, "#2f6fb3")) },
      { label: "目标", data: rows.map((r) => num(r.target)), backgroundColor: rows.map((r) => highlight(r, "#d9534f")) },
    ]);
  }

  const TABLES = {
    alerts: { path: "/v1/alerts", params: { status: "open" }, columns: [
      (a) => (a.detected_at || "").replace("T", " ").slice(0, 19), (a) => a.rule_name, (a) => countyName(a.county_code),
      (a) => a.id_number, (a) => a.credit_code, (a) => a.summary] },
    arrears: { path: "/v1/arrears-cases/overdue", params: {}, columns: [
      (c) => c.employer_name, (c) => c.credit_code, (c) => countyName(c.county_code), (c) => c.accepted_date,
      (c) => c.deadline_date, (c) => c.days_overdue, (c) => c.workers_affected, (c) => c.amount_owed] },
    warnings: { path: "/v1/warnings", params: {}, columns: [
      (w) => w.employer_name, (w) => w.credit_code, (w) => countyName(w.county_code), (w) => w.score, (w) => w.level,
      (w) => (w.signals || []).map((s) => s.name || s.code).join("、"), (w) => (w.as_of || "").replace("T", " ").slice(0, 19)] },
  };

  async function loadTable(name) {
    const t = TABLES[name];
    const page = await api(t.path, Object.assign({ county_code: state.county, limit: PAGE, offset: state.offsets[name] }, t.params));
    const rows = rowsOf(page); const count = countOf(page);
    fill($("table-" + name).tBodies[0], rows, t.columns);
    $("count-" + name).textContent = "共 " + count + " 条";
    const pager = document.querySelector('.pager[data-table="' + name + '"]');
    pager.replaceChildren();
    if (count > PAGE) {
      const offset = state.offsets[name];
      const prev = document.createElement("button"); prev.textContent = "上一页"; prev.disabled = offset === 0;
      prev.addEventListener("click", () => { state.offsets[name] = Math.max(0, offset - PAGE); guarded(() => loadTable(name)); });
      const next = document.createElement("button"); next.textContent = "下一页"; next.disabled = offset + PAGE >= count;
      next.addEventListener("click", () => { state.offsets[name] = offset + PAGE; guarded(() => loadTable(name)); });
      const where = document.createElement("span");
      where.textContent = " 第 " + (offset + 1) + "–" + Math.min(offset + PAGE, count) + " 条 ";
      pager.append(prev, where, next);
    }
  }

  async function guarded(work) {
    say("加载中…");
    try { await work(); say(""); } catch (e) { say("加载失败：" + e.message); }
  }

  async function loadAll() {
    state.offsets = { alerts: 0, arrears: 0, warnings: 0 };
    exportLinks();
    await loadIndicators();
    await Promise.all([loadIndicatorCharts(), loadTable("alerts"), loadTable("arrears"), loadTable("warnings")]);
    window.hrssDashboard.renders += 1;
    document.body.dataset.renders = String(window.hrssDashboard.renders);
  }

  async function start() {
    const me = await signIn();
    state.me = me;
    me.counties.forEach((c) => { counties[c.code] = c.name; });
    $("who-name").textContent = me.name;
    $("who-county").textContent = me.county_name;
    const year = $("year");
    for (let y = me.year; y >= me.first_year; y -= 1) option(year, String(y), y + " 年");
    state.year = String(me.year);
    const county = $("county");
    if (me.county_code) {
      option(county, me.county_code, me.county_name);
      county.disabled = true;
      state.county = me.county_code;
      $("panel-county").hidden = true;
    } else {
      option(county, "", "全市");
      me.counties.forEach((c) => option(county, c.code, c.name));
    }
    year.addEventListener("change", () => { state.year = year.value; guarded(loadAll); });
    county.addEventListener("change", () => { state.county = county.value; guarded(loadAll); });
    $("indicator").addEventListener("change", (e) => { state.code = e.target.value; guarded(loadIndicatorCharts); });
    await loadAll();
  }

  document.addEventListener("DOMContentLoaded", () => { guarded(start); });
})();
