/* Live messaging: new messages appear in an open conversation and the unread count in the
   navigation changes without a reload. Progressive enhancement only: without this script every
   page still works, and a reload shows everything. No inline script (strict CSP). */
(function () {
  "use strict";

  var link = document.querySelector("[data-messages-link]");
  if (!link || !window.WebSocket) { return; }
  var list = document.getElementById("message-list");
  var status = document.querySelector("[data-live-status]");
  var threadId = list ? parseInt(list.getAttribute("data-thread"), 10) : null;
  var socket = null;
  var delay = 1000;
  var closedFor = "";

  function socketUrl() {
    var configured = link.getAttribute("data-ws-url") || "/ws/messaging/";
    if (/^wss?:\/\//.test(configured)) { return configured; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + configured;
  }

  function lastId() {
    var items = list ? list.querySelectorAll("[data-message-id]") : [];
    var last = 0;
    for (var i = 0; i < items.length; i++) {
      last = Math.max(last, parseInt(items[i].getAttribute("data-message-id"), 10) || 0);
    }
    return last;
  }

  function setUnread(count) {
    var badge = link.querySelector("[data-messages-unread]");
    if (!badge) { return; }
    badge.querySelector("[data-count]").textContent = String(count);
    badge.hidden = count === 0;
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content.firstElementChild;
  }

  function showMessages(messages, replace) {
    var newest = 0;
    messages.forEach(function (m) {
      var element = fragment(m.html);
      if (!element) { return; }
      var existing = document.getElementById("message-" + m.id);
      if (existing) {
        // Keep the sender's own edit and withdraw buttons: only replace the text part.
        if (replace) { existing.replaceWith(element); }
      } else {
        list.appendChild(element);
        newest = Math.max(newest, m.id);
      }
    });
    if (newest && !document.hidden && socket) {
      socket.send(JSON.stringify({ type: "read", thread: threadId, up_to: newest }));
    }
  }

  // The conversation was closed (a moderator finished a review): say why above each reply
  // form for it and stop it sending, keeping what was typed so it can still be copied.
  function closeForms(thread, reason) {
    var forms = document.querySelectorAll('form[data-thread-reply="' + thread + '"]');
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (form.hasAttribute("data-closed")) { continue; }
      form.setAttribute("data-closed", "");
      var note = document.createElement("p");
      note.className = "read-only";
      note.setAttribute("role", "status");
      note.setAttribute("data-thread-closed", "");
      note.textContent = reason;
      form.parentNode.insertBefore(note, form);
      var fields = form.querySelectorAll("textarea");
      for (var j = 0; j < fields.length; j++) { fields[j].readOnly = true; }
      var buttons = form.querySelectorAll("button");
      for (var k = 0; k < buttons.length; k++) { buttons[k].hidden = true; }
    }
  }

  function say(text) {
    if (!status) { return; }
    status.textContent = text;
    status.hidden = !text;
  }

  function connect() {
    try { socket = new WebSocket(socketUrl()); } catch (e) { return; }
    socket.addEventListener("open", function () {
      delay = 1000;
      say("");
      if (threadId) {
        // Ask for everything after the last message on the page: nothing is lost while away.
        socket.send(JSON.stringify({ type: "subscribe", thread: threadId, after: lastId() }));
      }
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "closed") {
        // The session ended (or could not be checked): the server sends nothing more. Close
        // it from here too; "unverified" reconnects (the new socket's check decides).
        closedFor = data.reason || "session";
        socket.close();
        return;
      }
      if (data.type === "unread") { setUnread(data.count); }
      else if (data.type === "messages" && data.thread === threadId) { showMessages(data.messages, false); }
      else if (data.type === "changed" && data.thread === threadId) { showMessages(data.messages, true); }
      else if (data.type === "thread_closed" && data.thread === threadId) { closeForms(data.thread, data.reason || ""); }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      var reason = closedFor;
      closedFor = "";
      // Session ended (4401) or two-step set-up needed (4403): a reload shows the right page.
      if (event.code === 4401 || event.code === 4403) { return; }
      if (reason === "session" || reason === "two_step") { return; }
      // Too many tabs open (4429): try again now and then, in case one of them closes.
      if (event.code === 4429) { delay = 30000; }
      if (list) { say(status ? status.getAttribute("data-offline") || "" : ""); }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && socket && threadId && socket.readyState === 1) {
      var last = lastId();
      if (last) { socket.send(JSON.stringify({ type: "read", thread: threadId, up_to: last })); }
    }
  });

  connect();
})();
