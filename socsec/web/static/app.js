// Sort menus submit their form when changed (the button stays for keyboard and no-JS use).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

// Concept autocomplete for the search box (WAI-ARIA combobox with a listbox popup).
// Without JavaScript the form still submits a free-text search.
(function () {
  "use strict";
  const input = document.getElementById("q");
  const list = document.getElementById("q-suggestions");
  const status = document.getElementById("q-status");
  if (!input || !list) return;
  const endpoint = input.dataset.autocomplete;
  const display = input.dataset.display || "en";
  const LANGS = ["en", "fr", "es"];
  let items = [];
  let active = -1;
  let timer = null;
  let seq = 0;

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    items = [];
    active = -1;
  }

  // A chosen concept is searched by its matched label: the search expands it to the concept
  // in every language, so a French label finds English records too.
  function choose(item) {
    input.value = item.matched_label;
    close();
    const url = "/search?q=" + encodeURIComponent(item.matched_label) + "&lang=" + encodeURIComponent(display);
    window.location.assign(url);
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach(function (el, i) { el.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(data) {
    list.innerHTML = "";
    items = data;
    data.forEach(function (item, i) {
      const li = document.createElement("li");
      li.id = "q-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const main = document.createElement("span");
      main.textContent = item.matched_label;
      if (item.matched_lang) main.lang = item.matched_lang;
      li.appendChild(main);
      const others = LANGS.filter(function (l) { return item.labels[l] && item.labels[l] !== item.matched_label; })
        .map(function (l) { return l + ": " + item.labels[l]; });
      if (others.length) {
        const small = document.createElement("span");
        small.className = "other";
        small.textContent = others.join(" · ");
        li.appendChild(small);
      }
      li.dataset.uri = item.uri;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(item); });
      list.appendChild(li);
    });
    const open = data.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    active = -1;
    // The sentence comes translated from the page (data-status-template, "{n}" = count).
    const template = input.dataset.statusTemplate || "{n} concept suggestions";
    status.textContent = open ? template.replace("{n}", String(data.length)) : "";
  }

  function fetchSuggestions() {
    const term = input.value.trim();
    if (term.length < 2) { close(); return; }
    const mine = ++seq;
    fetch(endpoint + "?q=" + encodeURIComponent(term) + "&display=" + encodeURIComponent(display) + "&limit=8",
          { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (data) { if (mine === seq) render(data); })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) {
      if (e.key === "ArrowDown") { fetchSuggestions(); e.preventDefault(); }
      return;
    }
    if (e.key === "ArrowDown") { highlight(Math.min(active + 1, items.length - 1)); e.preventDefault(); }
    else if (e.key === "ArrowUp") { highlight(Math.max(active - 1, -1)); e.preventDefault(); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(items[active]); }
    else if (e.key === "Escape") { close(); e.preventDefault(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();

// Forms that change a lot (delete, merge, undo) ask first; without JavaScript they just submit.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
