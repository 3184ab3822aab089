// Parses every ```mermaid block in the repository's Markdown files with mermaid's own parser
// and prints file:line and the fault for each one that does not parse or does not say what its
// figures say. Without arguments: every *.md outside node_modules, hidden and target directories
// (the demo's and the lab's reports in demo-out and lab-out included, when present); with
// --generated: every *.md the build wrote under a target directory (the reports of RollingDemoIT
// and ChainLabIT, the planner's gantts of PlanInvariantsTest); or the files given.
//
// Semantic checks, on the diagram mermaid parsed:
// - gantt: the block must carry a `%% seconds: id start end, ...` comment (written by whatever
//   produced the figures: the planner, the demo's report, or by hand beside the figures in a
//   doc); every task is read back from mermaid's gantt database and its start and end, in
//   seconds from the epoch, must equal the comment's, and every task must be listed. (With
//   `dateFormat X` mermaid 11 reads a start as milliseconds and an end as seconds: this is how
//   that shows.)
// - sequenceDiagram: no message or note may involve a participant after its `destroy`.
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

/** The faults of a parsed gantt against its `%% seconds:` comment; empty when it agrees. */
export function ganttFaults(text, tasks) {
  const line = text.split("\n").map((l) => l.trim()).find((l) => l.startsWith("%% seconds:"));
  if (!line) return ["gantt without a `%% seconds: id start end, ...` comment to check it by"];
  const expected = new Map();
  for (const item of line.slice("%% seconds:".length).split(",")) {
    const [id, start, end] = item.trim().split(/\s+/);
    expected.set(id, [Number(start), Number(end)]);
  }
  const faults = [];
  const seen = new Set();
  for (const task of tasks) {
    seen.add(task.id);
    const want = expected.get(task.id);
    const got = [task.startTime.getTime() / 1000, task.endTime.getTime() / 1000];
    if (!want) faults.push(`task ${task.id} (${got[0]} s to ${got[1]} s) is not in %% seconds`);
    else if (got[0] !== want[0] || got[1] !== want[1]) {
      faults.push(`task ${task.id} is drawn from ${got[0]} s to ${got[1]} s,`
        + ` planned ${want[0]} s to ${want[1]} s`);
    }
  }
  for (const id of expected.keys()) if (!seen.has(id)) faults.push(`no task ${id} in the gantt`);
  return faults;
}

/** Messages or notes that involve a participant after its `destroy`. */
export function sequenceFaults(db) {
  const faults = [];
  const messages = db.getMessages();
  for (const [actor, index] of db.getDestroyedActors()) {
    // `destroy X` marks the next message as the one that destroys X
    messages.slice(index + 1).forEach((m) => {
      if (m.from === actor || m.to === actor) {
        faults.push(`${actor} is destroyed but later "${m.message}" involves it`);
      }
    });
  }
  return faults;
}

export async function check(text) {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  if (diagram.type === "gantt") return ganttFaults(text, diagram.db.getTasks());
  if (diagram.type === "sequence") return sequenceFaults(diagram.db);
  return [];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const generated = args.includes("--generated");
  const inTarget = (path) => relative(root, path).split(sep).includes("target");
  const files = generated
    ? markdown(root).filter(inTarget)
    : args.length > 0 ? args : markdown(root).filter((path) => !inTarget(path));

  let blocks = 0;
  let gantts = 0;
  let failures = 0;
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== "```mermaid") continue;
      const start = i + 1;
      const body = [];
      while (++i < lines.length && lines[i].trim() !== "```") body.push(lines[i]);
      blocks++;
      let faults;
      try {
        const text = body.join("\n");
        faults = await check(text);
        if (/^\s*gantt\b/m.test(text)) gantts++;
      } catch (e) {
        faults = [String(e.message ?? e).split("\n")[0]];
      }
      if (faults.length > 0) {
        failures++;
        for (const f of faults) console.error(`${relative(root, file)}:${start}: ${f}`);
      }
    }
  }
  console.log(`mermaid: ${blocks - failures} passed (${gantts} gantts read back),`
    + ` ${failures} failed in ${files.length} file(s)`);
  // the docs always hold diagrams; a build that ran no end-to-end test wrote no report
  process.exit(failures === 0 && (blocks > 0 || generated) ? 0 : 1);
}
