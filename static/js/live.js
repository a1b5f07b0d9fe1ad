// A live story's page (templates/components/live_coverage.html) looks for new entries every
// few seconds in the cached fragment of its entries (articles.views.live_entries). New entries
// are not pushed under the reader's eyes: a button, announced politely to screen readers, says
// how many there are, and shows them when pressed. Edits, pins and deletions are applied at
// once; the looking stops when the coverage ends. Without JavaScript, a reload shows them all.
(() => {
  "use strict";

  const script = document.currentScript;
  const url = script && script.dataset.liveUrl;
  const feed = document.querySelector("[data-live-feed]");
  const updates = document.querySelector("[data-live-updates]");
  if (!url || !feed || !updates || !window.fetch || !window.DOMParser) return;

  const interval = Math.max(1, Number(script.dataset.liveInterval) || 20) * 1000;
  const MAX_INTERVAL = 5 * 60 * 1000;
  let delay = interval;
  let timer = null;
  let waiting = null; // the fresh feed whose new entries the button offers
  let stopped = false;

  const entries = (root) => Array.from(root.querySelectorAll("article[data-entry]"));
  const versions = (root) => entries(root).map((entry) => `${entry.id}@${entry.dataset.entry}`);

  function label(count) {
    const text = count === 1 ? script.dataset.liveOne : script.dataset.liveMany;
    return text.replace("{count}", String(count));
  }

  // The fresh feed's key points, its stream with only the new entries inserted (the entries
  // already shown stay where they are, replaced only if edited), and its state.
  function apply(fresh) {
    const keyPoints = feed.querySelector("[data-live-key-points]");
    const freshKeyPoints = fresh.querySelector("[data-live-key-points]");
    const stream = feed.querySelector("[data-live-stream]");
    const freshStream = fresh.querySelector("[data-live-stream]");
    if (keyPoints && freshKeyPoints) keyPoints.replaceWith(freshKeyPoints);
    else if (keyPoints) keyPoints.remove();
    else if (freshKeyPoints) stream.before(freshKeyPoints);

    const kept = new Set(entries(freshStream).map((entry) => entry.id));
    for (const entry of entries(stream)) {
      if (!kept.has(entry.id)) entry.remove();
    }
    for (const other of stream.querySelectorAll(":scope > :not(article)")) other.remove();
    let previous = null;
    for (const entry of entries(freshStream)) {
      const shown = stream.querySelector(`:scope > #${CSS.escape(entry.id)}`);
      if (shown && shown.dataset.entry !== entry.dataset.entry) shown.replaceWith(entry);
      else if (!shown) {
        if (previous) previous.after(entry);
        else stream.prepend(entry);
      }
      previous = shown && shown.dataset.entry === entry.dataset.entry ? shown : entry;
    }
    if (!entries(stream).length) {
      const empty = freshStream.querySelector(":scope > :not(article)");
      if (empty) stream.append(empty);
    }

    const ended = fresh.querySelector(".live__ended");
    if (ended && !feed.querySelector(".live__ended")) feed.prepend(ended);
    feed.dataset.liveState = fresh.dataset.liveState;
    const badge = document.querySelector("[data-live-badge]");
    if (badge && fresh.dataset.liveLabel) {
      badge.textContent = fresh.dataset.liveLabel;
      badge.classList.toggle("live-badge--on", fresh.dataset.liveState === "live");
    }
    document.dispatchEvent(new CustomEvent("newsroom:live-entries"));
  }

  function offer(fresh, count) {
    waiting = fresh;
    let button = updates.querySelector("button");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "live__new";
      button.addEventListener("click", () => {
        const first = entries(waiting).find((entry) => !document.getElementById(entry.id));
        apply(waiting);
        waiting = null;
        button.remove();
        const shown = first && document.getElementById(first.id);
        if (shown) {
          shown.tabIndex = -1;
          shown.focus();
        }
      });
      updates.append(button);
    }
    button.textContent = label(count);
  }

  async function look() {
    timer = null;
    let fresh;
    try {
      // Asked again of the site (or the CDN) each time: the browser keeps no stale copy.
      const response = await fetch(url, { headers: { Accept: "text/html" }, cache: "no-cache" });
      if (response.status === 404) {
        stopped = true; // withdrawn, or no longer a live story
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      fresh = page.querySelector("[data-live-feed]");
      if (!fresh) throw new Error("no feed");
      delay = interval;
    } catch {
      delay = Math.min(delay * 2, MAX_INTERVAL); // the site is busy or the reader offline
      schedule();
      return;
    }
    const shown = versions(waiting || feed).join(" ");
    if (versions(fresh).join(" ") !== shown || fresh.dataset.liveState !== feed.dataset.liveState) {
      const added = entries(fresh).filter((entry) => !document.getElementById(entry.id)).length;
      if (added) offer(fresh, added);
      else if (!waiting) apply(fresh);
      else waiting = fresh;
    }
    if (fresh.dataset.liveState === "live") schedule();
    else stopped = true;
  }

  function schedule() {
    if (!timer && !stopped && !document.hidden) timer = window.setTimeout(look, delay);
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden && timer) {
      window.clearTimeout(timer);
      timer = null;
    } else if (!document.hidden && !stopped && !timer) {
      timer = window.setTimeout(look, 0);
    }
  });
  schedule();
})();
