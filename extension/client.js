// phraselint's pre-send check from a web page: an ES module, no dependencies, no build step.
//
//   import { check, rewrite, guard } from "http://127.0.0.1:8765/static/client.js";
//   const result = await check("不知道。");        // the service's answer: {ok, violations, rewrite, alternatives}
//   const text = await rewrite("不知道。");        // the first clean whole-message rewrite (the text itself when clean)
//   guard(textarea, { sendButton, onHold });       // Enter and the send button go through the check first
//
// The contract is the service's /openapi.json. Offsets in `violations` count Unicode code points: work on
// Array.from(text), never on UTF-16 indexes. A copy of this file is extension/client.js (a test keeps them equal).

export class ServiceError extends Error {
  /** The service answered with an error: `status` (400, 413, 415, 500), `field` (null for 404/405/500). */
  constructor(status, error) {
    super(error && error.message ? `${error.field ? `${error.field}: ` : ""}${error.message}` : `HTTP ${status}`);
    this.name = "ServiceError";
    this.status = status;
    this.field = error ? error.field : null;
  }
}

export class Unreachable extends Error {
  /** The service could not be asked at all (stopped, wrong address, timed out). */
  constructor(cause) {
    super(`the check service cannot be reached: ${cause}`);
    this.name = "Unreachable";
  }
}

// A transport sends one request and resolves to {status, body}: the default is fetch; the browser extension
// passes its own, which asks its background worker (the only part allowed to reach the service).
function fetchTransport(base, timeoutMs) {
  return async (method, path, body) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    try {
      response = await fetch(new URL(path, base), {
        method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch (error) {
      throw new Unreachable(error && error.name === "AbortError" ? `no answer in ${timeoutMs} ms` : String(error));
    } finally {
      clearTimeout(timer);
    }
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed };
  };
}

function defaultBase() {
  // Loaded from the service itself (its /static/client.js): that service; else where `phraselint serve` listens.
  const here = new URL(import.meta.url);
  return /^https?:$/.test(here.protocol) && here.pathname.endsWith("/static/client.js")
    ? new URL("../", here).href
    : "http://127.0.0.1:8765/";
}

/**
 * A client of one service. Options: `base` (the service's address, default http://127.0.0.1:8765/),
 * `timeoutMs` (default 5000), `transport(method, path, body) → {status, body}` (instead of fetch).
 */
export function createClient({ base, timeoutMs = 5000, transport } = {}) {
  const send = transport || fetchTransport(base || defaultBase(), timeoutMs);
  async function call(method, path, body) {
    const answer = await send(method, path, body);
    if (answer.status !== 200) {
      throw new ServiceError(answer.status, answer.body && answer.body.error);
    }
    return answer.body;
  }
  return {
    /** The service's verdict on `text` (see CheckResult in /openapi.json). */
    check(text, { speaker, script } = {}) {
      const body = { text };
      if (speaker !== undefined) body.speaker = speaker;
      if (script !== undefined) body.script = script;
      return call("POST", "v1/check", body);
    },
    /** The text to send instead: `text` itself when it is clean, the first clean rewrite, or null. */
    async rewrite(text, options = {}) {
      const result = await this.check(text, options);
      if (!result.violations.length) return text;
      return proposals(result)[0] ?? null;
    },
    health() {
      return call("GET", "healthz");
    },
  };
}

let shared = null;
function sharedClient() {
  shared = shared || createClient();
  return shared;
}

/** check(text) with the default client. */
export function check(text, options) {
  return sharedClient().check(text, options);
}

/** rewrite(text) with the default client. */
export function rewrite(text, options) {
  return sharedClient().rewrite(text, options);
}

/** The exact texts a client may insert for a held message: the service's clean whole-message rewrites. */
export function proposals(result) {
  if (Array.isArray(result.alternatives) && result.alternatives.length) return [...result.alternatives];
  return result.rewrite ? [result.rewrite] : [];
}

/**
 * `text` cut at the violations' spans: [{text, violation}] with `violation` null between them. Spans are in
 * code points; overlapping spans are clipped to the first.
 */
export function segments(text, violations) {
  const chars = Array.from(text);
  const parts = [];
  let pos = 0;
  for (const v of [...violations].sort((a, b) => a.start - b.start)) {
    const start = Math.max(v.start, pos);
    if (v.end <= start) continue;
    if (start > pos) parts.push({ text: chars.slice(pos, start).join(""), violation: null });
    parts.push({ text: chars.slice(start, v.end).join(""), violation: v });
    pos = v.end;
  }
  if (pos < chars.length) parts.push({ text: chars.slice(pos).join(""), violation: null });
  return parts;
}

// --- guarding a message box --------------------------------------------------------------------------

/** A message box's text: a textarea's or input's value, a contenteditable's text as the user sees it. */
export function readBox(box) {
  return "value" in box && typeof box.value === "string" ? box.value : box.innerText.replace(/\n$/, "");
}

/** Put `text` in a message box so that the page's own code sees it as typed (input events included). */
export function writeBox(box, text) {
  box.focus();
  if (box instanceof HTMLTextAreaElement || box instanceof HTMLInputElement) {
    const proto = box instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value").set.call(box, text);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    return;
  }
  const selection = box.ownerDocument.getSelection();
  const range = box.ownerDocument.createRange();
  range.selectNodeContents(box);
  selection.removeAllRanges();
  selection.addRange(range);
  // execCommand keeps the editor's undo stack and its frameworks in step; fall back to plain text.
  if (!box.ownerDocument.execCommand("insertText", false, text) || readBox(box) !== text) {
    box.textContent = text;
    box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertReplacementText", data: text }));
  }
}

function breakLine(box) {
  if (box instanceof HTMLTextAreaElement) {
    box.setRangeText("\n", box.selectionStart, box.selectionEnd, "end");
    box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertLineBreak" }));
  } else if (box.isContentEditable) {
    box.ownerDocument.execCommand("insertLineBreak");
  }
}

function isSendKey(event) {
  // Enter sends, Shift+Enter breaks the line; never while an input method is composing a word.
  return (
    event.key === "Enter" &&
    !event.shiftKey &&
    !event.altKey &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.isComposing &&
    event.keyCode !== 229
  );
}

/** The message box an event happened in: a textarea, or the root of a contenteditable region. */
export function editableRoot(node) {
  let el = node && node.nodeType === 1 ? node : node && node.parentElement;
  if (!el) return null;
  if (el instanceof HTMLTextAreaElement) return el;
  if (!el.isContentEditable) return null;
  while (el.parentElement && el.parentElement.isContentEditable) el = el.parentElement;
  return el;
}

const BUTTONS = "button, [role=button], input[type=submit], input[type=button]";

/** The send button for `box` on a page that names none: the nearest button around the box (same form, or
 * the closest enclosing block, at most five levels up) whose text or label is not empty. */
export function nearestSendButton(box) {
  if (box.form) {
    const submit = box.form.querySelector("button[type=submit], input[type=submit], button:not([type])");
    if (submit) return submit;
  }
  let scope = box.parentElement;
  for (let level = 0; scope && level < 5; level += 1, scope = scope.parentElement) {
    const buttons = [...scope.querySelectorAll(BUTTONS)].filter((b) => !box.contains(b));
    if (buttons.length) return buttons[buttons.length - 1];
  }
  return null;
}

/**
 * Check every message on `doc` before it leaves: Enter in a message box, a click on its send button and the
 * submit of its form wait for the service. `options`:
 *   client        a createClient(...) (default: the shared one)
 *   boxFor(node)  the message box a key or click belongs to, or null to let it through (default: any
 *                 textarea or contenteditable)
 *   sendButtonFor(box)  its send button (default: nearestSendButton)
 *   failMode      "closed" (default: without a check nothing goes out) or "open" (it goes out, onUnchecked told),
 *                 or a function answering which at each send
 *   onHold(hold)  a violation was found: hold = {box, text, result, proposals, use(text), sendAsIs(), cancel()}
 *   onUnavailable(info)  the check failed: info = {box, text, error, failMode, retry(), sendAsIs()}
 *   onUnchecked(info)    fail-open let a message out unchecked
 *   onSent({box, text, result})   a message was let through after a clean check
 * Returns {detach()}.
 */
export function guardPage(doc, options = {}) {
  const client = options.client || sharedClient();
  const boxFor = options.boxFor || ((node) => editableRoot(node));
  const sendButtonFor = options.sendButtonFor || nearestSendButton;
  // "closed" or "open", or a function answering which (read at each send: settings may change meanwhile).
  const failModeNow = () =>
    (typeof options.failMode === "function" ? options.failMode() : options.failMode) === "open" ? "open" : "closed";
  let passing = false; // re-dispatching a send the check let through
  let busy = null; // the box whose check is in flight

  function release(trigger) {
    passing = true;
    try {
      if (trigger.kind === "key") {
        const init = { key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true, cancelable: true, composed: true };
        // As a browser does: keypress only when keydown was not cancelled (pages that send on either work).
        let taken = !trigger.target.dispatchEvent(new KeyboardEvent("keydown", init));
        if (!taken) {
          taken = !trigger.target.dispatchEvent(new KeyboardEvent("keypress", { ...init, charCode: 13 }));
        }
        trigger.target.dispatchEvent(new KeyboardEvent("keyup", init));
        if (!taken) {
          // The page did not take Enter as its send key: a synthetic key has no default action, so do the
          // browser's, a line break where the caret is.
          breakLine(trigger.box);
        }
      } else if (trigger.kind === "click") {
        trigger.button.click();
      } else if (trigger.form.requestSubmit) {
        trigger.form.requestSubmit();
      } else {
        trigger.form.submit();
      }
    } finally {
      passing = false;
    }
  }

  async function run(box, trigger) {
    const text = readBox(box);
    if (!text.trim()) {
      release(trigger); // an empty box: the page decides what an empty send means
      return;
    }
    busy = box;
    let result;
    try {
      result = await client.check(text);
    } catch (error) {
      busy = null;
      const failMode = failModeNow();
      const info = {
        box,
        text,
        error,
        failMode,
        retry: () => run(box, trigger),
        sendAsIs: () => release(trigger),
      };
      if (failMode === "open") {
        if (options.onUnchecked) options.onUnchecked(info);
        release(trigger);
      } else if (options.onUnavailable) {
        options.onUnavailable(info);
      }
      return;
    } finally {
      busy = null;
    }
    if (result.ok) {
      if (options.onSent) options.onSent({ box, text, result });
      release(trigger);
      return;
    }
    if (options.onHold) {
      options.onHold({
        box,
        text,
        result,
        proposals: proposals(result),
        use: (chosen) => writeBox(box, chosen),
        sendAsIs: () => release(trigger),
        cancel: () => box.focus(),
      });
    }
  }

  function intercept(event, box, trigger) {
    event.preventDefault();
    event.stopImmediatePropagation();
    if (busy !== box) run(box, trigger);
  }

  function onKey(event) {
    if (passing || !isSendKey(event)) return;
    const box = boxFor(event.target);
    if (box) intercept(event, box, { kind: "key", target: event.target, box });
  }

  function onClick(event) {
    if (passing || !(event.target instanceof Element)) return;
    const button = event.target.closest(BUTTONS);
    if (!button) return;
    const box = lastBox && lastBox.isConnected ? lastBox : null;
    if (box && boxFor(box) === box && sendButtonFor(box) === button) {
      intercept(event, box, { kind: "click", button });
    }
  }

  function onSubmit(event) {
    if (passing) return;
    const form = event.target;
    const box = lastBox && lastBox.isConnected && form.contains(lastBox) ? lastBox : null;
    if (box && boxFor(box) === box) intercept(event, box, { kind: "submit", form });
  }

  let lastBox = null;
  function onFocus(event) {
    const box = boxFor(event.target);
    if (box) lastBox = box;
  }

  const win = doc.defaultView;
  // Capture on the window: before any listener of the page, which sits on the box, the form or the document.
  win.addEventListener("keydown", onKey, true);
  win.addEventListener("click", onClick, true);
  win.addEventListener("submit", onSubmit, true);
  win.addEventListener("focusin", onFocus, true);
  if (doc.activeElement) onFocus({ target: doc.activeElement });
  return {
    detach() {
      win.removeEventListener("keydown", onKey, true);
      win.removeEventListener("click", onClick, true);
      win.removeEventListener("submit", onSubmit, true);
      win.removeEventListener("focusin", onFocus, true);
    },
  };
}

/**
 * Check every message from one box before it leaves (see guardPage for the options; `sendButton` names its
 * send button, else the nearest one is taken).
 */
export function guard(element, options = {}) {
  const box = editableRoot(element) || element;
  return guardPage(element.ownerDocument, {
    ...options,
    boxFor: (node) => (node && (node === box || box.contains(node)) ? box : null),
    sendButtonFor: () => options.sendButton || nearestSendButton(box),
  });
}
