// Review queue keyboard shortcuts: j/n next record, k/p previous, 1-9 tick a suggestion,
// a accept the ticked ones, r reject all. Without JavaScript the buttons do the same.
(function () {
  "use strict";
  const items = Array.from(document.querySelectorAll("[data-review-item]"));
  if (!items.length) return;
  let current = 0;

  function focus(i) {
    current = Math.max(0, Math.min(items.length - 1, i));
    items.forEach(function (item, k) { item.classList.toggle("current", k === current); });
    items[current].focus();
    items[current].scrollIntoView({ block: "start" });
  }

  function press(key) {
    const button = items[current].querySelector('button[data-key="' + key + '"]');
    if (button) button.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" && event.target.type !== "checkbox") return;
    if (tag === "TEXTAREA" || tag === "SELECT") return;
    const key = event.key;
    if (key === "j" || key === "n") focus(current + 1);
    else if (key === "k" || key === "p") focus(current - 1);
    else if (key === "a" || key === "r") press(key);
    else if (/^[1-9]$/.test(key)) {
      const boxes = items[current].querySelectorAll('input[type="checkbox"]');
      const box = boxes[Number(key) - 1];
      if (box) box.checked = !box.checked;
    } else return;
    event.preventDefault();
  });
  items.forEach(function (item, k) {
    item.addEventListener("focusin", function () {
      current = k;
      items.forEach(function (other, j) { other.classList.toggle("current", j === k); });
    });
  });
  items[0].classList.add("current");
})();
