// The pre-send guard on an enabled chat console: every message from a textarea or contenteditable box is
// checked before it is sent (Enter, the send button, the form's submit); a held message has its words marked
// in the box, each rule's message shown and the rewrites offered (the exact texts the button inserts). Sending
// as is takes an explicit click, and is logged. The UI lives in a shadow root, apart from the page's styles.

import { createClient, guardPage, segments, Unreachable } from "./client.js";
import { labelsFor } from "./labels.js";
import { api, load } from "./settings.js";

const HOST_ID = "phraselint-presend";

const STYLE = `
:host { all: initial; }
.panel { position: fixed; z-index: 2147483647; box-sizing: border-box; max-width: min(34rem, 96vw);
  background: #fff; color: #1d232b; border: 1px solid #c9372c; border-radius: 8px; padding: 0.8rem 1rem;
  box-shadow: 0 6px 24px rgba(0,0,0,.18); font: 14px/1.5 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
.panel[hidden], .toast[hidden] { display: none; }
h2 { margin: 0 0 .3rem; font-size: 15px; color: #a4262c; }
.hint { margin: 0 0 .5rem; color: #4a5561; }
ul.reasons { margin: 0 0 .5rem; padding-left: 1.2rem; }
ul.reasons q { font-weight: 600; }
.suggestion { display: block; color: #1b6b3a; }
ol.proposals { margin: .2rem 0 .6rem; padding-left: 0; list-style: none; }
ol.proposals label { display: flex; gap: .4rem; align-items: baseline; cursor: pointer; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; }
button { font: inherit; padding: .3rem .8rem; border-radius: 5px; border: 1px solid #98a2ad; background: #f4f6f8; cursor: pointer; }
button.primary { background: #1b6b3a; border-color: #1b6b3a; color: #fff; }
button.override { margin-left: auto; border-color: #c9372c; color: #a4262c; background: #fff; }
.layer { position: fixed; z-index: 2147483646; pointer-events: none; overflow: hidden; color: transparent;
  box-sizing: border-box; border-style: solid; border-color: transparent; white-space: pre-wrap; overflow-wrap: break-word; }
.mark { background: rgba(255, 196, 0, .45); border-bottom: 2px solid #c9372c; color: transparent; }
.box-mark { position: fixed; z-index: 2147483646; pointer-events: none; background: rgba(255, 196, 0, .45);
  border-bottom: 2px solid #c9372c; }
.toast { position: fixed; z-index: 2147483647; right: 1rem; bottom: 1rem; background: #7a4b00; color: #fff;
  padding: .5rem .8rem; border-radius: 6px; font: 14px/1.4 system-ui, sans-serif; }
`;

// --- the shadow root that holds everything drawn on the page --------------------------------------------

let root = null;
function shadow() {
  if (root && root.host.isConnected) return root;
  const host = document.createElement("div");
  host.id = HOST_ID;
  document.documentElement.append(host);
  root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet(); // a constructed sheet: no inline <style> for the page's CSP to refuse
  sheet.replaceSync(STYLE);
  root.adoptedStyleSheets = [sheet];
  return root;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// --- marks in the box ------------------------------------------------------------------------------

let clearMarks = () => {};

// A textarea cannot hold marks: a transparent copy of its text, laid out as it is, lies over it with the
// words marked.
function markTextarea(box, text, violations) {
  const style = getComputedStyle(box);
  const layer = el("div", { className: "layer" });
  for (const name of [
    "font-family", "font-size", "font-weight", "font-style", "letter-spacing", "word-spacing", "line-height",
    "text-indent", "text-align", "tab-size", "direction", "padding-top", "padding-right", "padding-bottom",
    "padding-left", "border-top-width", "border-right-width", "border-bottom-width", "border-left-width",
  ]) {
    layer.style.setProperty(name, style.getPropertyValue(name));
  }
  for (const part of segments(text, violations)) {
    if (part.violation) {
      layer.append(el("span", { className: "mark", title: part.violation.message }, part.text));
      layer.lastChild.dataset.words = part.text;
    } else {
      layer.append(part.text);
    }
  }
  layer.append("\u200b"); // a final line break keeps its height, as in the textarea
  const place = () => {
    const rect = box.getBoundingClientRect();
    Object.assign(layer.style, { left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`, height: `${rect.height}px` });
    layer.scrollTop = box.scrollTop;
  };
  shadow().append(layer);
  place();
  return { place, remove: () => layer.remove() };
}

// A contenteditable box: the violations' spans found in its text nodes, and a mark drawn over each line box of
// each span (the page's DOM is left as it is: its editor owns it).
function markEditable(box, text, violations) {
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const places = []; // for each code point of `text`: [node, UTF-16 offset], or null (a line break of layout)
  const checked = Array.from(text);
  let i = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let offset = 0;
    for (const ch of node.data) {
      while (i < checked.length && checked[i] !== ch && checked[i] === "\n") {
        places.push(null);
        i += 1;
      }
      if (i < checked.length && checked[i] === ch) {
        places.push([node, offset]);
        i += 1;
      }
      offset += ch.length;
    }
  }
  const ranges = [];
  for (const v of violations) {
    const first = places[v.start];
    const last = places[v.end - 1];
    if (!first || !last) continue;
    const range = document.createRange();
    range.setStart(first[0], first[1]);
    range.setEnd(last[0], last[1] + checked[v.end - 1].length);
    ranges.push([range, v]);
  }
  const marks = [];
  const place = () => {
    for (const m of marks) m.remove();
    marks.length = 0;
    for (const [range, v] of ranges) {
      for (const rect of range.getClientRects()) {
        const mark = el("div", { className: "box-mark", title: v.message });
        mark.dataset.words = v.text;
        Object.assign(mark.style, { left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`, height: `${rect.height}px` });
        marks.push(mark);
        shadow().append(mark);
      }
    }
  };
  place();
  return { place, remove: () => marks.forEach((m) => m.remove()) };
}

function mark(box, text, violations) {
  clearMarks();
  const marks = box instanceof HTMLTextAreaElement ? markTextarea(box, text, violations) : markEditable(box, text, violations);
  const follow = () => marks.place();
  window.addEventListener("scroll", follow, true);
  window.addEventListener("resize", follow);
  const stale = () => clearMarks(); // once the text changes, the marks no longer fit it
  box.addEventListener("input", stale, { once: true });
  clearMarks = () => {
    marks.remove();
    window.removeEventListener("scroll", follow, true);
    window.removeEventListener("resize", follow);
    box.removeEventListener("input", stale);
    clearMarks = () => {};
  };
}

// --- the panel -------------------------------------------------------------------------------------

let panel = null;
function showPanel(box, ...children) {
  if (panel) panel.remove();
  panel = el("section", { className: "panel", role: "alertdialog" }, ...children);
  panel.setAttribute("aria-live", "assertive");
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      hidePanel();
      box.focus(); // the message stays held in the box, its marks too, until it is edited or sent
    }
  });
  shadow().append(panel);
  const rect = box.getBoundingClientRect();
  const height = panel.getBoundingClientRect().height;
  const top = rect.top - height - 8 >= 0 ? rect.top - height - 8 : Math.min(rect.bottom + 8, innerHeight - height);
  Object.assign(panel.style, { left: `${Math.max(4, rect.left)}px`, top: `${Math.max(4, top)}px` });
  return panel;
}

function hidePanel() {
  if (panel) panel.remove();
  panel = null;
}

function log(kind, violations = []) {
  return api.runtime.sendMessage({
    type: "log",
    kind,
    rules: violations.map((v) => v.rule),
    words: violations.map((v) => v.text),
  });
}

function onHold(hold) {
  const { box, text, result } = hold;
  const labels = labelsFor(result.violations[0].script);
  mark(box, text, result.violations);
  const reasons = el(
    "ul",
    { className: "reasons" },
    ...result.violations.map((v) =>
      el(
        "li",
        {},
        el("q", {}, v.text),
        " ",
        el("span", { className: "message" }, v.message),
        v.suggestions.length ? el("span", { className: "suggestion" }, `${labels.suggestion}：${v.suggestions[0]}`) : null,
      ),
    ),
  );
  let chosen = hold.proposals[0] ?? null;
  const options = el(
    "ol",
    { className: "proposals" },
    ...hold.proposals.map((option, k) => {
      const radio = el("input", { type: "radio", name: "proposal", value: String(k), checked: k === 0 });
      radio.addEventListener("change", () => {
        chosen = option;
      });
      return el("li", {}, el("label", {}, radio, el("span", { className: "proposal-text" }, option)));
    }),
  );
  const use = el("button", { type: "button", className: "primary use" }, labels.useRewrite);
  const edit = el("button", { type: "button", className: "edit" }, labels.keepEditing);
  const override = el("button", { type: "button", className: "override" }, labels.sendAsIs);
  use.addEventListener("click", () => {
    hidePanel();
    clearMarks();
    hold.use(chosen);
  });
  edit.addEventListener("click", () => {
    hidePanel();
    hold.cancel();
  });
  override.addEventListener("click", async () => {
    hidePanel();
    clearMarks();
    await log("override", result.violations);
    hold.sendAsIs();
  });
  showPanel(
    box,
    el("h2", {}, labels.held),
    el("p", { className: "hint" }, labels.heldHint),
    reasons,
    hold.proposals.length ? el("p", { className: "will-send" }, labels.willSend) : el("p", { className: "no-rewrite" }, labels.noRewrite),
    hold.proposals.length ? options : null,
    el("div", { className: "actions" }, hold.proposals.length ? use : null, edit, override),
  );
  (hold.proposals.length ? use : edit).focus();
}

function onUnavailable(info) {
  const labels = labelsFor(null, info.text);
  const retry = el("button", { type: "button", className: "primary retry" }, labels.retry);
  const edit = el("button", { type: "button", className: "edit" }, labels.keepEditing);
  const override = el("button", { type: "button", className: "override" }, labels.sendAsIs);
  retry.addEventListener("click", () => {
    hidePanel();
    info.retry();
  });
  edit.addEventListener("click", () => {
    hidePanel();
    info.box.focus();
  });
  override.addEventListener("click", async () => {
    hidePanel();
    await log("override-unchecked");
    info.sendAsIs();
  });
  const section = showPanel(info.box, el("h2", { className: "unavailable" }, labels.unavailable), el("div", { className: "actions" }, retry, edit, override));
  section.classList.add("unavailable");
  retry.focus();
}

function onUnchecked(info) {
  const labels = labelsFor(null, info.text);
  log("sent-unchecked");
  const toast = el("div", { className: "toast", role: "status" }, labels.unchecked);
  shadow().append(toast);
  setTimeout(() => toast.remove(), 6000);
}

// --- start ----------------------------------------------------------------------------------------

export async function start() {
  let settings = await load();
  api.storage.onChanged.addListener(async (changes, area) => {
    if (area === "local" && (changes.failMode || changes.service || changes.origins)) settings = await load();
  });
  const client = createClient({
    // The service is reached only through the background worker, which holds the address.
    transport: async (method, path, body) => {
      const answer = await api.runtime.sendMessage({ type: "service", method, path, body });
      if (!answer || answer.unreachable) throw new Unreachable(answer ? answer.unreachable : "no answer");
      return answer;
    },
  });
  guardPage(document, {
    client,
    failMode: () => settings.failMode,
    onHold,
    onUnavailable,
    onUnchecked,
    onSent: () => {
      hidePanel();
      clearMarks();
    },
  });
}
