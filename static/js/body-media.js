// The body editor's pictures and embeds: django-prose-editor extensions, loaded by its
// "configurable" preset (DJANGO_PROSE_EDITOR_EXTENSIONS in newsroom/settings.py) and configured
// in articles/forms.py, which passes the chooser's address, the patterns of embeddable
// addresses and the French strings.
//
// - Figure: the image button opens the media library's chooser (articles/chooser.py) in a
//   dialog; the picture chosen or uploaded is inserted as
//   <figure data-image="42"><img src="…" alt="…"><figcaption>…</figcaption></figure>,
//   followed by a paragraph where the cursor goes. Enter in a caption leaves it.
// - Embed: a YouTube, Vimeo, Dailymotion, X, Instagram, Bluesky or Mastodon address pasted on
//   a line of its own becomes <figure data-embed="youtube"><a href="…">…</a></figure>; any
//   other address stays a link.
import { Figure as BaseFigure, Node, Plugin, pm } from "django-prose-editor/editor";

// The chooser's dialog ---------------------------------------------------------------------

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function openChooser(editor, options) {
  const strings = options.strings || {};
  const title = element("h2", { id: "image-chooser-title" }, [strings.title || "Image"]);
  const close = element("button", { type: "button", class: "image-chooser-dialog__close", "aria-label": strings.close || "×" }, ["×"]);
  const body = element("div", { class: "image-chooser-dialog__body", "aria-live": "polite" });
  const dialog = element("dialog", { class: "image-chooser-dialog", "aria-labelledby": "image-chooser-title" }, [
    element("div", { class: "image-chooser-dialog__header" }, [title, close]),
    body,
  ]);
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    editor.commands.focus();
  });
  document.body.append(dialog);
  dialog.showModal();

  const choose = (picture) => {
    dialog.close();
    insertPicture(editor, picture);
  };

  async function load(url, focusSearch = true) {
    body.replaceChildren(element("p", {}, [strings.loading || "…"]));
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(response.status);
      body.innerHTML = await response.text();  // the admin's own fragment, escaped by Django
    } catch {
      body.replaceChildren(element("p", { class: "errornote", role: "alert" }, [strings.failed || "Error"]));
      return;
    }
    wire(body, load, choose, strings);
    if (focusSearch) body.querySelector("input[type=search]")?.focus();
  }

  load(options.chooserUrl);
}

function wire(body, load, choose, strings) {
  const tabs = [...body.querySelectorAll("[role=tab]")];
  const select = (tab) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      body.querySelector(`#${other.getAttribute("aria-controls")}`).hidden = !selected;
    }
    tab.focus();
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) {
        event.preventDefault();
        select(tabs[(index + step + tabs.length) % tabs.length]);
      }
    });
  });

  body.querySelector(".image-chooser__search")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    load(`${form.action}?${new URLSearchParams(new FormData(form))}`);
  });
  for (const link of body.querySelectorAll("[data-chooser-page]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      load(link.href);
    });
  }
  for (const button of body.querySelectorAll(".image-chooser__choice")) {
    button.addEventListener("click", () => choose({ ...button.dataset }));
  }
  wireUpload(body.querySelector(".image-chooser__upload"), choose, strings);
}

function wireUpload(form, choose, strings) {
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("[type=submit]");
    const label = submit.textContent;
    submit.disabled = true;
    submit.textContent = strings.uploading || "…";
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch {
      response = null;
    }
    if (response && response.status === 201) {
      choose(await response.json());
      return;
    }
    if (response && response.status === 400) {
      // The form again, with the admin's French errors.
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const refused = holder.querySelector(".image-chooser__upload");
      form.replaceWith(refused);
      wireUpload(refused, choose, strings);
      refused.querySelector(".errors input, .errors textarea")?.focus();
      return;
    }
    submit.disabled = false;
    submit.textContent = label;
    form.prepend(element("p", { class: "errornote", role: "alert" }, [strings.failed || "Error"]));
  });
}

function insertPicture(editor, picture) {
  const figure = {
    type: "figure",
    attrs: { image: String(picture.id) },
    content: [{ type: "image", attrs: { src: picture.src, alt: picture.alt || "" } }],
  };
  if (picture.caption) {
    figure.content.push({ type: "caption", content: [{ type: "text", text: picture.caption }] });
  }
  const { $from } = editor.state.selection;
  const emptyLine = $from.parent.type.name === "paragraph" && $from.parent.content.size === 0;
  const at = emptyLine ? { from: $from.before(), to: $from.after() } : $from.after(1);
  // A paragraph after the figure takes what is typed next: never the caption.
  editor.chain().focus().insertContentAt(at, [figure, { type: "paragraph" }]).scrollIntoView().run();
}

function leaveCaption(editor) {
  const { $from } = editor.state.selection;
  if ($from.parent.type.name !== "caption") return false;
  const after = $from.after($from.depth - 1);
  return editor
    .chain()
    .insertContentAt(after, { type: "paragraph" })
    .setTextSelection(after + 1)
    .scrollIntoView()
    .run();
}

export const Figure = BaseFigure.extend({
  addOptions() {
    return { ...this.parent?.(), chooserUrl: null, strings: {} };
  },

  addAttributes() {
    return {
      ...this.parent?.(),
      image: {
        default: null,
        parseHTML: (node) => node.getAttribute("data-image"),
        renderHTML: (attributes) => (attributes.image ? { "data-image": attributes.image } : {}),
      },
    };
  },

  addKeyboardShortcuts() {
    return { ...this.parent?.(), Enter: ({ editor }) => leaveCaption(editor) };
  },

  addMenuItems({ menu, buttons }) {
    const options = this.options;
    // Replaces the editor's own "figure" button, which asks for an address.
    menu.defineItem({
      name: "figure",
      groups: "nodes",
      button: buttons.material("image", options.strings.button || "Image"),
      command(editor) {
        openChooser(editor, options);
      },
      enabled: () => Boolean(options.chooserUrl),
      active: (editor) => editor.isActive("figure"),
    });
  },
});

// Embeds -------------------------------------------------------------------------------------

function providerOf(text, providers) {
  for (const [name, pattern] of Object.entries(providers)) {
    if (new RegExp(pattern).test(text)) return name;
  }
  return null;
}

export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions: () => ({ providers: {}, labels: {}, strings: {} }),

  addAttributes: () => ({ provider: { default: null }, url: { default: null } }),

  parseHTML() {
    return [
      {
        tag: "figure[data-embed]",
        priority: 60, // before the Figure's rule, which takes any figure
        getAttrs: (node) => {
          const link = node.querySelector("a[href]");
          return link ? { provider: node.getAttribute("data-embed"), url: link.getAttribute("href") } : false;
        },
      },
    ];
  },

  renderHTML({ node }) {
    const { provider, url } = node.attrs;
    return ["figure", { "data-embed": provider }, ["a", { href: url }, url]];
  },

  addNodeView() {
    const { labels, strings } = this.options;
    return ({ node }) => {
      const dom = element("figure", { class: "prose-embed", "data-embed": node.attrs.provider }, [
        element("span", { class: "prose-embed__source" }, [
          `${strings.embed || "Embed"} · ${labels[node.attrs.provider] || node.attrs.provider}`,
        ]),
        element("span", { class: "prose-embed__url" }, [node.attrs.url]),
      ]);
      dom.contentEditable = "false";
      return { dom };
    };
  },

  addProseMirrorPlugins() {
    const { providers } = this.options;
    const type = this.type;
    return [
      new Plugin({
        props: {
          handlePaste(view, event) {
            const text = (event.clipboardData?.getData("text/plain") || "").trim();
            if (!text || /\s/.test(text)) return false;
            const provider = providerOf(text, providers);
            const { $from, empty } = view.state.selection;
            const line = $from.parent;
            // Only an address on a line of its own: in a sentence, it stays a link.
            if (!provider || !empty || line.type.name !== "paragraph" || line.content.size) {
              return false;
            }
            const { schema } = view.state;
            const embed = type.create({ provider, url: text });
            const start = $from.before();
            const tr = view.state.tr.replaceWith(start, $from.after(), [embed, schema.nodes.paragraph.create()]);
            tr.setSelection(pm.state.TextSelection.create(tr.doc, start + embed.nodeSize + 1));
            view.dispatch(tr.scrollIntoView());
            return true;
          },
        },
      }),
    ];
  },
});
