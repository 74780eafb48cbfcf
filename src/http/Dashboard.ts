import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"

/*
 * GET / : one static page, no build step. It lists the tenant's lots with their counts and follows
 * the chosen lot's event stream. EventSource cannot send an Authorization header, so the page reads
 * the stream with fetch and parses the SSE frames itself.
 */
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>parkplane</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; margin: 1rem 0; }
  th, td { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: right; }
  th:first-child, td:first-child, td:nth-child(2) { text-align: left; }
  tr.chosen { background: #eef5ff; }
  tr[data-lot] { cursor: pointer; }
  #log { font-family: ui-monospace, monospace; font-size: 12px; max-height: 22rem; overflow: auto; background: #f7f7f7; padding: .5rem; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>parkplane</h1>
<p>
  <label>API key (only when the server has PARKPLANE_API_KEYS): <input id="key" type="password" size="24"></label>
  <button id="refresh">Refresh</button> <span id="status" class="muted"></span>
  · <a href="/docs">API docs</a> · <a href="/openapi.json">openapi.json</a>
</p>
<table>
  <thead><tr><th>id</th><th>name</th><th>capacity</th><th>free</th><th>occupied</th><th>reserved</th><th>out of service</th></tr></thead>
  <tbody id="lots"></tbody>
</table>
<h2 id="following" class="muted">Choose a lot to follow its events</h2>
<div id="log"></div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const keyInput = $("key");
keyInput.value = localStorage.getItem("parkplane-key") || "";
const headers = () => keyInput.value ? { authorization: "Bearer " + keyInput.value } : {};
let chosen = null;
let controller = null;

function cell(row, text) { const td = document.createElement("td"); td.textContent = String(text); row.appendChild(td); }

function renderLot(row, lot) {
  row.replaceChildren();
  for (const v of [lot.id, lot.name, lot.capacity, lot.free, lot.occupied, lot.reserved, lot.outOfService]) cell(row, v);
  row.className = lot.id === chosen ? "chosen" : "";
}

async function refresh() {
  localStorage.setItem("parkplane-key", keyInput.value);
  const response = await fetch("/v1/lots", { headers: headers() });
  const body = await response.json();
  if (!response.ok) { $("status").textContent = body.message || response.statusText; return; }
  $("status").textContent = body.length + " lot(s)";
  const tbody = $("lots");
  tbody.replaceChildren();
  for (const lot of body) {
    const row = document.createElement("tr");
    row.dataset.lot = lot.id;
    renderLot(row, lot);
    row.onclick = () => follow(lot.id);
    tbody.appendChild(row);
  }
}

async function refreshLot(lotId) {
  const response = await fetch("/v1/lots/" + encodeURIComponent(lotId), { headers: headers() });
  if (!response.ok) return;
  const row = document.querySelector('tr[data-lot="' + CSS.escape(lotId) + '"]');
  if (row) renderLot(row, await response.json());
}

function logLine(text) {
  const line = document.createElement("div");
  line.textContent = text;
  $("log").prepend(line);
}

async function follow(lotId) {
  if (controller) controller.abort();
  controller = new AbortController();
  chosen = lotId;
  document.querySelectorAll("tr[data-lot]").forEach((r) => r.className = r.dataset.lot === lotId ? "chosen" : "");
  $("following").textContent = "Events of " + lotId;
  $("log").replaceChildren();
  let lastId = null;
  while (chosen === lotId) {
    try {
      const h = headers();
      if (lastId !== null) h["last-event-id"] = lastId;
      const response = await fetch("/v1/lots/" + encodeURIComponent(lotId) + "/events/stream", { headers: h, signal: controller.signal });
      if (!response.ok) { logLine("stream refused: " + response.status); return; }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\\n\\n")) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = {};
          for (const line of frame.split("\\n")) {
            if (line.startsWith(":")) continue;
            const colon = line.indexOf(":");
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.id !== undefined) lastId = fields.id;
          if (fields.data !== undefined) {
            logLine((fields.id ?? "") + " " + (fields.event ?? "message") + " " + fields.data);
            refreshLot(lotId);
          }
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

$("refresh").onclick = refresh;
refresh();
</script>
</body>
</html>
`

/** The dashboard at `/`, beside the API on the same router. */
export const DashboardLive = HttpApiBuilder.Router.use((router) =>
  router.get("/", HttpServerResponse.text(page, { contentType: "text/html; charset=utf-8" }))
)
