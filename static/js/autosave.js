// Nothing lost: the title, lead and body are saved every 30 seconds, and when the page is left,
// as the user's private copy of the article (articles/autosave.py), offered back when they
// reopen it; leaving with unsaved changes asks first.
import { form, formData, gettext, statusLine, writingSettings } from "./writing.js"

const EVERY = 30_000
const settings = writingSettings()
const FIELDS = ["title", "lead", "body"]
let editor = null
let unsaved = false // anything changed in the form since it was loaded or saved
let notAutosaved = false // the title, lead or body changed since the last autosave
let submitting = false

function values() {
  return Object.fromEntries(FIELDS.map((name) => [name, form.elements[name].value]))
}

async function call(url, options = {}) {
  try {
    const response = await fetch(url, { credentials: "same-origin", ...options })
    const answer = await response.json()
    return { ok: response.ok, answer }
  } catch {
    return { ok: false, answer: { error: gettext("The server could not be reached.") } }
  }
}

async function autosave() {
  if (!notAutosaved || submitting) return
  notAutosaved = false
  const { ok, answer } = await call(settings.autosaveUrl, {
    method: "POST",
    body: formData(values()),
  })
  if (!ok) notAutosaved = true // tried again next time
  statusLine("autosave").textContent = ok
    ? answer.message
    : `${answer.error} ${gettext("Your text is still on this page.")}`
}

function saveOnLeaving() {
  if (notAutosaved && !submitting) {
    // A beacon outlives the page; beyond its size limit the last autosave stands.
    notAutosaved = !navigator.sendBeacon(settings.autosaveUrl, formData(values()))
  }
}

function setupRestoreBanner() {
  const banner = document.getElementById("newsroom-restore")
  if (!banner) return
  const say = (text) => {
    banner.querySelector("p").textContent = text
    banner.querySelector(".newsroom-notice__actions").remove()
  }
  banner.querySelector("[data-autosave-restore]").addEventListener("click", async () => {
    const { ok, answer } = await call(settings.autosaveUrl, {
      headers: { Accept: "application/json" },
    })
    if (!ok) return say(answer.error)
    form.elements.title.value = answer.title
    form.elements.lead.value = answer.lead
    if (editor) editor.commands.setContent(answer.body, { emitUpdate: true })
    else form.elements.body.value = answer.body
    for (const name of ["title", "lead"]) {
      form.elements[name].dispatchEvent(new Event("change", { bubbles: true }))
    }
    unsaved = true
    say(gettext("The autosaved text is back: check it, then save the article."))
  })
  banner.querySelector("[data-autosave-discard]").addEventListener("click", async () => {
    const { ok, answer } = await call(settings.discardUrl, {
      method: "POST",
      body: formData({}),
    })
    if (!ok) return say(answer.error)
    banner.remove()
  })
}

if (settings && form) {
  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea === form.elements.body) editor = event.detail.editor
  })
  form.addEventListener("input", (event) => {
    unsaved = true
    if (FIELDS.includes(event.target.name)) notAutosaved = true
  })
  form.addEventListener("change", () => {
    unsaved = true
  })
  form.addEventListener("submit", () => {
    submitting = true
  })
  window.addEventListener("beforeunload", (event) => {
    if (unsaved && !submitting) event.preventDefault()
  })
  window.addEventListener("pagehide", saveOnLeaving)
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnLeaving()
  })
  setInterval(autosave, EVERY)
  setupRestoreBanner()
}
