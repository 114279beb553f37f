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
  var heartbeat = null;

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
      // Looked up again: a refresh after a reconnect replaces the element.
      upsert(fragment, function (node) { document.getElementById("timeline").appendChild(node); });
    } else if (kind === "row") {
      var rows = document.getElementById("inbox-rows");
      if (!rows) return;
      upsert(fragment, function (node) {
        var empty = rows.querySelector("td[colspan]");
        if (empty) empty.parentElement.remove();
        rows.prepend(node);
      });
      refresh("nav.views");
    } else if (kind === "controls" || kind === "timeline") {
      if (fragment.conversation_id === conversationId) refresh("#" + kind);
    } else if (kind === "merged") {
      if (fragment.conversation_id === conversationId) mergedAway(fragment);
    } else if (kind === "presence" || kind === "board" || kind === "status") {
      upsert(fragment, null);
    } else if (kind === "receipt") {
      if (fragment.conversation_id === conversationId) upsert(fragment, null);
    } else if (kind === "notification") {
      notify(fragment);
    }
  }

  // The open conversation was merged into another: its banner (the page's own partial) goes
  // above the timeline and what a merged conversation's page no longer renders goes away.
  function mergedAway(fragment) {
    upsert(fragment, function (node) {
      var current = document.getElementById("timeline");
      current.parentElement.insertBefore(node, current);
    });
    document.querySelectorAll("[data-unless-merged]").forEach(function (node) { node.remove(); });
  }

  // -- notifications: the menu's list, a short sound, a desktop notification ------------
  var announced = {};
  var audio = null;

  function list() { return document.getElementById("notification-list"); }

  function notify(fragment) {
    var items = list();
    var isNew = !document.getElementById(fragment.element_id) && !announced[fragment.element_id];
    if (items) {
      upsert(fragment, function (node) {
        var empty = items.querySelector("li.empty");
        if (empty) empty.remove();
        items.prepend(node);
      });
    }
    if (!isNew) return;  // the same notification again (its kind changed): no second alert
    announced[fragment.element_id] = true;
    var info = fragment.notify || {};
    if (info.sound && items && items.dataset.sound === "1") beep();
    if (info.desktop && items && items.dataset.desktop === "1") desktop(info);
  }

  function beep() {
    if (!audio) return;  // browsers allow sound only after the agent touched the page
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.25);
  }

  function desktop(info) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    var shown = new Notification(info.title, { body: info.body || "", tag: "lagniappe-" + info.id });
    if (info.url) shown.onclick = function () { window.focus(); location.href = info.url; };
  }

  document.addEventListener("click", function (event) {
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!audio && AudioContext) audio = new AudioContext();
    // Permission is asked only when the agent presses the button (a user gesture).
    var ask = event.target.closest && event.target.closest("[data-desktop-permission]");
    if (ask && "Notification" in window) {
      Notification.requestPermission().then(function () { permissionButton(); });
    }
  });

  function permissionButton() {
    var button = document.querySelector("[data-desktop-permission]");
    if (button) button.hidden = !("Notification" in window) || Notification.permission !== "default";
  }
  permissionButton();

  // An agent's own reply arrives twice (htmx answer and push): keep the last copy.
  document.addEventListener("htmx:afterSwap", function () {
    var current = document.getElementById("timeline");
    if (!current) return;
    var seen = {};
    var items = current.querySelectorAll("[id]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (items[i].parentElement !== current) continue;
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
    // A page without an inbox list says so: the server then skips rendering rows for it.
    var rows = document.getElementById("inbox-rows") ? "" : "?rows=0";
    socket = new WebSocket(scheme + location.host + "/ws/workspace" + rows);
    socket.onopen = function () {
      // Back after a drop (server restart, network): what was pushed meanwhile is lost, so
      // the parts it would have changed are fetched again from the page's own view.
      if (document.documentElement.dataset.live === "closed") {
        ["#timeline", "#controls", "#inbox-rows", "nav.views"].forEach(function (selector) {
          if (document.querySelector(selector)) refresh(selector);
        });
      }
      document.documentElement.dataset.live = "connected";
      clearInterval(heartbeat);
      heartbeat = setInterval(function () { send({ type: "heartbeat" }); }, 60000);
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
