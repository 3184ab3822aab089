// Parses every ```mermaid block in the given Markdown files (default: README.md and docs/**.md)
// and prints file:line and mermaid's message for each one that does not parse.
import { JSDOM } from "jsdom";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const root = new URL("../..", import.meta.url).pathname;
function markdown(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "target" || name.startsWith(".")) return [];
    return statSync(path).isDirectory() ? markdown(path) : name.endsWith(".md") ? [path] : [];
  });
}
const files = process.argv.length > 2 ? process.argv.slice(2) : [join(root, "README.md"), ...markdown(join(root, "docs"))];

let blocks = 0;
let failures = 0;
for (const file of files) {
  const lines = readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```mermaid") continue;
    const start = i + 1;
    const body = [];
    while (++i < lines.length && lines[i].trim() !== "```") body.push(lines[i]);
    blocks++;
    try {
      await mermaid.parse(body.join("\n"));
    } catch (e) {
      failures++;
      console.error(`${relative(root, file)}:${start}: ${String(e.message ?? e).split("\n")[0]}`);
    }
  }
}
console.log(`mermaid: ${blocks - failures} passed, ${failures} failed`);
process.exit(failures === 0 && blocks > 0 ? 0 : 1);
