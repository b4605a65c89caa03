// The demo page: everything the site sees comes down the page's socket as
// the site's own events; everything typed here goes up as one chat line,
// which the demo site handles exactly like a line typed at its terminal.
// All text from the chat is put in with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  people: [],           // {key, name, role, level, lang, friend}
  byKey: new Map(),
  rooms: ["lobby"],
  room: "lobby",
  who: null,            // the key of the person typing
  prefix: "!",
  bot: "dutybot",
  lines: [],            // every shown line: {where, el} where = "room:NAME" or "dm:KEY"
  unread: new Map(),    // where -> count
  approvable: new Set(),        // request ids seen with an "approve" command
  ws: null,
  retry: 500,
};

// --- helpers -----------------------------------------------------------------

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function clock(ts) {
  const d = ts ? new Date(ts) : new Date();
  return d.toTimeString().slice(0, 5);
}

function displayName(key) {
  const p = state.byKey.get(key);
  if (p) return p.name;
  return key ? key.charAt(0).toUpperCase() + key.slice(1) : "?";
}

function addFriend(key) {
  if (!key || state.byKey.has(key)) return;
  const p = { key, name: displayName(key), role: "chat friend", level: "", lang: "", friend: true };
  state.people.push(p);
  state.byKey.set(key, p);
  renderPeople();
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// --- sending -----------------------------------------------------------------

function send(room, text) {
  text = text.trim();
  if (!text) return;
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
    showError("not connected to the demo site; trying again…");
    return;
  }
  if (!state.who) {
    showError("pick who you are first (Chat as, on the right)");
    return;
  }
  state.ws.send(JSON.stringify({ type: "say", who: state.who, room, text }));
}

function showError(why) {
  const e = $("error");
  e.textContent = why;
  e.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { e.hidden = true; }, 8000);
}

// --- buttons in the bot's lines ----------------------------------------------

// The commands a click may stand for: a click sends the command as typed,
// by the person chosen, where the line is (the room, or privately).
function actionsFor(text, where) {
  const P = escapeRe(state.prefix);
  const re = new RegExp(P + "(approve|deny|ack|swap accept|swap decline)\\s+([A-Z]{1,3}-\\d+)", "g");
  const found = [];
  const seen = new Set();
  let m;
  while ((m = re.exec(text)) !== null) {
    const key = m[1] + " " + m[2];
    if (seen.has(key)) continue;
    seen.add(key);
    if (m[1] === "approve") state.approvable.add(m[2]);
    found.push({ cmd: m[1], id: m[2] });
  }
  // a private "S-1 waits for your answer" to someone who decides requests
  // names the request without its command
  const to = state.byKey.get(where.slice(3));
  if (where.startsWith("dm:") && !found.length && to && !to.friend && to.role !== "agent") {
    for (const id of text.match(/\b[A-Z]{1,3}-\d+\b/g) || []) {
      if (state.approvable.has(id) && !seen.has("approve " + id)) {
        seen.add("approve " + id);
        found.push({ cmd: "approve", id }, { cmd: "deny", id });
      }
    }
  }
  return found;
}

const LABELS = {
  approve: "Approve", deny: "Deny", ack: "Acknowledge",
  "swap accept": "Accept", "swap decline": "Decline",
};

function addActions(line, text, where) {
  const acts = actionsFor(text, where);
  if (!acts.length) return;
  const box = el("div", "actions");
  for (const a of acts) {
    const b = el("button", a.cmd === "deny" || a.cmd === "swap decline" ? "secondary" : "",
                 LABELS[a.cmd] + " " + a.id + (a.cmd === "deny" ? "…" : ""));
    b.type = "button";
    b.dataset.cmd = a.cmd;
    b.dataset.id = a.id;
    b.addEventListener("click", () => {
      const cmd = state.prefix + a.cmd + " " + a.id;
      const room = where.startsWith("dm:") ? "dm" : where.slice(5);
      if (a.cmd === "deny") {         // a denial needs a reason: typed by the person
        const input = room === "dm" ? $("dm-text") : $("text");
        input.value = cmd + " ";
        input.focus();
        return;
      }
      send(room, cmd);
    });
    box.appendChild(b);
  }
  line.appendChild(box);
}

// Private lines shown before their request's "approve" was seen get buttons now.
function refreshDmActions() {
  for (const l of state.lines) {
    if (l.where.startsWith("dm:") && l.bot && !l.el.querySelector(".actions"))
      addActions(l.el, l.text, l.where);
  }
}

// --- lines -------------------------------------------------------------------

// USER: the key of the person who typed the line (their lines are marked while they are chosen).
function addLine(where, { who, text, ts, user = null, bot = false, notice = false }) {
  const line = el("div", "line" + (bot ? " bot" : "") + (notice ? " notice" : "") +
                  (user && user === state.who ? " mine" : ""));
  line.appendChild(el("span", "time", clock(ts)));
  const body = el("div", "body");
  body.appendChild(el("span", "who", who));
  body.appendChild(el("span", "text", text));
  line.appendChild(body);
  if (bot) addActions(line, text, where);
  line.dataset.where = where;
  const rec = { where, el: line, text, bot, user };
  state.lines.push(rec);
  if (bot && state.approvable.size) refreshDmActions();
  if (isShown(where)) {
    const box = where.startsWith("dm:") ? $("dm-lines") : $("lines");
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
    box.querySelector(".empty")?.remove();
    box.appendChild(line);
    if (atEnd) box.scrollTop = box.scrollHeight;
  } else {
    state.unread.set(where, (state.unread.get(where) || 0) + 1);
    renderBadges();
  }
}

function isShown(where) {
  return where === "room:" + state.room || where === "dm:" + state.who;
}

function fill(box, where, emptyText) {
  box.replaceChildren();
  for (const l of state.lines) if (l.where === where) box.appendChild(l.el);
  if (!box.children.length) box.appendChild(el("p", "empty", emptyText));
  box.scrollTop = box.scrollHeight;
  state.unread.delete(where);
  renderBadges();
}

function showRoom(room) {
  state.room = room;
  $("room-title").textContent = "#" + room;
  $("text").placeholder = "say something in #" + room + ", or a command, e.g. " + state.prefix + "help";
  fill($("lines"), "room:" + room, "nothing said in #" + room + " yet");
  renderRooms();
}

function choose(key) {
  state.who = key;
  const p = state.byKey.get(key);
  $("as").textContent = p ? p.name : key;
  $("dm-title").textContent = (p ? p.name : key) + " — private with " + state.bot;
  fill($("dm-lines"), "dm:" + key, "no private messages yet");
  for (const l of state.lines) l.el.classList.toggle("mine", l.user !== null && l.user === key);
  renderPeople();
}

// --- the side panels ---------------------------------------------------------

function renderRooms() {
  const ul = $("rooms");
  ul.replaceChildren();
  for (const r of state.rooms) {
    const b = el("button", r === state.room ? "active" : "");
    b.type = "button";
    b.dataset.room = r;
    b.appendChild(el("span", "", "#" + r));
    b.appendChild(el("span", "badge", ""));
    b.addEventListener("click", () => showRoom(r));
    const li = el("li");
    li.appendChild(b);
    ul.appendChild(li);
  }
  renderBadges();
}

function meta(p) {
  if (p.friend) return "chat friend";
  return [p.role.replace("_", " "), p.level, p.lang].filter(Boolean).join(" · ");
}

function renderPeople() {
  const ul = $("people");
  ul.replaceChildren();
  let friends = false;
  for (const p of state.people) {
    if (p.friend && !friends) {
      friends = true;
      ul.appendChild(el("li", "sep"));
    }
    const b = el("button", p.key === state.who ? "active" : "");
    b.type = "button";
    b.dataset.person = p.key;
    const text = el("span");
    text.appendChild(el("span", "name", p.name));
    text.appendChild(document.createTextNode(" "));
    text.appendChild(el("span", "meta", meta(p)));
    b.appendChild(text);
    b.appendChild(el("span", "badge", ""));
    b.addEventListener("click", () => choose(p.key));
    const li = el("li");
    li.appendChild(b);
    ul.appendChild(li);
  }
  renderBadges();
}

function renderBadges() {
  for (const b of document.querySelectorAll("#rooms button")) {
    const n = state.unread.get("room:" + b.dataset.room);
    b.querySelector(".badge").textContent = n ? String(n) : "";
  }
  for (const b of document.querySelectorAll("#people button")) {
    const n = state.unread.get("dm:" + b.dataset.person);
    b.querySelector(".badge").textContent = n ? String(n) : "";
  }
}

// "Try this": a click picks the person and the room and fills in the line.
function renderTry() {
  const first = (pred) => state.people.find(pred);
  const agent = first((p) => p.role === "agent");
  const agent2 = state.people.filter((p) => p.role === "agent")[1] || agent;
  const minister = first((p) => p.role === "minister") || first((p) => p.role === "webmaster");
  const lead = first((p) => p.role === "vice_minister") || minister;
  const friend = first((p) => p.friend);
  const P = state.prefix;
  const items = [];
  if (agent) items.push([agent, "ops", P + "duty", "who is on duty now"]);
  if (agent) items.push([agent, "lobby", P + "whoami", "who the bot thinks you are"]);
  if (minister) items.push([minister, "ops", P + "pending",
                            "then the Approve button of the waiting swap"]);
  if (agent2) items.push([agent2, "alerts", P + "emergency The payment page shows errors",
                          "then the lead presses Acknowledge"]);
  if (friend) items.push([friend, "lobby", P + "complain The sound drops in video chat",
                          "a chat friend's complaint"]);
  if (agent2 && agent2.lang && agent2.lang !== "en")
    items.push([agent2, "lobby", P + "help", "answered in " + agent2.name.split(" ")[0] + "'s language"]);
  const ol = $("try");
  ol.replaceChildren();
  for (const [p, room, cmd, why] of items) {
    const li = el("li");
    const a = el("a");
    a.href = "#";
    a.appendChild(document.createTextNode(p.name.split(" ")[0] + " in #" + room + ": "));
    a.appendChild(el("code", "", cmd));
    a.addEventListener("click", (e) => {
      e.preventDefault();
      choose(p.key);
      showRoom(room);
      $("text").value = cmd;
      $("text").focus();
    });
    li.appendChild(a);
    li.appendChild(el("div", "meta", why));
    ol.appendChild(li);
  }
}

// --- events from the demo site -----------------------------------------------

function onHello(h) {
  state.prefix = h.prefix || "!";
  state.bot = h.bot || "dutybot";
  state.people = h.people.map((p) => ({ ...p, friend: false }));
  for (const f of h.friends || [])
    state.people.push({ key: f, name: f.charAt(0).toUpperCase() + f.slice(1), role: "chat friend",
                        level: "", lang: "", friend: true });
  state.byKey = new Map(state.people.map((p) => [p.key, p]));
  state.rooms = h.rooms && h.rooms.length ? h.rooms : ["lobby"];
  state.lines = [];
  state.unread = new Map();
  state.approvable = new Set();
  renderRooms();
  renderTry();
  showRoom(state.rooms.includes(state.room) ? state.room : state.rooms[0]);
  const agent = state.people.find((p) => p.role === "agent") || state.people[0] || {};
  choose(state.who && state.byKey.has(state.who) ? state.who : agent.key);
}

function ensureRoom(room) {
  if (room && room !== "*" && !state.rooms.includes(room)) {
    state.rooms.push(room);
    renderRooms();
  }
}

function onEvent(ev) {
  const ts = ev.at;
  switch (ev.ev) {
  case "hello":
    onHello(ev);
    break;
  case "message":               // a person's line (from this page, the terminal or the day)
    addFriend(ev.user);
    if (ev.dm) {
      addLine("dm:" + ev.user, { who: displayName(ev.user), text: ev.text, ts, user: ev.user });
    } else {
      ensureRoom(ev.room);
      addLine("room:" + ev.room, { who: displayName(ev.user) + (ev.bot ? " (bot)" : ""),
                                   text: ev.text, ts, user: ev.user });
    }
    break;
  case "send":
    ensureRoom(ev.room);
    addLine("room:" + ev.room, { who: state.bot, text: ev.text, ts, bot: true });
    break;
  case "dm":
    addLine("dm:" + ev.to, { who: state.bot, text: ev.text, ts, bot: true });
    break;
  case "system":                // a system notice: in its room, or in every room
    for (const r of ev.room === "*" ? state.rooms : [ev.room]) {
      ensureRoom(r);
      addLine("room:" + r, { who: "System notice", text: ev.text, ts, notice: true });
    }
    break;
  case "ready":
    setStatus(true, state.bot + " is connected");
    break;
  case "closed":
    setStatus(false, state.bot + " is not connected (it reconnects by itself)");
    break;
  case "day_ready":
    setStatus(true, state.bot + " is connected; the day is set up");
    break;
  case "error":
  case "page_error":
    showError(ev.why);
    break;
  default:
    break;
  }
}

function setStatus(on, text) {
  const s = $("status");
  s.className = "status " + (on ? "on" : "off");
  s.textContent = text;
}

function connect() {
  const ws = new WebSocket("ws://" + location.host + "/ws", "dutybot.demo-web.v1");
  state.ws = ws;
  ws.onopen = () => {
    state.retry = 500;
    setStatus(false, "connected to the demo site; " + state.bot + " is not connected yet");
  };
  ws.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    onEvent(ev);
  };
  ws.onclose = () => {
    setStatus(false, "the demo site is gone; trying again…");
    setTimeout(connect, state.retry);
    state.retry = Math.min(state.retry * 2, 8000);
  };
}

$("say").addEventListener("submit", (e) => {
  e.preventDefault();
  send(state.room, $("text").value);
  $("text").value = "";
});
$("dm-say").addEventListener("submit", (e) => {
  e.preventDefault();
  send("dm", $("dm-text").value);
  $("dm-text").value = "";
});
connect();
