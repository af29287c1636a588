/* Drag-and-drop reordering of one surface's content blocks (the content page of a version).
 *
 * Each card has a handle (shown only when this script runs: without it, Move up / Move down do the
 * same). Dropping a card before or after another puts the cards' ids, in their new order, into the
 * surface's hidden reorder form and submits it: the page calls content_blocks_reorder with the
 * version it was loaded at, so a stale order is refused and the page says who changed it. */
(function () {
  "use strict";

  function cardsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) { return el.hasAttribute("data-block-id"); });
  }

  function clearMarks(list) {
    cardsOf(list).forEach(function (card) {
      card.classList.remove("tc-block--drop-before", "tc-block--drop-after", "tc-block--dragging");
    });
  }

  function dropsBefore(card, event) {
    var box = card.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2;
  }

  function setUp(list) {
    var form = document.getElementById(list.getAttribute("data-reorder-form"));
    if (!form) {
      return;
    }
    var status = document.getElementById(list.getAttribute("data-reorder-status"));
    var original = cardsOf(list).map(function (card) { return card.getAttribute("data-block-id"); });
    var dragged = null;

    list.querySelectorAll("[data-drag-handle]").forEach(function (handle) {
      handle.hidden = false;
      handle.addEventListener("dragstart", function (event) {
        dragged = handle.closest("[data-block-id]");
        dragged.classList.add("tc-block--dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.getAttribute("data-block-id"));
        if (event.dataTransfer.setDragImage) {
          event.dataTransfer.setDragImage(dragged, 16, 16);
        }
      });
      handle.addEventListener("dragend", function () {
        clearMarks(list);
        dragged = null;
      });
    });

    function targetCard(event) {
      var card = event.target instanceof Element ? event.target.closest("[data-block-id]") : null;
      return card && card.parentNode === list ? card : null;
    }

    list.addEventListener("dragover", function (event) {
      var card = targetCard(event);
      if (!dragged || !card) {
        return;
      }
      event.preventDefault();  // this card accepts the drop (inputs inside it must not take the dragged id as text)
      event.dataTransfer.dropEffect = "move";
      clearMarks(list);
      dragged.classList.add("tc-block--dragging");
      if (card !== dragged) {
        card.classList.add(dropsBefore(card, event) ? "tc-block--drop-before" : "tc-block--drop-after");
      }
    });

    list.addEventListener("drop", function (event) {
      var card = targetCard(event);
      if (!dragged || !card) {
        return;
      }
      event.preventDefault();
      if (card !== dragged) {
        list.insertBefore(dragged, dropsBefore(card, event) ? card : card.nextSibling);
      }
      clearMarks(list);
      dragged = null;
      submitOrder();
    });

    function submitOrder() {
      var ids = cardsOf(list).map(function (card) { return card.getAttribute("data-block-id"); });
      if (ids.join(" ") === original.join(" ")) {
        return;
      }
      form.querySelectorAll('input[name="block_ids"]').forEach(function (input) { input.remove(); });
      ids.forEach(function (id) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "block_ids";
        input.value = id;
        form.appendChild(input);
      });
      if (status) {
        status.textContent = "Saving the new order…";
      }
      form.submit();
    }
  }

  function start() {
    document.querySelectorAll("[data-reorderable]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
