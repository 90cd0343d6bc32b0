// The chat page of `phraselint serve`: every message is checked (POST v1/check) before it goes out. A message
// with a forbidden phrase (服务忌语) is held back with the words marked, the reasons shown and the polite
// version (规范用语) one click away. The visitor's side of the conversation can be typed too (not checked: the
// check is for staff). An ES module on the repository's JavaScript client (client.js); no build step.

import { check, proposals, segments, ServiceError } from "./client.js";

// UI labels in the script of the message being checked (the violations' `script` field).
const LABELS = {
  simplified: {
    title: "服务对话",
    subtitle: "发送前自动检查服务忌语，并给出规范用语。",
    conversation: "对话记录",
    empty: "还没有消息。群众一方先提问，或直接输入回复后按发送。",
    visitorSide: "群众一方（演示）",
    visitorPlaceholder: "以群众身份提问，回车发送",
    visitorSend: "群众发送",
    visitor: "群众",
    held: "消息未发送：含有服务忌语",
    heldHint: "标出的词语不宜对群众说。可改用规范用语，或自行修改后再发送。",
    suggestion: "建议",
    willSend: "将改为（可选其他说法）：",
    useRewrite: "改用规范用语",
    keepEditing: "自行修改",
    noRewrite: "这句话没有现成的规范说法，请参考说明自行修改。",
    send: "发送",
    placeholder: "输入回复，回车发送，Shift+回车换行",
    messageBox: "回复内容",
    checking: "正在检查…",
    unavailable: "检查服务暂时无法连接，消息未发送，请稍后再试。",
    tooLong: "消息太长，请分几条发送。",
    failed: "检查没有完成，消息未发送。",
    sent: "已发送",
  },
  traditional: {
    title: "服務對話",
    subtitle: "發送前自動檢查服務忌語，並給出規範用語。",
    conversation: "對話記錄",
    empty: "還沒有消息。群眾一方先提問，或直接輸入回覆後按發送。",
    visitorSide: "群眾一方（演示）",
    visitorPlaceholder: "以群眾身份提問，回車發送",
    visitorSend: "群眾發送",
    visitor: "群眾",
    held: "消息未發送：含有服務忌語",
    heldHint: "標出的詞語不宜對群眾說。可改用規範用語，或自行修改後再發送。",
    suggestion: "建議",
    willSend: "將改為（可選其他說法）：",
    useRewrite: "改用規範用語",
    keepEditing: "自行修改",
    noRewrite: "這句話沒有現成的規範說法，請參考說明自行修改。",
    send: "發送",
    placeholder: "輸入回覆，回車發送，Shift+回車換行",
    messageBox: "回覆內容",
    checking: "正在檢查…",
    unavailable: "檢查服務暫時無法連接，消息未發送，請稍後再試。",
    tooLong: "消息太長，請分幾條發送。",
    failed: "檢查沒有完成，消息未發送。",
    sent: "已發送",
  },
};
const TRADITIONAL_SCRIPTS = new Set(["traditional", "tw", "hk"]);
const SENTENCE_END = new Set(Array.from("。！？!?."));
const CLAUSE_END = new Set(Array.from("。！？!?.，,；;"));

let labels = LABELS.simplified;

function labelsFor(script) {
  return TRADITIONAL_SCRIPTS.has(script) ? LABELS.traditional : LABELS.simplified;
}

function applyLabels(script) {
  labels = labelsFor(script);
  document.documentElement.lang = labels === LABELS.traditional ? "zh-Hant" : "zh-CN";
  for (const el of document.querySelectorAll("[data-label]")) {
    el.textContent = labels[el.dataset.label];
  }
  for (const el of document.querySelectorAll("[data-placeholder]")) {
    el.placeholder = labels[el.dataset.placeholder];
  }
}

// --- the held message -------------------------------------------------------------------------------

// Offsets from the service count Unicode code points; JavaScript strings count UTF-16 units, so work on
// arrays of code points (an emoji before a marked word would otherwise shift the mark).
function highlighted(text, violations) {
  const fragment = document.createDocumentFragment();
  for (const part of segments(text, violations)) {
    if (part.violation === null) {
      fragment.append(part.text);
      continue;
    }
    const mark = document.createElement("mark");
    mark.className = `severity-${part.violation.severity}`;
    mark.title = part.violation.message;
    mark.textContent = part.text;
    fragment.append(mark);
  }
  return fragment;
}

// The whole-message rewrite when the service has a safe one; else each violation's first suggestion put in
// place of its words (from the end, so earlier offsets stay valid); null when there is nothing to offer.
function proposalsFor(text, result) {
  const clean = proposals(result);
  if (clean.length) {
    return clean;
  }
  const one = proposalFor(text, result);
  return one === null ? [] : [one];
}

function proposalFor(text, result) {
  if (result.rewrite) {
    return result.rewrite;
  }
  const chars = Array.from(text);
  let changed = false;
  const byStartDesc = [...result.violations].sort((a, b) => b.start - a.start);
  for (const v of byStartDesc) {
    if (!v.suggestions.length) {
      continue;
    }
    const replacement = Array.from(v.suggestions[0]);
    let end = v.end;
    if (SENTENCE_END.has(replacement[replacement.length - 1]) && CLAUSE_END.has(chars[end])) {
      end += 1; // the suggestion brings its own sentence end
    }
    chars.splice(v.start, end - v.start, ...replacement);
    changed = true;
  }
  return changed ? chars.join("") : null;
}

function reasonItem(v) {
  const item = document.createElement("li");
  const words = document.createElement("q");
  words.textContent = v.text;
  const message = document.createElement("span");
  message.className = "reason-message";
  message.textContent = v.message;
  item.append(words, " ", message);
  if (v.suggestions.length) {
    const suggestion = document.createElement("span");
    suggestion.className = "reason-suggestion";
    suggestion.textContent = `${labels.suggestion}：${v.suggestions[0]}`;
    item.append(suggestion);
  }
  return item;
}

// --- the page ---------------------------------------------------------------------------------------

function setUp() {
  const form = document.getElementById("composer");
  const box = document.getElementById("message");
  const send = document.getElementById("send");
  const status = document.getElementById("status");
  const conversation = document.getElementById("conversation");
  const empty = document.getElementById("empty");
  const held = document.getElementById("held");
  const heldText = document.getElementById("held-text");
  const heldReasons = document.getElementById("held-reasons");
  const heldNote = document.getElementById("held-note");
  const useRewrite = document.getElementById("use-rewrite");
  const proposals = document.getElementById("proposals");
  const proposalsTitle = document.getElementById("proposals-title");
  const keepEditing = document.getElementById("keep-editing");
  let proposal = null;

  function say(text) {
    status.textContent = text;
  }

  function hideHeld() {
    held.hidden = true;
    proposal = null;
  }

  function deliver(text, side = "mine") {
    const item = document.createElement("li");
    item.className = `message ${side}`;
    const body = document.createElement("p");
    body.textContent = text;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = side === "mine" ? labels.sent : labels.visitor;
    item.append(body, meta);
    conversation.append(item);
    empty.hidden = true;
    item.scrollIntoView({ block: "end" });
  }

  function hold(text, result) {
    applyLabels(result.violations[0].script);
    heldText.replaceChildren(highlighted(text, result.violations));
    heldReasons.replaceChildren(...result.violations.map(reasonItem));
    // The exact texts the button can put in the box: the first is chosen; the staff member may pick another.
    const options = proposalsFor(text, result);
    proposal = options.length ? options[0] : null;
    proposals.replaceChildren(
      ...options.map((option, k) => {
        const item = document.createElement("li");
        const label = document.createElement("label");
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "proposal";
        radio.value = String(k);
        radio.checked = k === 0;
        radio.addEventListener("change", () => {
          proposal = option;
        });
        const body = document.createElement("span");
        body.className = "proposal-text";
        body.textContent = option;
        label.append(radio, body);
        item.append(label);
        return item;
      }),
    );
    proposalsTitle.textContent = labels.willSend;
    proposalsTitle.hidden = proposals.hidden = options.length === 0;
    useRewrite.hidden = proposal === null;
    heldNote.hidden = proposal !== null;
    held.hidden = false;
  }

  async function submit(event) {
    event.preventDefault();
    const text = box.value;
    if (!text.trim() || send.disabled) {
      return;
    }
    send.disabled = true;
    say(labels.checking);
    try {
      const result = await check(text);
      if (result.ok) {
        hideHeld();
        deliver(text);
        box.value = "";
      } else {
        hold(text, result);
      }
      say("");
    } catch (error) {
      // Fail closed: without a check, nothing goes out.
      if (error instanceof ServiceError) {
        say(error.status === 413 ? labels.tooLong : labels.failed);
      } else {
        say(labels.unavailable);
      }
    } finally {
      send.disabled = false;
      box.focus();
    }
  }

  form.addEventListener("submit", submit);
  const visitorForm = document.getElementById("visitor-composer");
  const visitorBox = document.getElementById("visitor-message");
  visitorForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (visitorBox.value.trim()) {
      deliver(visitorBox.value, "theirs");
      visitorBox.value = "";
    }
    box.focus();
  });
  box.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter breaks the line; never while an input method is composing a word.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  useRewrite.addEventListener("click", () => {
    if (proposal !== null) {
      box.value = proposal;
    }
    hideHeld();
    box.focus();
  });
  keepEditing.addEventListener("click", () => {
    hideHeld();
    box.focus();
  });
  box.focus();
}

document.addEventListener("DOMContentLoaded", setUp);
