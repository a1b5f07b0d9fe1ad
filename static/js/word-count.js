// The body's word count and reading time, live under the editor, counted as the server counts
// them (Article.save: tags separate words, an entity is one letter).
import { form, interpolate, ngettext, statusLine, writingSettings } from "./writing.js"

const settings = writingSettings()
const body = form?.elements.body

function countWords(html) {
  const text = new DOMParser().parseFromString(html.replace(/<[^>]+>/g, " "), "text/html")
  return text.documentElement.textContent.split(/\s+/).filter(Boolean).length
}

function show() {
  const words = countWords(body.value)
  const minutes = Math.max(1, Math.ceil(words / Number(settings.wordsPerMinute)))
  const language = document.documentElement.lang || "fr"
  statusLine("words").textContent = [
    interpolate(ngettext("%(count)s word", "%(count)s words", words), {
      count: words.toLocaleString(language),
    }, true),
    interpolate(ngettext("%(minutes)s minute read", "%(minutes)s minutes read", minutes), {
      minutes,
    }, true),
  ].join(" · ")
}

if (settings && body) {
  show()
  body.addEventListener("input", show)
}
