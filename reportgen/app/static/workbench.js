// The workbench page: upload → findings and preview → downloads; the district view with --data.
// Text from files and the server is only ever set as textContent (or an iframe's sandboxed srcdoc).
"use strict";

const $ = (selector) => document.querySelector(selector);
const LABEL = { error: "错误", warning: "警告", info: "提示" };
let current = null; // the file being worked on
let canPdf = false;

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function setStatus(node, text, kind) {
  node.textContent = text;
  node.className = "status" + (kind ? " " + kind : "");
}

async function post(url, fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, value);
  return fetch(url, { method: "POST", body: form, credentials: "same-origin" });
}

async function problem(response) {
  // The server's Chinese message; a 413 may come before the body is read, so say it here too.
  try {
    const body = await response.json();
    if (body.error) return body.error;
  } catch (e) { /* not JSON */ }
  if (response.status === 413) return "文件超过" + $("#limit").textContent + " MB，已拒绝。";
  return "出错了（" + response.status + "）";
}

function fileName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename\*=UTF-8''([^;]+)/i.exec(header);
  return match ? decodeURIComponent(match[1]) : fallback;
}

async function save(response, fallback) {
  const blob = await response.blob();
  const link = el("a");
  link.href = URL.createObjectURL(blob);
  link.download = fileName(response, fallback);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

function renderFindings(container, findings) {
  container.replaceChildren();
  const shown = findings.filter((f) => f.severity !== "info");
  const notes = findings.filter((f) => f.severity === "info");
  const order = { error: 0, warning: 1, info: 2 };
  const card = (f) => {
    const box = el("div", "finding " + f.severity);
    const head = el("div");
    head.append(el("span", "badge " + f.severity, LABEL[f.severity] || f.severity));
    if (f.location) head.append(el("span", "where", f.location));
    if (f.label) head.append(el("span", "label", "〔" + f.label + "〕"));
    box.append(head, el("div", "message", f.message));
    if (f.remedy) box.append(el("div", "remedy", "处理办法：" + f.remedy));
    return box;
  };
  shown.sort((a, b) => order[a.severity] - order[b.severity]).forEach((f) => container.append(card(f)));
  if (notes.length) {
    const more = el("details");
    more.append(el("summary", "", "另有" + notes.length + "条提示（如空白单元格按0计）"));
    notes.forEach((f) => more.append(card(f)));
    container.append(more);
  }
}

function summary(findings) {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  if (errors) return ["有" + errors + "个错误、" + warnings + "个警告，改正后才能生成报告。", "bad"];
  if (warnings) return ["检查通过，有" + warnings + "个警告，请逐条核对。", "warn"];
  return ["检查通过。", "ok"];
}

function showPreview(html, why) {
  const frame = $("#preview");
  const empty = $("#preview-empty");
  if (html) {
    frame.srcdoc = html;
    empty.hidden = true;
  } else {
    frame.removeAttribute("srcdoc");
    empty.textContent = why || "选择文件后，这里显示生成的报告。";
    empty.hidden = false;
  }
}

function enableDownloads(on) {
  document.querySelectorAll(".download").forEach((b) => {
    b.disabled = !on || (b.dataset.format === "pdf" && !canPdf);
  });
}

async function analyse(file) {
  current = file;
  $("#chosen").textContent = "已选择：" + file.name;
  enableDownloads(false);
  showPreview(null, "正在生成预览……");
  $("#findings").replaceChildren();
  setStatus($("#status"), "正在检查“" + file.name + "”……");
  let response;
  try {
    response = await post("/api/preview", { file, template: $("#template").value });
  } catch (e) {
    setStatus($("#status"), "无法连接 reportgen：请确认运行 reportgen serve 的窗口没有关闭。", "bad");
    return;
  }
  if (!response.ok) {
    setStatus($("#status"), await problem(response), "bad");
    return;
  }
  const body = await response.json();
  const [text, kind] = summary(body.findings);
  setStatus($("#status"), body.file + "：" + text, kind);
  renderFindings($("#findings"), body.findings);
  showPreview(body.html, "数据有错误，改正后才能预览和生成报告。");
  enableDownloads(Boolean(body.html));
}

async function download(format, button) {
  if (!current) return;
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "正在生成……";
  try {
    const response = await post("/api/build", { file: current, format, template: $("#template").value, zip: "0" });
    if (response.ok) await save(response, "report." + format);
    else setStatus($("#status"), await problem(response), "bad");
  } finally {
    button.textContent = label;
    button.disabled = false;
  }
}

function fillPacks(select, packs) {
  for (const p of packs) {
    const option = el("option", "", p.display_name + "（" + p.name + "）");
    option.value = p.name;
    select.append(option);
  }
}

// ---- District view ----

async function loadUnits() {
  const tbody = $("#units tbody");
  tbody.replaceChildren();
  const response = await fetch("/api/units");
  if (!response.ok) return;
  const body = await response.json();
  $("#folder").textContent = "（" + body.folder + "，" + body.units.length + "个）";
  for (const u of body.units) {
    const row = el("tr");
    const status = el("td");
    status.append(el("span", "badge " + u.status, u.status));
    row.append(el("td", "", u.file), el("td", "", u.organ), el("td", "", u.year || ""), status,
      el("td", "", u.message));
    tbody.append(row);
  }
}

async function merge(event) {
  event.preventDefault();
  const form = $("#merge");
  const fields = {
    organ: form.organ.value, year: form.year.value, template: form.template.value,
    format: [...form.querySelectorAll("input[name=fmt]:checked")].map((b) => b.value).join(","),
    skip_invalid: form.skip_invalid.checked ? "1" : "",
  };
  const status = $("#merge-status");
  const progress = $("#progress");
  $("#merge-problems").replaceChildren();
  $("#merge-go").disabled = true;
  try {
    const response = await post("/api/district", fields);
    if (!response.ok) {
      setStatus(status, await problem(response), "bad");
      return;
    }
    const { job } = await response.json();
    progress.hidden = false;
    let state;
    for (;;) {
      state = await (await fetch("/api/district/" + job)).json();
      progress.max = state.total;
      progress.value = state.done;
      setStatus(status, state.stage + "……");
      if (state.finished) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    if (state.ok) {
      setStatus(status, state.stage + "。已生成：" + state.filename, "ok");
      const file = await fetch("/api/district/" + job + "/download");
      if (file.ok) await save(file, state.filename);
    } else {
      setStatus(status, state.error, "bad");
      const list = $("#merge-problems");
      for (const p of state.problems) {
        const box = el("div", "finding error");
        box.append(el("div", "where", p.file));
        p.messages.forEach((m) => box.append(el("div", "message", m)));
        list.append(box);
      }
      if (state.findings.length) renderFindings(list, state.findings);
    }
  } finally {
    $("#merge-go").disabled = false;
  }
}

function showTab(name) {
  document.querySelectorAll(".tab").forEach((t) => t.setAttribute("aria-selected", String(t.dataset.tab === name)));
  $("#single").hidden = name !== "single";
  $("#district").hidden = name !== "district";
  if (name === "district") loadUnits();
}

async function start() {
  const info = await (await fetch("/api/info")).json();
  canPdf = info.pdf;
  $("#limit").textContent = info.max_upload_mb;
  $("#pdf-note").hidden = canPdf;
  $("#district-pdf").disabled = !canPdf;
  fillPacks($("#template"), info.packs);
  fillPacks($("#district-template"), info.packs);
  if (info.district) {
    $("#tabs").hidden = false;
    document.querySelectorAll(".tab").forEach((t) => t.addEventListener("click", () => showTab(t.dataset.tab)));
    $("#refresh").addEventListener("click", loadUnits);
    $("#merge").addEventListener("submit", merge);
  }
  const input = $("#file");
  input.addEventListener("change", () => input.files.length && analyse(input.files[0]));
  const drop = $("#drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) analyse(e.dataTransfer.files[0]);
  });
  $("#template").addEventListener("change", () => current && analyse(current));
  document.querySelectorAll(".download").forEach((b) => b.addEventListener("click", () => download(b.dataset.format, b)));
}

start();
