// "Insert link" on a suggested article: puts the article's title and portal link into the
// reply box at the cursor. One delegated listener, so swapped-in suggestions need no wiring.
(function () {
  "use strict";
  if (window.lagniappeSuggestedArticles) { return; }
  window.lagniappeSuggestedArticles = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-link]");
    var reply = document.getElementById("reply-text");
    if (!button || !reply) { return; }
    var text = button.dataset.insertTitle + " " + button.dataset.insertLink;
    var start = reply.selectionStart || 0;
    var end = reply.selectionEnd || 0;
    var before = reply.value.slice(0, start);
    var gap = before && !/\s$/.test(before) ? " " : "";
    reply.value = before + gap + text + reply.value.slice(end);
    reply.focus();
    reply.selectionStart = reply.selectionEnd = start + gap.length + text.length;
  });
})();
