// The extension's settings, in storage.local: where the service is, what to do when it cannot be reached,
// on which sites (origins) to check messages, and the log of messages sent without a clean check.

export const api = globalThis.browser ?? globalThis.chrome;

export const DEFAULTS = Object.freeze({
  service: "http://127.0.0.1:8765/",
  failMode: "closed", // closed: without a check nothing goes out; open: it goes out unchecked, and is logged
  origins: [],
});

export const LOG_SIZE = 500; // the newest entries of the override log are kept

// Message text may go only to a phraselint service on this machine.
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The service address as stored (a normalised http URL ending in /), or an error saying why not. */
export function serviceAddress(text) {
  let url;
  try {
    url = new URL(String(text).trim());
  } catch {
    return { error: "not an address: write it as http://127.0.0.1:8765/" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { error: `${url.protocol} is not http` };
  }
  if (!LOOPBACK.has(url.hostname)) {
    return { error: `${url.hostname} is not this machine: message text goes only to a local service (127.0.0.1, localhost)` };
  }
  if (url.username || url.password || url.search || url.hash) {
    return { error: "no user, query or fragment in the address" };
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return { address: url.href };
}

/** An origin as stored (scheme://host[:port]), or an error. */
export function siteOrigin(text) {
  let url;
  try {
    url = new URL(String(text).trim());
  } catch {
    return { error: "not an address: write it as https://chat.example.org" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { error: `${url.protocol} pages cannot be checked` };
  }
  return { origin: url.origin };
}

export async function load() {
  const stored = await api.storage.local.get(["service", "failMode", "origins"]);
  return { ...DEFAULTS, ...stored };
}
