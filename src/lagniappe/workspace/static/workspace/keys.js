// Keyboard shortcuts for the agent workspace. j/k move, Enter opens, r reply, n note,
// e resolve, ? help. Ignored while typing in a field, so they never eat text.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row]")); }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.findIndex(function (row) { return row.classList.contains("selected"); });
    if (index >= 0) { all[index].classList.remove("selected"); all[index].removeAttribute("aria-selected"); }
    index = Math.min(Math.max(index + step, 0), all.length - 1);
    all[index].classList.add("selected");
    all[index].setAttribute("aria-selected", "true");
    var link = all[index].querySelector("a");
    if (link) { link.focus(); }
  }
  function help() {
    var dialog = document.getElementById("shortcut-help");
    if (!dialog) { return; }
    if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
  }
  function focus(id) {
    var field = document.getElementById(id);
    if (field) { field.focus(); return true; }
    return false;
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcut-help]")) { help(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": {
        var selected = document.querySelector("[data-row].selected");
        if (selected && !event.target.closest("a, button")) { window.location = selected.dataset.href; }
        else { handled = false; }
        break;
      }
      case "r": handled = focus("reply-text"); break;
      case "n": handled = focus("note-text"); break;
      case "e": {
        var resolve = document.querySelector("[data-shortcut=resolve]:not([disabled])");
        if (resolve) { resolve.click(); } else { handled = false; }
        break;
      }
      case "?": help(); break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
})();
