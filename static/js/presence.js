// Who else has this article open: the page says every minute that it is open (and when it is
// closed), and shows the colleagues the server names back.
import { formData, writingSettings } from "./writing.js"

const EVERY = 60_000
const settings = writingSettings()
const notice = document.getElementById("newsroom-presence")

async function beat() {
  try {
    const response = await fetch(settings.presenceUrl, {
      method: "POST",
      credentials: "same-origin",
      body: formData({}),
    })
    if (!response.ok) return // the next beat tries again
    const { others } = await response.json()
    notice.replaceChildren(
      ...others.map((sentence) => Object.assign(document.createElement("p"), { textContent: sentence })),
    )
    notice.hidden = others.length === 0
  } catch {
    // Offline for a moment: the next beat tries again.
  }
}

if (settings?.presenceUrl && notice) {
  beat()
  setInterval(beat, EVERY)
  window.addEventListener("pagehide", () => {
    navigator.sendBeacon(settings.presenceUrl, formData({ leave: "1" }))
  })
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) beat() // back from the browser's page cache
  })
}
