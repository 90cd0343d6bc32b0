// The service's contract as a page, from its own /openapi.json: no CDN, no framework, no build step.

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function refName(ref) {
  return ref.split("/").pop();
}

function schemaLink(ref) {
  return el("a", { href: `#schema-${refName(ref)}` }, refName(ref));
}

// A schema's type in a few words: a link for a reference, `array of X`, `A | B`, an enum's values.
function typeOf(schema) {
  if (!schema) {
    return el("span", {}, "any");
  }
  if (schema.$ref) {
    return schemaLink(schema.$ref);
  }
  if (schema.anyOf) {
    const span = el("span");
    schema.anyOf.forEach((s, k) => span.append(...(k ? [" | "] : []), typeOf(s)));
    return span;
  }
  if ("const" in schema) {
    return el("code", {}, JSON.stringify(schema.const));
  }
  if (schema.enum) {
    return el("span", {}, "one of ", el("code", {}, schema.enum.map((v) => JSON.stringify(v)).join(", ")));
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types[0] === "array") {
    return el("span", {}, "array of ", typeOf(schema.items));
  }
  const limits = [];
  for (const key of ["minLength", "maxLength", "minimum", "maxItems"]) {
    if (key in schema) {
      limits.push(`${key} ${schema[key]}`);
    }
  }
  return el("span", {}, types.join(" | "), limits.length ? ` (${limits.join(", ")})` : "");
}

function propertiesTable(schema) {
  const required = new Set(schema.required || []);
  const table = el("table", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "type"), el("th", {}, "meaning")));
  for (const [name, prop] of Object.entries(schema.properties || {})) {
    table.append(
      el(
        "tr",
        {},
        el("td", {}, el("code", {}, name), required.has(name) ? el("span", { className: "required" }, " required") : null),
        el("td", {}, typeOf(prop)),
        el("td", {}, prop.description || ""),
      ),
    );
  }
  return table;
}

function operation(path, method, op, responses) {
  const box = el(
    "article",
    { className: "operation", id: `op-${op.operationId}` },
    el("h3", {}, el("span", { className: `method method-${method}` }, method), " ", el("span", { className: "path" }, path)),
    el("p", {}, op.summary || ""),
  );
  const body = op.requestBody?.content?.["application/json"]?.schema;
  if (body) {
    box.append(el("p", {}, "Body (application/json): ", typeOf(body)));
  }
  const list = el("ul");
  for (const [status, answer] of Object.entries(op.responses)) {
    const resolved = answer.$ref ? responses[refName(answer.$ref)] : answer;
    const schema = resolved.content?.["application/json"]?.schema;
    list.append(el("li", {}, el("span", { className: "status" }, status), " ", resolved.description, schema ? " → " : "", schema ? typeOf(schema) : null));
  }
  box.append(list);
  return box;
}

async function render() {
  const response = await fetch("openapi.json");
  const spec = await response.json();
  document.title = `${spec.info.title} ${spec.info.version} · API`;
  document.getElementById("title").textContent = `${spec.info.title} ${spec.info.version}`;
  document.getElementById("summary").textContent = spec.info.summary || "";
  document.getElementById("description").textContent = spec.info.description || "";
  const operations = document.getElementById("operations");
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations.append(operation(path, method, op, spec.components.responses));
    }
  }
  const schemas = document.getElementById("schemas");
  for (const [name, schema] of Object.entries(spec.components.schemas)) {
    const box = el("article", { className: "schema", id: `schema-${name}` }, el("h3", {}, name));
    if (schema.description) {
      box.append(el("p", {}, schema.description));
    }
    box.append(schema.properties ? propertiesTable(schema) : el("p", {}, typeOf(schema)));
    schemas.append(box);
  }
}

render();
