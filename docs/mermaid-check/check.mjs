// Parses every ```mermaid block in the repository's Markdown files and prints file:line and
// mermaid's message for each one that does not parse. Without arguments: every *.md outside
// node_modules, hidden and target directories (the demo's and the lab's reports in demo-out and
// lab-out included, when present); with --generated: every *.md the build wrote under a target
// directory (the reports of RollingDemoIT and ChainLabIT); or the files given.
import { JSDOM } from "jsdom";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const root = new URL("../..", import.meta.url).pathname;
function markdown(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    return statSync(path).isDirectory() ? markdown(path) : name.endsWith(".md") ? [path] : [];
  });
}
const args = process.argv.slice(2);
const generated = args.includes("--generated");
const inTarget = (path) => relative(root, path).split(sep).includes("target");
const files = generated
  ? markdown(root).filter(inTarget)
  : args.length > 0 ? args : markdown(root).filter((path) => !inTarget(path));

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
console.log(`mermaid: ${blocks - failures} passed, ${failures} failed in ${files.length} file(s)`);
// the docs always hold diagrams; a build that ran no end-to-end test wrote no report
process.exit(failures === 0 && (blocks > 0 || generated) ? 0 : 1);
