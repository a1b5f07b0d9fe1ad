// The search-result and share-card previews of the article form, updated as one types the
// title, SEO title, lead or meta description (the same rules as articles/seo.py).
(function () {
  "use strict";

  function cut(text, limit) {
    // Django's Truncator.chars: at most `limit` characters, the last one an ellipsis.
    const chars = Array.from(text);
    return chars.length > limit ? chars.slice(0, limit - 1).join("") + "…" : text;
  }

  function field(name) {
    const input = document.getElementById("id_" + name);
    return input ? input.value.trim() : "";
  }

  function start() {
    const snippet = document.querySelector(".desk-snippet[data-site-name]");
    if (!snippet) return;
    const siteName = snippet.dataset.siteName;
    const descriptionChars = Number(snippet.dataset.descriptionChars) || 160;

    function texts() {
      const shareTitle = field("seo_title") || field("title");
      const description = cut(field("meta_description") || field("lead"), descriptionChars);
      return {
        "search-title": shareTitle + " – " + siteName,
        "search-description": description,
        "card-title": shareTitle,
        "card-description": description,
      };
    }

    function update() {
      const values = texts();
      Object.keys(values).forEach(function (name) {
        const text = values[name];
        const shown = document.querySelector('[data-preview="' + name + '"]');
        if (shown) shown.textContent = cut(text, Number(shown.dataset.limit));
        const counter = document.querySelector('[data-counter="' + name + '"]');
        if (!counter || !shown) return;
        const length = Array.from(text).length;
        const isCut = length > Number(shown.dataset.limit);
        counter.querySelector("[data-count]").textContent = String(length);
        counter.classList.toggle("desk-counter--cut", isCut);
        counter.querySelector(".desk-counter__cut").hidden = !isCut;
      });
    }

    ["title", "seo_title", "lead", "meta_description"].forEach(function (name) {
      const input = document.getElementById("id_" + name);
      if (input) input.addEventListener("input", update);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
