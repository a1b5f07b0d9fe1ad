// One view of the story, told to the site (audience/views.py): no cookie set, nothing sent
// to anyone else. A prerendered page counts only once the reader is shown it; a reload, or a
// return to the story with the browser's back and forward buttons, is the same view again.
(() => {
  const url = document.currentScript && document.currentScript.dataset.beacon;
  if (!url || !navigator.sendBeacon) {
    return;
  }
  const [navigation] = performance.getEntriesByType("navigation");
  if (navigation && (navigation.type === "reload" || navigation.type === "back_forward")) {
    return;
  }
  const send = () => navigator.sendBeacon(url);
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
