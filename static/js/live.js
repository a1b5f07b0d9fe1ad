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
  // Whether ``entry`` comes after ``other`` in the stream (older: by time, then by number).
  const older = (entry, other) =>
    entry.dataset.at < other.dataset.at ||
    (entry.dataset.at === other.dataset.at &&
      Number(entry.id.replace(/\D/g, "")) < Number(other.id.replace(/\D/g, "")));

  function label(count) {
    const text = count === 1 ? script.dataset.liveOne : script.dataset.liveMany;
    return text.replace("{count}", String(count));
  }

  // The fresh feed applied to the page: its key points and its stream, entry by entry (those
  // shown stay where they are, updated only if edited; those gone are removed), its links to
  // older pages and its state. New entries are inserted only with ``withNew`` (the reader
  // pressed the button); the fresh feed is left whole, so that it can be applied again. A
  // fresh feed that holds only the newest entries (``data-live-partial``) says nothing of
  // the older ones the page shows: they stay.
  function apply(fresh, withNew) {
    const known = new Set(entries(feed).map((entry) => entry.id));
    const freshKeyPoints = fresh.querySelector("[data-live-key-points]");
    let keyPoints = feed.querySelector("[data-live-key-points]");
    const stream = feed.querySelector("[data-live-stream]");
    let changed = false;
    if (freshKeyPoints && !keyPoints) {
      keyPoints = freshKeyPoints.cloneNode(false);
      keyPoints.append(freshKeyPoints.querySelector(":scope > h3").cloneNode(true));
      stream.before(keyPoints);
    }
    const everywhere = new Set(entries(fresh).map((entry) => entry.id));
    if (keyPoints) changed = sync(keyPoints, freshKeyPoints, known, everywhere, withNew);
    const freshStream = fresh.querySelector("[data-live-stream]");
    const partial = fresh.hasAttribute("data-live-partial");
    changed = sync(stream, freshStream, known, everywhere, withNew, partial) || changed;
    if (keyPoints && !entries(keyPoints).length) keyPoints.remove();
    for (const other of stream.querySelectorAll(":scope > :not(article)")) other.remove();
    if (!entries(stream).length && !feed.querySelector("[data-live-key-points]")) {
      const empty = fresh.querySelector("[data-live-stream] > :not(article)");
      if (empty) stream.append(empty.cloneNode(true));
    }
    const pages = feed.querySelector(":scope > [data-live-pages]");
    const freshPages = fresh.querySelector(":scope > [data-live-pages]");
    if (pages && (!freshPages || pages.outerHTML !== freshPages.outerHTML)) pages.remove();
    if (freshPages && !feed.querySelector(":scope > [data-live-pages]")) {
      feed.append(freshPages.cloneNode(true));
    }

    const ended = fresh.querySelector(".live__ended");
    if (ended && !feed.querySelector(".live__ended")) feed.prepend(ended.cloneNode(true));
    feed.dataset.liveState = fresh.dataset.liveState;
    const badge = document.querySelector("[data-live-badge]");
    if (badge && fresh.dataset.liveLabel) {
      badge.textContent = fresh.dataset.liveLabel;
      badge.classList.toggle("live-badge--on", fresh.dataset.liveState === "live");
    }
    if (changed) document.dispatchEvent(new CustomEvent("newsroom:live-entries"));
  }

  // ``shown`` made the edited ``entry``, in place: its node stays, and so does its body when
  // that is unchanged (``data-body``): a video playing in it goes on playing.
  function update(shown, entry) {
    for (const { name } of Array.from(shown.attributes)) {
      if (!entry.hasAttribute(name) && name !== "tabindex") shown.removeAttribute(name);
    }
    for (const { name, value } of Array.from(entry.attributes)) shown.setAttribute(name, value);
    const focused = shown.contains(document.activeElement);
    const body = shown.querySelector(":scope > .live-entry__body");
    const freshBody = entry.querySelector(":scope > .live-entry__body");
    const kept = body && freshBody && body.dataset.body === freshBody.dataset.body ? body : null;
    for (const child of Array.from(shown.children)) if (child !== kept) child.remove();
    let previous = null;
    for (const child of entry.children) {
      const part = child === freshBody && kept ? kept : child.cloneNode(true);
      if (part !== kept) {
        if (previous) previous.after(part);
        else shown.prepend(part);
      }
      previous = part;
    }
    if (focused && !shown.contains(document.activeElement)) {
      // The reader was on this entry (a keyboard on its link): they stay on it.
      shown.tabIndex = -1;
      shown.focus({ preventScroll: true });
    }
  }

  // ``container``'s entries made those of ``freshContainer`` (none if it is null), in its
  // order; an entry moved between the key points and the stream is not new, nor is one older
  // than the newest shown in the stream. Whether anything changed.
  function sync(container, freshContainer, known, everywhere, withNew, partial = false) {
    const wanted = freshContainer ? entries(freshContainer) : [];
    const kept = new Set(wanted.map((entry) => entry.id));
    const oldest = partial && wanted.length ? wanted[wanted.length - 1] : null;
    let changed = false;
    for (const entry of entries(container)) {
      // One still in the fresh feed is moving to the other container: it is moved there.
      if (!kept.has(entry.id) && !everywhere.has(entry.id) && !(oldest && older(entry, oldest))) {
        entry.remove();
        changed = true;
      }
    }
    // In the stream, one older than the newest shown is no news: a deletion brought it into
    // the fresh feed, which holds the newest entries only.
    const newest = container.hasAttribute("data-live-stream") && entries(container)[0];
    const backfill = (entry) => Boolean(newest) && older(entry, newest);
    let previous = null;
    for (const entry of wanted) {
      let shown = container.querySelector(`:scope > #${CSS.escape(entry.id)}`);
      if (shown && shown.dataset.entry !== entry.dataset.entry) {
        update(shown, entry);
        place(container, shown, previous); // its time may have changed
        changed = true;
      } else if (!shown && (withNew || known.has(entry.id) || backfill(entry))) {
        // From the key points to the stream, or back: the same node, moved.
        shown = document.getElementById(entry.id);
        if (!shown) shown = entry.cloneNode(true);
        else if (shown.dataset.entry !== entry.dataset.entry) update(shown, entry);
        place(container, shown, previous);
        changed = true;
      }
      if (shown) previous = shown;
    }
    return changed;
  }

  // ``shown`` right after ``previous``, or, without one, before the first entry of
  // ``container`` (after the heading of the key points). Left where it is if it is there: a
  // video playing in it would start again.
  function place(container, shown, previous) {
    if (previous) {
      if (previous.nextElementSibling !== shown) previous.after(shown);
      return;
    }
    const first = container.querySelector(":scope > article[data-entry]");
    if (!first) container.append(shown);
    else if (first !== shown) first.before(shown);
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
