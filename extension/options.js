// The options page: the service address (checked to be on this machine), the fail mode, the enabled sites
// and the log of messages sent without a clean check.

import { api, load, serviceAddress, siteOrigin } from "./settings.js";

const KINDS = {
  override: "含忌语，强制发送",
  "override-unchecked": "服务无法连接，强制发送",
  "sent-unchecked": "服务无法连接，照常发送（失败放行）",
};

function say(id, text, error = false) {
  const status = document.getElementById(id);
  status.textContent = text;
  status.classList.toggle("error", error);
}

function drawSites(origins) {
  const list = document.getElementById("sites");
  list.replaceChildren(
    ...origins.map((origin) => {
      const item = document.createElement("li");
      const name = document.createElement("code");
      name.textContent = origin;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "停用";
      remove.addEventListener("click", async () => {
        const settings = await load();
        await api.storage.local.set({ origins: settings.origins.filter((o) => o !== origin) });
        drawSites((await load()).origins);
      });
      item.append(name, remove);
      return item;
    }),
  );
}

async function drawLog() {
  const { log = [] } = await api.storage.local.get("log");
  document.getElementById("log").replaceChildren(
    ...[...log].reverse().map((entry) => {
      const row = document.createElement("tr");
      for (const value of [entry.at, entry.origin, KINDS[entry.kind] || entry.kind, entry.rules.join(", "), entry.words.join("、")]) {
        const cell = document.createElement("td");
        cell.textContent = value;
        row.append(cell);
      }
      return row;
    }),
  );
}

async function setUp() {
  const settings = await load();
  const service = document.getElementById("service");
  service.value = settings.service;
  for (const radio of document.querySelectorAll("input[name=failMode]")) {
    radio.checked = radio.value === settings.failMode;
    radio.addEventListener("change", async () => {
      await api.storage.local.set({ failMode: radio.value });
      say("service-status", radio.value === "closed" ? "服务无法连接时不发送。" : "服务无法连接时照常发送，并记录。");
    });
  }
  document.getElementById("service-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { address, error } = serviceAddress(service.value);
    if (error) {
      say("service-status", `未保存：${error}`, true);
      return;
    }
    await api.storage.local.set({ service: address });
    service.value = address;
    say("service-status", `已保存：${address}`);
  });
  document.getElementById("test-service").addEventListener("click", async () => {
    const { address, error } = serviceAddress(service.value);
    if (error) {
      say("service-status", `未测试：${error}`, true);
      return;
    }
    try {
      const health = await (await fetch(new URL("healthz", address), { cache: "no-store" })).json();
      say("service-status", `已连接：phraselint ${health.version}，${health.rules} 条规则`);
    } catch (failure) {
      say("service-status", `无法连接 ${address}：${failure}`, true);
    }
  });
  document.getElementById("site-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("site");
    const { origin, error } = siteOrigin(input.value);
    if (error) {
      say("site-status", `未启用：${error}`, true);
      return;
    }
    const current = await load();
    if (!current.origins.includes(origin)) {
      await api.storage.local.set({ origins: [...current.origins, origin] });
    }
    input.value = "";
    say("site-status", `已启用：${origin}`);
    drawSites((await load()).origins);
  });
  drawSites(settings.origins);
  drawLog();
  api.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && changes.log) drawLog();
  });
}

setUp();
