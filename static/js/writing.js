// What the article form's writing aids share: their settings, written by the change form
// (templates/admin/articles/article/change_form.html), the form's fields, and the status line
// under the body.

export const gettext = window.gettext || ((text) => text)
export const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many))
export const interpolate =
  window.interpolate || ((format, values) => format.replace(/%\((\w+)\)s/g, (_, k) => values[k]))

export function writingSettings() {
  const element = document.getElementById("newsroom-writing")
  return element ? { ...element.dataset } : null
}

export const form = document.getElementById("article_form")

// Form data for the admin's views: the page's CSRF token and ``values``.
export function formData(values) {
  const data = new FormData()
  data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value)
  for (const [name, value] of Object.entries(values)) data.append(name, value)
  return data
}

// The line under the body: the word count, then what the autosave says.
export function statusLine(part) {
  let line = document.getElementById("newsroom-writing-status")
  if (!line) {
    line = document.createElement("p")
    line.id = "newsroom-writing-status"
    line.className = "newsroom-writing-status"
    for (const name of ["words", "autosave"]) {
      const span = document.createElement("span")
      span.dataset.part = name
      span.setAttribute("aria-live", "polite")
      line.append(span)
    }
    form.elements.body.closest(".form-row > div").append(line)
  }
  return line.querySelector(`[data-part="${part}"]`)
}
