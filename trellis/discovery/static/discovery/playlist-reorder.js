/* Playlist reordering: HTML5 drag and drop posts the new order; after any htmx swap of the list
   the keyboard focus goes back to the moved item's button (the server names it in data-focus).
   Without JavaScript the Move up / Move down buttons are plain forms. No library, no CDN. */
(function () {
  "use strict";

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (e) {
      return {};
    }
  }

  function clearMarks(list) {
    list.querySelectorAll(".drop-before, .drop-after").forEach(function (li) {
      li.classList.remove("drop-before", "drop-after");
    });
  }

  function setup(root) {
    var list = root.querySelector("#entry-list");
    var url = root.getAttribute("data-reorder-url");
    if (!list || !url || list.getAttribute("data-ready") === "1") return;
    list.setAttribute("data-ready", "1");
    var dragged = null;

    list.addEventListener("dragstart", function (event) {
      var li = event.target.closest("li[data-entry]");
      if (!li) return;
      dragged = li;
      li.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", li.getAttribute("data-entry"));
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      clearMarks(list);
      var li = event.target.closest("li[data-entry]");
      if (!li || li === dragged) return;
      var box = li.getBoundingClientRect();
      li.classList.add(event.clientY > box.top + box.height / 2 ? "drop-after" : "drop-before");
    });
    list.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var li = event.target.closest("li[data-entry]");
      if (li && li !== dragged) {
        var box = li.getBoundingClientRect();
        if (event.clientY > box.top + box.height / 2) li.after(dragged);
        else li.before(dragged);
      }
      var moved = dragged.getAttribute("data-entry");
      finish();
      var order = Array.prototype.map
        .call(list.querySelectorAll("li[data-entry]"), function (item) {
          return item.getAttribute("data-entry");
        })
        .join(",");
      window.htmx.ajax("POST", url, {
        source: list,
        target: "#entries",
        swap: "outerHTML",
        values: { order: order, moved: moved },
        headers: csrfHeaders(),
      });
    });
    list.addEventListener("dragend", finish);

    function finish() {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      clearMarks(list);
    }
  }

  function refocus() {
    var root = document.getElementById("entries");
    if (!root) return;
    setup(root);
    var target = root.getAttribute("data-focus");
    if (target) {
      var element = document.getElementById(target);
      if (element) element.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("entries");
    if (root) setup(root);
  });
  // Only once the list itself has settled (htmx has processed its new forms by then), not when the
  // out-of-band status line settles, which can come first.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "entries") refocus();
  });
})();
