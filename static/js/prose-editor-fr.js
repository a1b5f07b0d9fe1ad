// The rich-text editor in the newsroom's language, for writing French.
//
// django-prose-editor translates its dialogs through window.gettext (Django's JavaScript
// catalogue, loaded before it), but names its toolbar buttons in English ("bold", "heading 2").
// This extension, the last to add menu items, runs every button's name through the same
// catalogue, and turns the browser's spell checker on for the text, in the page's language.
// The text also gets its field's label as its accessible name.
import { Extension, Plugin } from "django-prose-editor/editor"

const gettext = window.gettext || ((text) => text)
const interpolate = window.interpolate || ((format, values) => format.replace("%s", values[0]))

// The menu's items by name (django-prose-editor's menu.js and link.js): their French label.
// The picture button is ours, named in French already (static/js/body-media.js).
const LABELS = {
  paragraph: () => gettext("Paragraph"),
  bulletList: () => gettext("Bulleted list"),
  orderedList: () => gettext("Numbered list"),
  blockquote: () => gettext("Quotation"),
  horizontalRule: () => gettext("Separator line"),
  bold: () => gettext("Bold"),
  italic: () => gettext("Italic"),
  underline: () => gettext("Underline"),
  strike: () => gettext("Strikethrough"),
  subscript: () => gettext("Subscript"),
  superscript: () => gettext("Superscript"),
  link: () => gettext("Add or edit a link"),
  unlink: () => gettext("Remove the link"),
  "history:undo": () => gettext("Undo"),
  "history:redo": () => gettext("Redo"),
  html: () => gettext("Edit HTML"),
}

function labelFor(name) {
  const heading = /^heading(\d)$/.exec(name)
  if (heading) return interpolate(gettext("Heading, level %s"), [heading[1]])
  return LABELS[name]?.()
}

function relabel(element, label) {
  element.title = label
  element.setAttribute("aria-label", label)
}

export const FrenchInterface = Extension.create({
  name: "frenchInterface",
  // After every other extension: their menu items exist when this one relabels them.
  priority: 1,

  addMenuItems({ _definedItems, buttons }) {
    for (const [name, item] of Object.entries(_definedItems)) {
      const label = labelFor(name)
      if (!label) continue
      if (item.button) relabel(item.button, label)
      if (item.option) item.option.textContent = label
    }
    // The block-type drop-down's "unknown type" button, made after this runs.
    const material = buttons.material
    buttons.material = (icon, title = "") =>
      material(icon, title || (icon === "question_mark" ? gettext("Paragraph style") : ""))
  },

  addProseMirrorPlugins() {
    const lang = document.documentElement.lang || "fr"
    // The text's accessible name is its field's label ("Texte").
    const textarea = this.editor.options.element?.querySelector("textarea")
    const label = textarea?.id && document.querySelector(`label[for="${textarea.id}"]`)
    const name = label?.textContent.replace(/\s*:\s*$/, "").trim()
    const attributes = { spellcheck: "true", lang, ...(name ? { "aria-label": name } : {}) }
    return [new Plugin({ props: { attributes } })]
  },
})
