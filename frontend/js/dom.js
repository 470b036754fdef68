// Tiny helpers for building the page from data. Text always goes in as text, never as HTML.

/** h("button", {class: "primary", onclick: fn}, "Save") → an element. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "value") element.value = value;
    else if (name === "checked") element.checked = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Replace everything inside `element` with `children`. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let ids = 0;
/** A unique id for tying labels to fields. */
const uid = (prefix = "f") => `${prefix}-${++ids}`;

/** A labelled field: <label> + input/textarea/select, with an optional hint. */
export function field(label, control, hint) {
  const id = control.id || (control.id = uid());
  const hintNode = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), hintNode, control);
}

/** A message region that screen readers announce when it changes. */
export function alertBox() {
  return h("div", { class: "alert", role: "alert", hidden: true });
}

export function say(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" });
const timeFormat = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });

export function formatDate(value) {
  if (!value) return "";
  const date = new Date(value.length === 10 ? `${value}T12:00:00` : value);
  return dateFormat.format(date);
}

export function formatDateTime(value) {
  const date = new Date(value);
  return `${dateFormat.format(date)}, ${timeFormat.format(date)}`;
}

export const newId = () => crypto.randomUUID();

/** A count with its word: "1 change", "3 changes" (`many` when the plural is not an added s). */
export const counted = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Save `blob` on the device as a file called `fileName`. */
export function saveFile(blob, fileName) {
  const link = h("a", { href: URL.createObjectURL(blob), download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
}
