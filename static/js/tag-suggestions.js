// Suggests existing tags while an editor types in a comma-separated tags field.
// Uses the admin's own autocomplete endpoint; new tags can still be typed freely.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-tag-suggestions]").forEach((input) => {
    const list = document.createElement("datalist");
    list.id = `${input.id}-suggestions`;
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    input.after(list);
    let timer;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const parts = input.value.split(",");
        const term = parts.pop().trim();
        if (term.length < 2) return;
        const url = new URL(input.dataset.tagSuggestions, window.location.href);
        url.searchParams.set("term", term);
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) return;
        const { results } = await response.json();
        const prefix = parts.map((part) => part.trim()).filter(Boolean);
        list.replaceChildren(
          ...results.map(({ text }) => {
            const option = document.createElement("option");
            option.value = [
              ...prefix,
              text.includes(",") ? `"${text}"` : text,
            ].join(", ");
            return option;
          }),
        );
      }, 200);
    });
  });
});
