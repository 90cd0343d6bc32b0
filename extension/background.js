// The only part of the extension that talks to the service: content scripts ask it by message. It sends only
// to the configured address, which must be on this machine (settings.serviceAddress), and only the service's
// two calls; it answers only pages whose origin is enabled. It keeps the override log.

import { api, load, LOG_SIZE, serviceAddress } from "./settings.js";

const CALLS = new Set(["POST v1/check", "GET healthz"]);
const TIMEOUT_MS = 5000;

async function callService(settings, { method, path, body }) {
  if (!CALLS.has(`${method} ${path}`)) {
    return { status: 0, unreachable: `not a call of the service: ${method} ${path}` };
  }
  const { address, error } = serviceAddress(settings.service);
  if (error) {
    return { status: 0, unreachable: `service address: ${error}` };
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(new URL(path, address), {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      credentials: "omit",
      cache: "no-store",
    });
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    return { status: 0, unreachable: error.name === "AbortError" ? `no answer in ${TIMEOUT_MS} ms` : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function appendLog(entry) {
  const { log = [] } = await api.storage.local.get("log");
  log.push(entry);
  await api.storage.local.set({ log: log.slice(-LOG_SIZE) });
  return { logged: true };
}

function senderOrigin(sender) {
  try {
    return sender.origin || new URL(sender.url).origin;
  } catch {
    return null;
  }
}

async function handle(message, sender) {
  const settings = await load();
  const origin = senderOrigin(sender);
  if (!origin || !settings.origins.includes(origin)) {
    return { status: 0, unreachable: `${origin} is not enabled` };
  }
  if (message.type === "service") {
    return callService(settings, message);
  }
  if (message.type === "log") {
    const { kind, rules = [], words = [] } = message;
    return appendLog({ at: new Date().toISOString(), origin, kind, rules, words });
  }
  return { status: 0, unreachable: `unknown request ${message.type}` };
}

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== api.runtime.id || !message || typeof message.type !== "string") {
    return false;
  }
  handle(message, sender).then(sendResponse, (error) => sendResponse({ status: 0, unreachable: String(error) }));
  return true; // the answer comes asynchronously
});

// The toolbar button opens the options page (where sites are enabled).
api.action.onClicked.addListener(() => api.runtime.openOptionsPage());
