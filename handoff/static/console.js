// Agent console scripts: queue refresh with SLA timers; conversation live transcript and actions.
// Every POST carries the CSRF token from the page's meta tag.
const Console = (function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function uuid() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9-]/g, ""); }

  async function post(url, body) {
    const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify(body || {})});
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.error ? data.error.message : "HTTP " + r.status);
    return data;
  }

  function tags(list) { return (list || []).map((c) => '<span class="tag">' + esc(c) + "</span>").join(""); }
  function secs(s) { return s == null ? "" : Math.round(s) + " s"; }

  function queuePage(initial) {
    function draw(data) {
      $("online").textContent = data.agents_online;
      $("queue").querySelector("tbody").innerHTML = data.queue.map((c) =>
        '<tr data-id="' + esc(c.id) + '"><td><a href="/console/c/' + esc(c.id) + '">' + esc(c.name) + " (" + esc(c.customer_id) + ")</a>" +
        (c.ticket ? ' <span class="tag">ticket</span>' : "") + "</td><td>" + esc(c.tier) + "</td><td>" + tags(c.reasons) +
        "</td><td>" + c.effective + '</td><td class="' + (c.sla_breached ? "breach" : "") + '">' + secs(c.waiting_seconds) +
        '</td><td><button type="button" class="claim" data-id="' + esc(c.id) + '">Claim</button></td></tr>').join("");
      $("mine").querySelector("tbody").innerHTML = data.mine.map((c) =>
        '<tr><td><a href="/console/c/' + esc(c.id) + '">' + esc(c.name) + " (" + esc(c.customer_id) + ")</a></td><td>" + esc(c.tier) +
        "</td><td>" + tags(c.reasons) + '</td><td class="' + (c.sla_breached ? "breach" : "") + '">' +
        (c.first_reply_seconds != null ? secs(c.first_reply_seconds) : "waiting " + secs(c.waiting_seconds)) + "</td><td></td></tr>").join("");
      document.querySelectorAll("button.claim").forEach((b) => b.addEventListener("click", async () => {
        try { await post("/console/api/conversations/" + b.dataset.id + "/claim"); location.href = "/console/c/" + b.dataset.id; }
        catch (e) { alert(e.message); }
      }));
    }
    draw(initial);
    setInterval(async () => {
      try { const r = await fetch("/console/api/queue"); if (r.ok) draw(await r.json()); } catch (e) { /* next tick */ }
    }, 1000);
  }

  function conversationPage(convId, lastSeq) {
    const base = "/console/api/conversations/" + convId;
    const err = (e) => { $("action-error").textContent = e.message; };
    function addMsg(m) {
      if (document.querySelector('#msgs [data-seq="' + m.seq + '"]')) return;
      const div = document.createElement("div");
      div.className = "msg " + m.role; div.dataset.seq = m.seq;
      div.innerHTML = '<span class="who">' + esc(m.role) + " " + tags(m.codes) + "</span>" + esc(m.text);
      $("msgs").appendChild(div); $("msgs").scrollTop = $("msgs").scrollHeight;
    }
    function showReasons(reasons, prio) {
      // The "why handed off" card follows reasons that arrive later (e.g. a complaint threat).
      const card = $("reasons"); if (!card || !reasons) return;
      const key = JSON.stringify([reasons, prio]);
      if (card.dataset.key === key) return;
      card.dataset.key = key;
      card.innerHTML = "<h3>Why handed off</h3>" + (reasons.length ? reasons.map((r) =>
        '<div class="reason"><span class="tag">' + esc(r.code) + '</span> <span class="muted">' + esc(r.source) + "</span> " +
        esc(r.explanation) + (r.triggers || []).map((t) => '<div class="muted">“' + esc(t) + "”</div>").join("") + "</div>").join("")
        : '<p class="muted">not handed off</p>') +
        '<p class="muted">priority ' + esc(prio ? prio.score : "") + " " + esc(prio ? JSON.stringify(prio.parts) : "") + "</p>";
    }
    function showStatus(row) {
      $("conv-status").textContent = row.status;
      $("claim").hidden = row.status !== "queued";
      $("handback").hidden = row.status !== "agent";
    }
    async function poll() {
      for (;;) {
        try {
          const r = await fetch(base + "/messages?wait=20&after=" + lastSeq);
          if (r.status === 401) { location.href = "/console/login"; return; }
          const data = await r.json();
          data.messages.forEach(addMsg);
          lastSeq = Math.max(lastSeq, data.last_seq);
          showStatus(data.row);
          showReasons(data.reasons, data.priority);
        } catch (e) { await new Promise((r) => setTimeout(r, 1500)); }
      }
    }
    function tickSla() {
      const el = $("sla"), q = el.dataset.queued; if (!q) return;
      const end = el.dataset.replied ? new Date(el.dataset.replied) : new Date();
      const s = Math.round((end - new Date(q)) / 1000);
      el.textContent = s + " s" + (el.dataset.replied ? " (answered)" : "");
      el.className = (!el.dataset.replied && s > Number(el.dataset.sla)) ? "breach" : "";
    }
    setInterval(tickSla, 1000); tickSla();
    $("claim").addEventListener("click", () => post(base + "/claim").then((d) => showStatus(d)).catch(err));
    $("handback").addEventListener("click", () => post(base + "/handback").then((d) => showStatus(d)).catch(err));
    $("transfer").addEventListener("click", () => post(base + "/transfer", {to: $("transfer-to").value})
      .then(() => { location.href = "/console/"; }).catch(err));
    $("close").addEventListener("click", () => post(base + "/close", {resolution: $("resolution").value})
      .then((d) => showStatus(d)).catch(err));
    $("send-reply").addEventListener("click", () => {
      const text = $("reply").value.trim(); if (!text) return;
      post(base + "/reply", {text, client_msg_id: uuid()}).then(() => {
        $("reply").value = ""; $("action-error").textContent = "";
        if (!$("sla").dataset.replied) $("sla").dataset.replied = new Date().toISOString();
      }).catch(err);
    });
    $("add-note").addEventListener("click", () => {
      const text = $("note").value.trim(); if (!text) return;
      post(base + "/note", {text}).then(() => {
        const li = document.createElement("li"); li.className = "muted"; li.textContent = text; $("notes").appendChild(li); $("note").value = "";
      }).catch(err);
    });
    document.querySelectorAll(".canned, .use-kb").forEach((b) => b.addEventListener("click", () => { $("reply").value = b.dataset.text; }));
    poll();
  }
  return {queuePage, conversationPage};
})();
