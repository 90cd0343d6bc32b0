// Runs on every http(s) page at document_start and does nothing unless the page's origin is enabled in the
// options; then it loads the pre-send guard (presend.js, an ES module) into this isolated world.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  let started = false;

  async function startIfEnabled() {
    if (started) return;
    const { origins = [] } = await api.storage.local.get("origins");
    if (!origins.includes(location.origin)) return;
    started = true;
    const presend = await import(api.runtime.getURL("presend.js"));
    presend.start();
  }

  api.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes.origins) startIfEnabled();
  });
  startIfEnabled();
})();
