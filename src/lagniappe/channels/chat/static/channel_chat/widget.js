/* Lagniappe chat widget: <script src="https://HOST/widget.js" data-endpoint="KEY" async>.
   Plain JS, no framework. Every message stays in a local outbox until the server acks it
   (after commit) and is resent with the same client_id after a reconnect: nothing is lost
   or doubled. When websockets never open (blocked), it polls /chat/KEY/send and /poll
   instead, same token, same client ids. Text is only ever set through textContent. */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector('script[data-endpoint][src*="widget.js"]');
  if (!script || window.__lagniappeChat) return;
  window.__lagniappeChat = true;
  var KEY = script.getAttribute("data-endpoint");
  var BASE = new URL(script.src, location.href).origin;
  var STRINGS = {
    en: ["Chat with us", "Close chat", "Write a message…", "Send", "Connecting…",
         "Message too long", "Not delivered", "Sending…", "Your name (optional)",
         "Email (optional)", "Start chat", "Typing…", "Delivered", "Read",
         "Nobody is available right now. Leave your email and a message: we will reply by email.",
         "Email", "Too many messages at once: sending again shortly…",
         "Attach a file", "File too large", "This type of file is not accepted", "Download",
         "Email me the transcript", "Send transcript", "The transcript is on its way.", "The transcript could not be sent.", "Emoji", "Articles that may help"],
    "zh-Hant": ["與我們對話", "關閉對話", "輸入訊息…", "傳送", "連線中…",
                "訊息太長", "未送達", "傳送中…", "您的姓名(選填)", "電子郵件(選填)",
                "開始對話", "輸入中…", "已送達", "已讀",
                "目前沒有客服人員在線。請留下電子郵件和訊息,我們會以電子郵件回覆。", "電子郵件",
                "訊息傳送過於頻繁,稍後會自動重送…",
         "附加檔案", "檔案太大", "不接受此類型的檔案", "下載",
         "以電子郵件寄送對話紀錄", "寄送對話紀錄", "對話紀錄已寄出。", "無法寄送對話紀錄。", "表情符號", "可能有幫助的文章"],
    "zh-Hans": ["与我们对话", "关闭对话", "输入消息…", "发送", "连接中…",
                "消息太长", "未送达", "发送中…", "您的姓名(选填)", "电子邮件(选填)",
                "开始对话", "输入中…", "已送达", "已读",
                "目前没有客服在线。请留下电子邮件和消息,我们会通过电子邮件回复。", "电子邮件",
                "消息发送过于频繁,稍后会自动重发…",
         "附加文件", "文件太大", "不接受此类型的文件", "下载",
         "通过电子邮件发送对话记录", "发送对话记录", "对话记录已发送。", "无法发送对话记录。", "表情符号", "可能有帮助的文章"],
    ja: ["チャットで相談", "チャットを閉じる", "メッセージを入力…", "送信", "接続中…",
         "メッセージが長すぎます", "送信できませんでした", "送信中…", "お名前(任意)",
         "メールアドレス(任意)", "チャットを開始", "入力中…", "配信済み", "既読",
         "ただいま対応できる担当者がいません。メールアドレスとメッセージを残してください。メールでご返信します。",
         "メールアドレス", "送信が集中しています。まもなく自動で再送します…",
         "ファイルを添付", "ファイルが大きすぎます", "この種類のファイルは受け付けていません", "ダウンロード",
         "チャット履歴をメールで受け取る", "履歴を送信", "チャット履歴を送信しました。", "チャット履歴を送信できませんでした。", "絵文字", "参考になりそうな記事"],
    id: ["Chat dengan kami", "Tutup chat", "Tulis pesan…", "Kirim", "Menghubungkan…",
         "Pesan terlalu panjang", "Tidak terkirim", "Mengirim…", "Nama Anda (opsional)",
         "Email (opsional)", "Mulai chat", "Mengetik…", "Terkirim", "Dibaca",
         "Tidak ada petugas yang tersedia. Tinggalkan email dan pesan Anda: kami akan membalas lewat email.",
         "Email", "Terlalu banyak pesan sekaligus: akan dikirim ulang sebentar lagi…",
         "Lampirkan file", "File terlalu besar", "Jenis file ini tidak diterima", "Unduh",
         "Kirim transkrip ke email saya", "Kirim transkrip", "Transkrip sedang dikirim.", "Transkrip tidak dapat dikirim.", "Emoji", "Artikel yang mungkin membantu"]
  };
  function pickLanguage(tag) {
    tag = (tag || "en").toLowerCase();
    if (tag.indexOf("zh") === 0) {
      return /hant|tw|hk|mo/.test(tag) ? "zh-Hant" : "zh-Hans";
    }
    if (tag.indexOf("ja") === 0) return "ja";
    if (tag.indexOf("id") === 0 || tag.indexOf("in") === 0) return "id";
    return "en";
  }
  var LANG = pickLanguage(navigator.language);
  var T = STRINGS[LANG];
  var STORE = "lagniappe-chat:" + KEY;
  var state = load();
  var seen = {};
  var socket = null, delay = 1000, open = false;
  var MAX_FRAME = 16000, polling = false, wsFailures = 0, pollTimer = null, tried = {};

  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(STORE) || "{}");
      return { token: s.token || "", lastSeq: s.lastSeq || 0, outbox: s.outbox || [],
               log: s.log || [], email: s.email || "", asked: s.asked || false,
               readUpTo: s.readUpTo || 0 };
    } catch (e) {
      return { token: "", lastSeq: 0, outbox: [], log: [], email: "", asked: false, readUpTo: 0 };
    }
  }
  function save() {
    state.log = state.log.slice(-100);
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  var css = document.createElement("style");
  css.textContent =
    ".lgc-btn{position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;" +
    "border-radius:24px;padding:12px 18px;background:#1f4e79;color:#fff;font:15px sans-serif;" +
    "cursor:pointer}.lgc-btn:focus-visible,.lgc-panel :focus-visible{outline:3px solid #f0b429}" +
    ".lgc-panel{position:fixed;right:16px;bottom:72px;z-index:2147483000;width:360px;" +
    "max-width:calc(100vw - 32px);height:480px;max-height:calc(100vh - 96px);display:flex;" +
    "flex-direction:column;background:#fff;color:#222;border:1px solid #ccc;" +
    "border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.2);font:14px sans-serif}" +
    ".lgc-panel[hidden]{display:none}.lgc-head{display:flex;justify-content:space-between;" +
    "align-items:center;padding:8px 12px;background:#1f4e79;color:#fff;border-radius:8px 8px 0 0}" +
    ".lgc-head button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}" +
    ".lgc-log{flex:1;overflow-y:auto;padding:8px;margin:0;list-style:none}" +
    ".lgc-log li{margin:4px 0;padding:6px 10px;border-radius:8px;max-width:80%;" +
    "white-space:pre-wrap;word-wrap:break-word}.lgc-visitor{margin-left:auto!important;" +
    "background:#dbe9f6}.lgc-agent{background:#eee}.lgc-note{font-size:12px;color:#666}" +
    ".lgc-form{display:flex;border-top:1px solid #ddd}.lgc-form textarea{flex:1;border:0;" +
    "padding:8px;font:inherit;resize:none}.lgc-form button{border:0;background:#1f4e79;" +
    "color:#fff;padding:0 14px;cursor:pointer}.lgc-status{font-size:12px;color:#666;" +
    "padding:2px 8px}.lgc-pre{display:flex;flex-direction:column;gap:6px;padding:8px;" +
    "border-top:1px solid #ddd}.lgc-pre[hidden],.lgc-form[hidden],.lgc-off[hidden]{display:none}" +
    ".lgc-attach{background:none!important;color:#1f4e79!important;padding:0 8px!important}" +
    ".lgc-file{display:block;margin-top:4px;border:0;background:none;color:#1f4e79;" +
    "text-decoration:underline;cursor:pointer;font:inherit;text-align:left}" +
    ".lgc-emo{display:flex;flex-wrap:wrap;gap:2px;padding:4px 8px;border-top:1px solid #ddd}" +
    ".lgc-emo[hidden]{display:none}.lgc-emo button{border:0;background:none;font-size:20px;" +
    "cursor:pointer;padding:2px 4px}" +
    ".lgc-pre input{font:inherit;padding:6px}.lgc-off{padding:6px 8px;background:#fff4d6}" +
    "@media (max-width:480px){.lgc-panel{right:0;bottom:0;width:100vw;" +
    "max-width:100vw;height:100vh;max-height:100vh;border-radius:0}}";
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  var button = el("button", "lgc-btn", T[0]);
  button.type = "button";
  button.setAttribute("aria-label", T[0]);
  button.setAttribute("aria-expanded", "false");
  var panel = el("div", "lgc-panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", T[0]);
  panel.lang = LANG;
  var head = el("div", "lgc-head");
  head.appendChild(el("span", "", T[0]));
  var mailBtn = el("button", "", "✉");
  mailBtn.type = "button";
  mailBtn.title = T[21];
  mailBtn.setAttribute("aria-label", T[21]);
  mailBtn.setAttribute("aria-expanded", "false");
  head.appendChild(mailBtn);
  var close = el("button", "", "×");
  close.type = "button";
  close.setAttribute("aria-label", T[1]);
  head.appendChild(close);
  // The transcript by email: to the address typed here (the pre-chat one by default).
  var tr = el("form", "lgc-pre");
  tr.hidden = true;
  var trEmail = el("input");
  trEmail.type = "email";
  trEmail.required = true;
  trEmail.maxLength = 254;
  trEmail.autocomplete = "email";
  trEmail.placeholder = T[15];
  trEmail.setAttribute("aria-label", T[15]);
  var trSend = el("button", "", T[22]);
  trSend.type = "submit";
  tr.appendChild(trEmail);
  tr.appendChild(trSend);
  mailBtn.addEventListener("click", function () {
    tr.hidden = !tr.hidden;
    mailBtn.setAttribute("aria-expanded", String(!tr.hidden));
    if (!tr.hidden) { trEmail.value = trEmail.value || state.email; trEmail.focus(); }
  });
  tr.addEventListener("submit", function (e) {
    e.preventDefault();
    post("transcript", { email: trEmail.value.trim() }).then(function (answer) {
      var ok = answer.type === "transcript";
      status.textContent = ok ? T[23] : T[24];
      if (ok) { tr.hidden = true; mailBtn.setAttribute("aria-expanded", "false"); }
    }, function () { status.textContent = T[24]; });
  });
  // A small, fixed set of emoji, inserted at the cursor; buttons, so Tab and Enter work.
  var emo = el("div", "lgc-emo");
  emo.hidden = true;
  emo.setAttribute("role", "group");
  emo.setAttribute("aria-label", T[25]);
  var emoBtn = el("button", "lgc-attach", "🙂");
  emoBtn.type = "button";
  emoBtn.title = T[25];
  emoBtn.setAttribute("aria-label", T[25]);
  emoBtn.setAttribute("aria-expanded", "false");
  function emoShow(show) {
    emo.hidden = !show;
    emoBtn.setAttribute("aria-expanded", String(show));
  }
  "😀 😂 😊 😍 😢 😮 😡 👍 👎 🙏 👏 🙌 👋 🤝 💪 🎉 ❤️ 💔 ✅ ❌ ❓ ⭐ 🔥 📄".split(" ").forEach(function (ch) {
    var b = el("button", "", ch);
    b.type = "button";
    b.setAttribute("aria-label", ch);
    b.addEventListener("click", function () {
      var at = input.selectionStart || input.value.length, end = input.selectionEnd || at;
      input.value = input.value.slice(0, at) + ch + input.value.slice(end);
      input.selectionStart = input.selectionEnd = at + ch.length;
      emoShow(false);
      input.focus();
    });
    emo.appendChild(b);
  });
  emo.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.stopPropagation(); emoShow(false); emoBtn.focus(); }
  });
  emoBtn.addEventListener("click", function () {
    emoShow(emo.hidden);
    if (!emo.hidden) emo.firstChild.focus();
  });
  var log = el("ul", "lgc-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var status = el("div", "lgc-status", T[4]);
  var form = el("form", "lgc-form");
  var input = el("textarea");
  input.rows = 2;
  input.maxLength = 4000;
  input.placeholder = T[2];
  input.setAttribute("aria-label", T[2]);
  var send = el("button", "", T[3]);
  send.type = "submit";
  // Attachments go over HTTP (multipart), with the same token; not kept in the outbox.
  var picker = el("input");
  picker.type = "file";
  picker.hidden = true;
  var attach = el("button", "lgc-attach", "📎");
  attach.type = "button";
  attach.title = T[17];
  attach.setAttribute("aria-label", T[17]);
  attach.addEventListener("click", function () { picker.click(); });
  form.appendChild(attach);
  form.appendChild(emoBtn);
  form.appendChild(picker);
  form.appendChild(input);
  form.appendChild(send);
  // Pre-chat form (settings "prechat") and the offline form (email required): one form.
  var pre = el("form", "lgc-pre");
  pre.hidden = true;
  var nameInput = el("input"), emailInput = el("input");
  nameInput.maxLength = 200;
  nameInput.autocomplete = "name";
  emailInput.type = "email";
  emailInput.maxLength = 254;
  emailInput.autocomplete = "email";
  [[nameInput, T[8]], [emailInput, T[9]]].forEach(function (pair) {
    pair[0].placeholder = pair[1];
    pair[0].setAttribute("aria-label", pair[1]);
    pre.appendChild(pair[0]);
  });
  var start = el("button", "", T[10]);
  start.type = "submit";
  pre.appendChild(start);
  var offline = el("div", "lgc-off", T[14]);
  offline.hidden = true;
  offline.setAttribute("role", "status");
  panel.appendChild(head);
  panel.appendChild(tr);
  panel.appendChild(offline);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(pre);
  panel.appendChild(emo);
  panel.appendChild(form);
  document.body.appendChild(panel);
  document.body.appendChild(button);

  function toggle(show) {
    open = show;
    panel.hidden = !show;
    button.setAttribute("aria-expanded", String(show));
    if (show) {
      (pre.hidden ? input : nameInput).focus();
      log.scrollTop = log.scrollHeight;
      markRead();
    } else { button.focus(); }
  }
  button.addEventListener("click", function () { toggle(!open); });
  close.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); }
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  var typingSent = 0, typingIdle = null, agentTyping = null, offlineTimer = null;
  var isOffline = false, prechat = false, maxFile = 0;
  // While the first message is typed: matching help-centre articles, opened in a new tab.
  var kb = el("div", "lgc-off"), kbList = el("ul"), kbTimer = null, kbAsked = "";
  kb.hidden = true;
  panel.insertBefore(kb, emo);
  kb.setAttribute("aria-live", "polite");
  kb.appendChild(el("div", "lgc-note", T[26]));
  kb.appendChild(kbList);
  function articles() {
    var q = input.value.trim();
    if (state.log.length || state.outbox.length || q.length < 3 || !state.token || q === kbAsked) {
      if (q.length < 3 || state.log.length) kb.hidden = true;
      return;
    }
    kbAsked = q;
    post("articles", { q: q.slice(0, 200) }).then(function (data) {
      kbList.textContent = "";
      (data.articles || []).forEach(function (a) {
        var li = el("li"), link = el("a", "", a.title);
        link.href = BASE + a.path;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        li.appendChild(link);
        kbList.appendChild(li);
      });
      kb.hidden = !kbList.firstChild || !!state.log.length;
    }, noop);
  }
  input.addEventListener("input", function () {
    clearTimeout(kbTimer);
    kbTimer = setTimeout(articles, 600);
    var now = Date.now();
    if (now - typingSent > 3000) { typingSent = now; transmit({ type: "typing" }); }
    clearTimeout(typingIdle);
    typingIdle = setTimeout(stopTyping, 5000);
  });
  function stopTyping() {
    if (typingSent) { typingSent = 0; transmit({ type: "typing", active: false }); }
  }
  // Shown before the first message: the pre-chat form when asked for, or the offline form
  // (email required) when nobody is there and no email was given yet.
  function showForms() {
    var needEmail = isOffline && !state.email;
    var ask = !state.log.length && !state.asked && (prechat || needEmail);
    pre.hidden = !ask;
    form.hidden = ask;
    emailInput.required = needEmail;
    emailInput.placeholder = needEmail ? T[15] : T[9];
    emailInput.setAttribute("aria-label", emailInput.placeholder);
  }
  pre.addEventListener("submit", function (e) {
    e.preventDefault();
    state.asked = true;
    state.email = emailInput.value.trim();
    save();
    session({ name: nameInput.value.trim(), email: state.email }).then(function () {
      showForms();
      input.focus();
    }, function () { state.asked = false; });
  });
  function markRead() {
    if (open && state.lastSeq > state.readUpTo) {
      state.readUpTo = state.lastSeq;
      transmit({ type: "read", seq: state.lastSeq });
    }
  }

  function render(item) {
    var li = el("li", item.from === "agent" ? "lgc-agent" : "lgc-visitor", item.text);
    (item.files || []).forEach(function (f) {
      var link = el("button", "lgc-file", "📎 " + f.name + " (" + Math.ceil(f.size / 1024) + " KB)");
      link.type = "button";
      link.title = T[20];
      link.addEventListener("click", function () { if (f.id) download(f); });
      li.appendChild(link);
    });
    if (item.client_id) li.id = "lgc-" + item.client_id;
    if (item.from !== "agent" && item.seq) li.setAttribute("data-seq", item.seq);
    // A visitor message with a seq is stored: after a reload it keeps its "delivered" mark.
    if (item.pending) { li.appendChild(el("div", "lgc-note", T[7])); }
    else if (item.from !== "agent" && item.seq) { li.appendChild(el("div", "lgc-note", T[12])); }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }
  function markDone(clientId, note) {
    var li = document.getElementById("lgc-" + clientId);
    var pending = li && li.querySelector(".lgc-note");
    if (pending) pending.remove();
    if (li && note) li.appendChild(el("div", "lgc-note", note));
  }
  state.log.forEach(function (m) { seen[m.seq] = true; render(m); });
  state.outbox.forEach(function (m) { render({ from: "visitor", text: m.text,
                                                client_id: m.client_id, pending: true }); });

  // A file the visitor may see: fetched with the token (never in a URL), saved as a blob.
  function download(f) {
    fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/file/" + encodeURIComponent(f.id), {
      method: "POST", body: JSON.stringify({ token: state.token }),
      headers: { "Content-Type": "text/plain" }
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.blob();
    }).then(function (blob) {
      var a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = f.name;
      a.rel = "noopener";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(noop);
  }
  picker.addEventListener("change", function () {
    var file = picker.files && picker.files[0];
    picker.value = "";
    if (!file) return;
    var id = uuid();
    render({ from: "visitor", text: "", files: [{ name: file.name, size: file.size }],
             client_id: id, pending: true });
    if (maxFile && file.size > maxFile) { markDone(id, T[18]); return; }
    var data = new FormData();
    data.append("token", state.token);
    data.append("client_id", id);
    data.append("file", file, file.name);
    fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/upload", { method: "POST", body: data })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.type === "ack") {
          onFrame(answer.message);  // replaces the pending line, with its download
          onFrame(answer);
        } else {
          markDone(id, answer.code === "file_too_large" ? T[18] :
                       answer.code === "file_refused" ? T[19] : T[6]);
        }
      }).catch(function () { markDone(id, T[6]); });
  });
  function bytes(text) {
    return unescape(encodeURIComponent(text)).length;
  }
  function submit() {
    var text = input.value.trim();
    if (!text) return;
    var item = { type: "message", client_id: uuid(), text: text };
    if (text.length > 4000 || bytes(JSON.stringify(item)) > MAX_FRAME) {
      status.textContent = T[5];  // kept in the box, so it can be shortened
      return;
    }
    state.outbox.push(item);
    kb.hidden = true;
    save();
    render({ from: "visitor", text: text, client_id: item.client_id, pending: true });
    input.value = "";
    clearTimeout(typingIdle);
    typingSent = 0;  // the message itself ends "typing" on the agent's side
    transmit(item);
  }
  function transmit(item) {
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify(item));
    } else if (polling && item.type === "message") {
      tried[item.client_id] = Date.now();
      post("send", { client_id: item.client_id, text: item.text }).then(onFrame, noop);
    }
  }
  function noop() {}
  // The polling fallback: the same token and client ids as the socket, over plain POSTs.
  function post(path, body) {
    body.token = state.token;
    body.lang = LANG;
    body.page = location.href.slice(0, 2000);
    body.title = document.title.slice(0, 300);
    var user = script.getAttribute("data-user-id"), hash = script.getAttribute("data-user-hash");
    if (user && hash) { body.user_id = user; body.user_hash = hash; }
    return fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/" + path, {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "text/plain" }
    }).then(function (r) {
      if (r.status === 401) state.token = "";
      return r.json();
    });
  }
  function poll() {
    clearTimeout(pollTimer);
    if (!polling) return;
    var done = function () { pollTimer = setTimeout(poll, open ? 2000 : 6000); };
    (state.token ? Promise.resolve() : session()).then(function () {
      return post("poll", { last_seq: state.lastSeq, read_seq: state.readUpTo });
    }).then(function (data) {
      (data.frames || []).forEach(onFrame);
      if (data.last_seq) onFrame({ type: "resumed", last_seq: data.last_seq });
      status.textContent = "";
      var now = Date.now();
      state.outbox.forEach(function (m) {
        if (!tried[m.client_id] || now - tried[m.client_id] > 5000) transmit(m);
      });
    }).then(done, done);
  }
  function unqueue(clientId) {
    state.outbox = state.outbox.filter(function (m) { return m.client_id !== clientId; });
  }

  function onFrame(frame) {
    if (frame.type === "ack") {
      unqueue(frame.client_id);
      markDone(frame.client_id, T[12]);
      var acked = document.getElementById("lgc-" + frame.client_id);
      if (acked) acked.setAttribute("data-seq", frame.seq);
    } else if (frame.type === "read") {
      var sent = log.querySelectorAll("li[data-seq]");
      for (var i = 0; i < sent.length; i++) {
        if (+sent[i].getAttribute("data-seq") <= frame.seq) {
          var note = sent[i].querySelector(".lgc-note");
          if (note) { note.textContent = T[13]; } else {
            sent[i].appendChild(el("div", "lgc-note", T[13]));
          }
        }
      }
    } else if (frame.type === "typing") {
      status.textContent = T[11];
      clearTimeout(agentTyping);
      agentTyping = setTimeout(function () { status.textContent = ""; }, 6000);
    } else if (frame.type === "status") {
      // Offline until an agent answers: wait a moment before saying so (no flicker).
      clearTimeout(offlineTimer);
      var apply = function () {
        isOffline = !frame.online;
        offline.hidden = frame.online;
        showForms();
      };
      if (frame.online || frame.reason) apply(); else offlineTimer = setTimeout(apply, 1500);
    } else if (frame.type === "message") {
      state.lastSeq = Math.max(state.lastSeq, frame.seq);
      if (!seen[frame.seq]) {
        seen[frame.seq] = true;
        state.log.push({ seq: frame.seq, from: frame.from, text: frame.text,
                         client_id: frame.client_id, files: frame.files });
        var mine = frame.client_id && document.getElementById("lgc-" + frame.client_id);
        if (mine && frame.files) { mine.remove(); mine = null; }  // re-drawn with downloads
        if (mine) {
          unqueue(frame.client_id);
          markDone(frame.client_id, T[12]);
          mine.setAttribute("data-seq", frame.seq);
        } else { render(frame); }
        if (frame.from === "agent") { status.textContent = ""; markRead(); }
      }
    } else if (frame.type === "resumed") {
      state.lastSeq = Math.max(state.lastSeq, frame.last_seq);
    } else if (frame.type === "error" && frame.client_id && frame.code === "rate_limited") {
      // Not stored: stays in the outbox and goes again when the server says.
      markDone(frame.client_id, T[16]);
      var again = state.outbox.filter(function (m) { return m.client_id === frame.client_id; });
      setTimeout(function () { again.forEach(transmit); }, (frame.retry_after || 2) * 1000);
    } else if (frame.type === "error" && frame.client_id) {
      unqueue(frame.client_id);
      markDone(frame.client_id, frame.code === "too_long" ? T[5] : T[6]);
    } else if (frame.type === "error" && frame.code === "rate_limited") {
      status.textContent = T[16];
    }
    save();
  }

  function session(extra) {
    var body = extra || {};
    body.token = state.token;
    return fetch(BASE + "/chat/" + encodeURIComponent(KEY) + "/session", {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "text/plain" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (!data.token) throw new Error("no token");
      state.token = data.token;
      prechat = !!data.prechat;
      maxFile = data.max_file_bytes || 0;
      showForms();
      save();
    });
  }
  function connect() {
    if (!window.WebSocket) { polling = true; poll(); return; }
    session().then(function () {
      var params = "?token=" + encodeURIComponent(state.token) + "&lang=" + LANG +
        "&page=" + encodeURIComponent(location.href.slice(0, 2000)) +
        "&title=" + encodeURIComponent(document.title.slice(0, 300));
      var user = script.getAttribute("data-user-id"), hash = script.getAttribute("data-user-hash");
      if (user && hash) {
        params += "&user_id=" + encodeURIComponent(user) + "&user_hash=" + encodeURIComponent(hash);
      }
      var opened = false;
      socket = new WebSocket(BASE.replace(/^http/, "ws") + "/ws/chat/" +
                             encodeURIComponent(KEY) + params);
      socket.onopen = function () {
        opened = true;
        wsFailures = 0;
        polling = false;  // the socket works (again): stop polling
        clearTimeout(pollTimer);
        delay = 1000;
        status.textContent = "";
        pageSent = location.href;  // the connect URL carried it
        socket.send(JSON.stringify({ type: "resume", last_seq: state.lastSeq }));
        state.outbox.forEach(transmit);
      };
      socket.onmessage = function (e) {
        try { onFrame(JSON.parse(e.data)); } catch (err) { /* ignore a bad frame */ }
      };
      socket.onclose = function (e) {
        status.textContent = T[4];
        if (e.code === 4401) state.token = "";
        // Never opened twice in a row: a proxy or firewall blocks websockets. Poll meanwhile
        // (the socket is still tried now and then, and takes over when it opens).
        if (!opened && ++wsFailures >= 2 && !polling) { polling = true; poll(); }
        retry();
      };
    }).catch(retry);
  }
  // The page the visitor is on, for the agents: on connect (above) and on every navigation
  // of a single-page site (pushState/replaceState, back/forward, hash changes).
  var pageSent = "";
  function pageReport() {
    setTimeout(function () {  // let the site set its new title first
      if (location.href === pageSent || !socket || socket.readyState !== 1) return;
      pageSent = location.href;
      transmit({ type: "page", url: location.href.slice(0, 2000),
                 title: document.title.slice(0, 300) });
    }, 300);
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    if (typeof original !== "function") return;
    history[name] = function () {
      var result = original.apply(this, arguments);
      pageReport();
      return result;
    };
  });
  window.addEventListener("popstate", pageReport);
  window.addEventListener("hashchange", pageReport);
  function retry() {
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }
  connect();
})();
