// The article editor's toolbar: wraps the selected text of the body in a tag (bold, heading,
// list item, link...). Plain HTML in a textarea; the server sanitises whatever is saved.
(function () {
  "use strict";
  if (window.lagniappeKnowledgeToolbar) { return; }
  window.lagniappeKnowledgeToolbar = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-wrap]");
    if (!button) { return; }
    var body = document.getElementById(button.closest("[data-toolbar-for]").dataset.toolbarFor);
    if (!body) { return; }
    var start = body.selectionStart || 0;
    var end = body.selectionEnd || 0;
    var selected = body.value.slice(start, end);
    var open = button.dataset.wrap;
    var close = button.dataset.close;
    var text = open + selected + close;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = start + open.length;
    body.selectionEnd = start + open.length + selected.length;
  });
})();
