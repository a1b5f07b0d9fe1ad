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

  // The fresh feed applied to the page: its key points and its stream, entry by entry (those
  // shown stay where they are, replaced only if edited; those gone are removed), and its state.
  // New entries are inserted only with ``withNew`` (the reader pressed the button); the fresh
  // feed is left whole, so that it can be applied again.
  function apply(fresh, withNew) {
    const known = new Set(entries(feed).map((entry) => entry.id));
    const freshKeyPoints = fresh.querySelector("[data-live-key-points]");
    let keyPoints = feed.querySelector("[data-live-key-points]");
    const stream = feed.querySelector("[data-live-stream]");
    if (freshKeyPoints && !keyPoints) {
      keyPoints = freshKeyPoints.cloneNode(false);
      keyPoints.append(freshKeyPoints.querySelector(":scope > h3").cloneNode(true));
      stream.before(keyPoints);
    }
    if (keyPoints) {
      sync(keyPoints, freshKeyPoints, known, withNew);
      if (!entries(keyPoints).length) keyPoints.remove();
    }
    sync(stream, fresh.querySelector("[data-live-stream]"), known, withNew);
    for (const other of stream.querySelectorAll(":scope > :not(article)")) other.remove();
    if (!entries(stream).length && !feed.querySelector("[data-live-key-points]")) {
      const empty = fresh.querySelector("[data-live-stream] > :not(article)");
      if (empty) stream.append(empty.cloneNode(true));
    }

    const ended = fresh.querySelector(".live__ended");
    if (ended && !feed.querySelector(".live__ended")) feed.prepend(ended.cloneNode(true));
    feed.dataset.liveState = fresh.dataset.liveState;
    const badge = document.querySelector("[data-live-badge]");
    if (badge && fresh.dataset.liveLabel) {
      badge.textContent = fresh.dataset.liveLabel;
      badge.classList.toggle("live-badge--on", fresh.dataset.liveState === "live");
    }
    document.dispatchEvent(new CustomEvent("newsroom:live-entries"));
  }

  // ``container``'s entries made those of ``freshContainer`` (none if it is null), in its
  // order; an entry moved between the key points and the stream is not new.
  function sync(container, freshContainer, known, withNew) {
    const wanted = freshContainer ? entries(freshContainer) : [];
    const kept = new Set(wanted.map((entry) => entry.id));
    for (const entry of entries(container)) {
      if (!kept.has(entry.id)) entry.remove();
    }
    let previous = null;
    for (const entry of wanted) {
      let shown = container.querySelector(`:scope > #${CSS.escape(entry.id)}`);
      if (shown && shown.dataset.entry !== entry.dataset.entry) {
        const edited = entry.cloneNode(true);
        const focused = shown.contains(document.activeElement);
        shown.replaceWith(edited);
        if (focused) {
          // The reader was on this entry (a keyboard on its link): they stay on it.
          edited.tabIndex = -1;
          edited.focus({ preventScroll: true });
        }
        shown = edited;
      } else if (!shown && (withNew || known.has(entry.id))) {
        const moved = document.getElementById(entry.id);
        if (moved) moved.remove(); // from the key points to the stream, or back
        shown = entry.cloneNode(true);
        if (previous) previous.after(shown);
        else container.prepend(shown);
      }
      if (shown) previous = shown;
    }
  }

  // The button that offers the ``count`` new entries of ``fresh``; none when there are none
  // (those it offered may have been withdrawn meanwhile).
  function offer(fresh, count) {
    waiting = count ? fresh : null;
    let button = updates.querySelector("button");
    if (!count) {
      if (button) button.remove();
      return;
    }
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "live__new";
      button.addEventListener("click", () => {
        const first = entries(waiting).find((entry) => !document.getElementById(entry.id));
        apply(waiting, true);
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
    const text = label(count);
    if (button.textContent !== text) button.textContent = text; // announced once, not each time
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
    const shown = versions(feed).join(" ");
    if (versions(fresh).join(" ") !== shown || fresh.dataset.liveState !== feed.dataset.liveState) {
      apply(fresh, false); // edits, pins and deletions at once, even while new entries wait
    }
    offer(fresh, entries(fresh).filter((entry) => !document.getElementById(entry.id)).length);
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
