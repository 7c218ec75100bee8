// Customer chat: start a conversation, send with a client message id (retried, never duplicated),
// long-poll for new messages. The conversation id and token live in sessionStorage (survive reloads).
(function () {
  const $ = (id) => document.getElementById(id);
  let conv = JSON.parse(sessionStorage.getItem("conv") || "null");
  let lastSeq = 0, polling = false, shown = new Set();
  const outbox = [];

  function uuid() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9-]/g, ""); }
  function headers() { return {"Content-Type": "application/json", "Authorization": "Bearer " + conv.customer_token}; }
  function label(m) { return {customer: "You · 我", bot: "Assistant · 智能助手", agent: (m.meta.agent_name || "Agent") + " · 人工客服", system: ""}[m.role] || m.role; }

  function render(m) {
    if (shown.has(m.seq)) return;
    shown.add(m.seq);
    const pending = document.querySelector('[data-cmid="' + m.client_msg_id + '"]');
    if (pending) pending.remove();
    const div = document.createElement("div");
    div.className = "msg " + m.role;
    div.dataset.seq = m.seq;
    const who = document.createElement("span"); who.className = "who"; who.textContent = label(m);
    div.appendChild(who); div.appendChild(document.createTextNode(m.text));
    // The bot's choices (e.g. which order) and, while waiting for a person, "keep waiting" /
    // "let the assistant help": a click sends the choice's title, as if typed.
    const buttons = (m.meta && m.meta.buttons) || [];
    if (buttons.length) {
      const row = document.createElement("div"); row.className = "choices";
      const waitingChoice = m.meta.type === "waiting_choices";
      if (waitingChoice) row.classList.add("waiting-choices");
      buttons.forEach((b) => {
        const btn = document.createElement("button"); btn.type = "button"; btn.className = "choice";
        btn.dataset.payload = b.payload || "";
        btn.textContent = b.title || b.payload;
        btn.addEventListener("click", () => {
          if (waitingChoice) row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
          send(b.title || b.payload);
        });
        row.appendChild(btn);
      });
      div.appendChild(row);
    }
    $("msgs").appendChild(div);
    $("msgs").scrollTop = $("msgs").scrollHeight;
    if (m.meta && m.meta.type === "rating_request") $("rating").hidden = false;
    if (m.meta && m.meta.type === "rating_thanks") $("rating").hidden = true;
  }

  function setStatus(data) {
    let s = {bot: "assistant", queued: "waiting for a person · the assistant answers meanwhile", agent: "with a person", closed: "closed"}[data.status] || data.status;
    if (data.queue_position) s += " (#" + data.queue_position + ")";
    if (data.ticket) s += " · ticket";
    $("status").textContent = s;
    document.body.dataset.status = data.status;
    // The waiting choices only mean something while the conversation waits for a person.
    if (data.status !== "queued") document.querySelectorAll(".waiting-choices button").forEach((b) => { b.disabled = true; });
  }

  async function poll() {
    if (polling || !conv) return;
    polling = true;
    const mine = conv.conversation_id;
    while (conv && conv.conversation_id === mine) {
      try {
        const r = await fetch("/api/conversations/" + mine + "/messages?wait=20&after=" + lastSeq, {headers: headers()});
        if (r.status === 404) { sessionStorage.removeItem("conv"); conv = null; break; }
        const data = await r.json();
        if (!r.ok) throw new Error(data.error ? data.error.message : r.status);
        data.messages.forEach(render);
        lastSeq = Math.max(lastSeq, data.last_seq);
        setStatus(data);
        $("error").textContent = "";
      } catch (e) { $("error").textContent = "Connection problem, retrying… " + e.message; await new Promise((r) => setTimeout(r, 1500)); }
    }
    polling = false;
  }

  async function start() {
    const r = await fetch("/api/conversations", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({customer_id: $("customer").value})});
    const data = await r.json();
    if (!r.ok) { $("error").textContent = data.error.message; return; }
    conv = data; conv.customer_id = $("customer").value;
    sessionStorage.setItem("conv", JSON.stringify(conv));
    $("msgs").innerHTML = ""; shown = new Set(); lastSeq = 0; $("rating").hidden = true;
    setStatus(data);
    poll();
  }

  async function flush() {
    while (outbox.length) {
      const item = outbox[0];
      try {
        const r = await fetch("/api/conversations/" + conv.conversation_id + "/messages", {method: "POST", headers: headers(),
          body: JSON.stringify({text: item.text, client_msg_id: item.id})});
        if (r.status >= 500 || r.status === 429) throw new Error("server busy (" + r.status + ")");
        const data = await r.json();
        if (!r.ok) { $("error").textContent = data.error.message; outbox.shift(); continue; }
        outbox.shift();
      } catch (e) { $("error").textContent = "Not sent yet, retrying… " + e.message; await new Promise((r) => setTimeout(r, 2000)); }
    }
  }

  async function send(text) {
    if (!conv) await start();
    const id = uuid();
    const div = document.createElement("div");
    div.className = "msg customer"; div.dataset.cmid = id; div.textContent = text + " …";
    $("msgs").appendChild(div);
    outbox.push({id, text});
    if (outbox.length === 1) flush();
  }

  $("form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    await send(text);
  });
  $("start").addEventListener("click", start);
  document.querySelectorAll("[data-rating]").forEach((b) => b.addEventListener("click", async () => {
    await fetch("/api/conversations/" + conv.conversation_id + "/rating", {method: "POST", headers: headers(),
      body: JSON.stringify({rating: Number(b.dataset.rating)})});
  }));
  if (conv) { $("customer").value = conv.customer_id || $("customer").value; poll(); }
})();
