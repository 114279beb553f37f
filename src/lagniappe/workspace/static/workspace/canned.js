// Canned responses in the composer: pick one from the list, or type "/shortcut" and press
// Tab. The texts come rendered (placeholders filled, escaped) in the page's <select>; they
// are inserted as plain text into the textarea, never as HTML.
(function () {
  "use strict";
  var box = document.querySelector("[data-canned-for]");
  if (!box) return;
  var textarea = document.getElementById(box.dataset.cannedFor);
  var pick = box.querySelector("[data-canned-pick]");
  if (!textarea || !pick) return;

  function textOf(shortcut) {
    for (var i = 0; i < pick.options.length; i++) {
      if (pick.options[i].value === shortcut) return pick.options[i].dataset.text;
    }
    return null;
  }

  function insert(text, from, to) {
    var value = textarea.value;
    textarea.value = value.slice(0, from) + text + value.slice(to);
    var caret = from + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  pick.addEventListener("change", function () {
    var text = textOf(pick.value);
    if (text !== null) insert(text, textarea.selectionStart, textarea.selectionEnd);
    pick.value = "";
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || event.shiftKey) return;
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|\s)\/([^\s\/]+)$/.exec(before);
    if (!match) return;
    var text = textOf(match[2]);
    if (text === null) return;
    event.preventDefault();
    insert(text, before.length - match[2].length - 1, textarea.selectionStart);
  });
})();
