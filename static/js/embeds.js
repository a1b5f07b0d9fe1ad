// Embedded videos and posts in an article (templates/components/embed.html): each is a card with
// a link until the reader asks for the player; only then is the third party's frame loaded.
// Without JavaScript, the card's link leads to the video or post.
(() => {
  "use strict";

  function load(figure) {
    const player = figure.dataset.embedPlayer;
    if (!player || !player.startsWith("https://")) return;
    const video = figure.classList.contains("embed--video");
    const frame = document.createElement("iframe");
    frame.src = video ? player + (player.includes("?") ? "&" : "?") + "autoplay=1" : player;
    const source = figure.querySelector(".embed__source").textContent.trim();
    frame.title = `${source} : ${figure.querySelector(".embed__title a").textContent.trim()}`;
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.className = "embed__frame";
    // The player takes the card's place; the link to the original stays under it.
    figure.querySelector(".embed__consent").remove();
    figure.querySelector(".embed__source").replaceWith(frame);
    figure.classList.add("embed--loaded");
    frame.focus();
  }

  // The article's body and a live story's entries, those arriving later too (static/js/live.js).
  const FIGURES = ":is(.article__body, .live-entry__body) figure[data-embed-player]";

  function setUp() {
    for (const figure of document.querySelectorAll(FIGURES)) {
      const consent = figure.querySelector(".embed__consent");
      if (!consent || figure.dataset.embedReady) continue;
      figure.dataset.embedReady = "1";
      consent.hidden = false;
      consent.querySelector(".embed__load").addEventListener("click", () => load(figure));
    }
  }

  document.addEventListener("newsroom:live-entries", setUp);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
