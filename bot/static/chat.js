// The demo chat: send through /chat/send, and poll /chat/updates for replies, pushes and the group's talk.
// Every piece of user text goes into the page with textContent, never as HTML.
(function () {
  "use strict";
  var POLL_MS = 1500;
  var MAX_UPLOAD = 700 * 1024;    // bigger photos are shrunk in the browser before upload
  var personas = JSON.parse(document.getElementById("personas").textContent);
  var select = document.getElementById("persona");
  var form = document.getElementById("form");
  var textInput = document.getElementById("text");
  var photoInput = document.getElementById("photo");
  var photoName = document.getElementById("photo-name");
  var title = document.getElementById("chat-title");
  var state = { persona: select.value, chat: "", after: { direct: 0, push: 0, group: 0 }, loaded: false, busy: false,
                polling: false };

  function personaName(id) {
    for (var i = 0; i < personas.length; i++) { if (personas[i].id === id) { return personas[i].name; } }
    return "";
  }

  function logFor(chat) { return document.getElementById(chat ? "log-" + chat : "log-direct"); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function addMessage(chat, who, text, photos, opts) {
    opts = opts || {};
    var row = el("div", "msg" + (who === "me" ? " mine" : "") + (opts.push ? " push" : ""));
    var avatar = el("span", "avatar " + (who === "me" ? "me" : who === "bot" ? "bot" : "other"),
                    who === "bot" ? "三" : (opts.name || "我").slice(0, 1));
    var box = el("div");
    if (opts.name && who !== "me") { box.appendChild(el("div", "name", opts.name)); }
    var bubble = el("div", "bubble");
    (photos || []).forEach(function (url) {
      if (url.indexOf("/chat/media/") === 0) {
        var img = el("img");
        img.src = url;
        img.alt = "照片";
        bubble.appendChild(img);
      }
    });
    if (text) { bubble.appendChild(document.createTextNode(text)); }
    box.appendChild(bubble);
    row.appendChild(avatar);
    row.appendChild(box);
    var log = logFor(chat);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
    if (state.loaded && chat !== state.chat) { bump(chat); }
  }

  function bump(chat) {
    var badge = document.querySelector("#" + (chat ? "chat-" + chat : "chat-direct") + " .badge");
    badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
    badge.hidden = false;
  }

  function apply(data) {
    var items = [];
    data.direct.forEach(function (m) { items.push({ at: m.at, order: 0, id: m.id, m: m, kind: "direct" }); });
    data.pushes.forEach(function (m) { items.push({ at: m.at, order: 1, id: m.id, m: m, kind: "push" }); });
    items.sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order || a.id - b.id; });
    items.forEach(function (it) {
      if (it.kind === "direct") {
        if (it.m.text || it.m.photos.length) { addMessage("", "me", it.m.text, it.m.photos); }   // a scan: no words
        if (it.m.reply) { addMessage("", "bot", it.m.reply, [], { name: "三单小助手" }); }
        state.after.direct = Math.max(state.after.direct, it.m.id);
      } else {
        addMessage("", "bot", it.m.text, it.m.photos, { name: "三单小助手", push: true });
        state.after.push = Math.max(state.after.push, it.m.id);
      }
    });
    var group = document.querySelector(".log[data-chat]:not(#log-direct)");
    data.group.forEach(function (m) {
      if (group) {
        var chat = group.dataset.chat;
        addMessage(chat, m.mine ? "me" : "other", m.text, m.photos, { name: m.name });
        if (m.reply) { addMessage(chat, "bot", m.reply, [], { name: "三单小助手" }); }
      }
      state.after.group = Math.max(state.after.group, m.id);
    });
  }

  function poll() {
    if (state.polling) { return Promise.resolve(); }
    state.polling = true;
    var persona = state.persona;
    var q = "persona=" + encodeURIComponent(persona) + "&direct=" + state.after.direct +
            "&push=" + state.after.push + "&group=" + state.after.group;
    return fetch("/chat/updates?" + q).then(function (r) { return r.json(); }).then(function (data) {
      if (persona !== state.persona || !data.ok) { return; }
      apply(data);
      state.loaded = true;
    }).catch(function () { /* the next poll tries again */ }).then(function () { state.polling = false; });
  }

  function shrink(file) {
    if (!file || file.size <= MAX_UPLOAD || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (bmp) {
      var scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bmp.width * scale);
      canvas.height = Math.round(bmp.height * scale);
      canvas.getContext("2d").drawImage(bmp, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    }).catch(function () { return file; });
  }

  function showError(text) {
    var log = logFor(state.chat);
    log.appendChild(el("p", "error", text));
    log.scrollTop = log.scrollHeight;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = textInput.value.trim();
    var file = photoInput.files[0];
    if ((!text && !file) || state.busy) { return; }
    state.busy = true;
    shrink(file).then(function (photo) {
      var body = new FormData();
      body.append("persona", state.persona);
      body.append("chat", state.chat);
      body.append("text", text);
      body.append("msg_id", Date.now().toString(36) + Math.random().toString(36).slice(2));
      if (photo) { body.append("photo", photo, file.name || "photo.jpg"); }
      return fetch("/chat/send", { method: "POST", body: body });
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (!data.ok) { showError(data.error || "发送失败"); return; }
      textInput.value = "";
      photoInput.value = "";
      photoName.textContent = "";
      return poll();
    }).catch(function () { showError("发送失败，请稍后再试"); }).then(function () { state.busy = false; });
  });

  photoInput.addEventListener("change", function () {
    photoName.textContent = photoInput.files[0] ? photoInput.files[0].name : "";
  });

  document.getElementById("chats").addEventListener("click", function (ev) {
    var item = ev.target.closest(".chat");
    if (!item) { return; }
    state.chat = item.dataset.chat;
    document.querySelectorAll(".chat").forEach(function (c) { c.classList.toggle("active", c === item); });
    document.querySelectorAll(".log").forEach(function (l) { l.hidden = l.dataset.chat !== state.chat; });
    var badge = item.querySelector(".badge");
    badge.textContent = "";
    badge.hidden = true;
    title.textContent = item.querySelector(".title").textContent;
    var log = logFor(state.chat);
    log.scrollTop = log.scrollHeight;
  });

  // Opened from a 帮办二维码 (/chat?place=…): each persona scans once, as WeChat's scan event would.
  var scanned = JSON.parse(document.getElementById("scanned").textContent);
  var scannedBy = {};
  function scanPlace() {
    if (!scanned.place || scannedBy[state.persona]) { return Promise.resolve(); }
    scannedBy[state.persona] = true;
    var body = new FormData();
    body.append("persona", state.persona);
    body.append("place", scanned.place);
    body.append("building", scanned.building);
    body.append("msg_id", Date.now().toString(36) + Math.random().toString(36).slice(2));
    return fetch("/chat/scan", { method: "POST", body: body }).then(function () { return poll(); });
  }

  select.addEventListener("change", function () {
    state.persona = select.value;
    state.after = { direct: 0, push: 0, group: 0 };
    state.loaded = false;
    document.querySelectorAll(".log").forEach(function (l) { l.textContent = ""; });
    document.querySelectorAll(".badge").forEach(function (b) { b.textContent = ""; b.hidden = true; });
    document.title = "三单小助手 · " + personaName(state.persona);
    poll().then(scanPlace);
  });

  poll().then(scanPlace);
  setInterval(poll, POLL_MS);
})();
