// The workspace's live connection: applies pushed fragments (rendered server-side from the
// same partials the pages use), re-fetches per-viewer parts, reports viewing/typing.
(function () {
  "use strict";
  var timeline = document.getElementById("timeline");
  var conversationId = timeline ? Number(timeline.dataset.conversationId) : null;
  var socket = null;
  var refreshTimers = {};
  var typingSentAt = 0;
  var idleTimer = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function fromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function activate(node) {
    if (window.htmx && node) window.htmx.process(node);
  }

  function upsert(fragment, insert) {
    var node = fromHtml(fragment.html);
    if (!node) return;
    var existing = document.getElementById(fragment.element_id);
    if (existing) existing.replaceWith(node);
    else if (insert) insert(node);
    else return;
    activate(node);
  }

  // Parts rendered per viewer (view counts, controls) come back from the page's own view.
  function refresh(selector) {
    clearTimeout(refreshTimers[selector]);
    refreshTimers[selector] = setTimeout(function () {
      fetch(location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (text) {
          if (!text) return;
          var fresh = new DOMParser().parseFromString(text, "text/html").querySelector(selector);
          var current = document.querySelector(selector);
          if (fresh && current) {
            current.replaceWith(fresh);
            activate(fresh);
          }
        });
    }, 150);
  }

  function apply(fragment) {
    var kind = fragment.kind;
    if (kind === "message" || kind === "note") {
      if (!timeline || fragment.conversation_id !== conversationId) return;
      upsert(fragment, function (node) { timeline.appendChild(node); });
    } else if (kind === "row") {
      var rows = document.getElementById("inbox-rows");
      if (!rows) return;
      upsert(fragment, function (node) {
        var empty = rows.querySelector("td[colspan]");
        if (empty) empty.parentElement.remove();
        rows.prepend(node);
      });
      refresh("nav.views");
    } else if (kind === "controls") {
      if (fragment.conversation_id === conversationId) refresh("#controls");
    } else if (kind === "presence" || kind === "board") {
      upsert(fragment, null);
    }
  }

  // An agent's own reply arrives twice (htmx answer and push): keep the last copy.
  document.addEventListener("htmx:afterSwap", function () {
    if (!timeline) return;
    var seen = {};
    var items = timeline.querySelectorAll("[id]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (items[i].parentElement !== timeline) continue;
      if (seen[items[i].id]) items[i].remove();
      else seen[items[i].id] = true;
    }
  });

  // Typing is reported at most every 2 s, and "viewing" again after 4 s of quiet.
  document.addEventListener("input", function (event) {
    if (!conversationId || !event.target.closest || !event.target.closest(".composer")) return;
    var now = Date.now();
    if (now - typingSentAt > 2000) {
      typingSentAt = now;
      send({ type: "typing" });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      typingSentAt = 0;
      send({ type: "viewing" });
    }, 4000);
  });

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/workspace");
    socket.onopen = function () {
      document.documentElement.dataset.live = "connected";
      if (conversationId) send({ type: "subscribe", conversation_id: conversationId });
    };
    socket.onmessage = function (event) { apply(JSON.parse(event.data)); };
    socket.onclose = function (event) {
      document.documentElement.dataset.live = "closed";
      if (event.code !== 4401 && event.code !== 403) setTimeout(connect, 2000);
    };
  }
  connect();
})();
