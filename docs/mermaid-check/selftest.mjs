// Shows that the semantic checks of check.mjs can fail: each case below must give the faults
// named, or none. Run by scripts/test.sh before the check itself.
import assert from "node:assert/strict";
import { check } from "./check.mjs";

const seconds = "    %% seconds: m0 0 0, g0 10 65, m1 65 65";
// the form the planner and the doc used: dateFormat X, seconds
assert.deepEqual(await check(`gantt\n    dateFormat X\n${seconds}\n    section P\n`
  + "    SIGTERM :milestone, m0, 0, 0\n    grace :g0, 10, 65\n    SIGKILL :milestone, m1, 65, 65"),
["task g0 is drawn from 0.01 s to 65 s, planned 10 s to 65 s",
  "task m1 is drawn from 0.065 s to 65 s, planned 65 s to 65 s"]);
// the fixed form: dateFormat x, milliseconds
assert.deepEqual(await check(`gantt\n    dateFormat x\n${seconds}\n    section P\n`
  + "    SIGTERM :milestone, m0, 0, 0\n    grace :g0, 10000, 65000\n"
  + "    SIGKILL :milestone, m1, 65000, 65000"), []);
// a task missing from the comment, and one the comment names that is not drawn
assert.deepEqual(await check("gantt\n    dateFormat x\n    %% seconds: a 0 1, b 1 2\n"
  + "    section P\n    A :a, 0, 1000\n    C :c, 1000, 2000"),
["task c (1 s to 2 s) is not in %% seconds", "no task b in the gantt"]);
assert.deepEqual(await check("gantt\n    dateFormat x\n    section P\n    A :a, 0, 1000"),
  ["gantt without a `%% seconds: id start end, ...` comment to check it by"]);
// a message to a participant after it was destroyed
assert.deepEqual(await check("sequenceDiagram\n  participant L\n  participant A\n"
  + "  L->>A: request\n  destroy A\n  L-xA: shutdown\n  A-->>L: last response"),
["A is destroyed but later \"last response\" involves it"]);
assert.deepEqual(await check("sequenceDiagram\n  participant L\n  participant A\n"
  + "  L->>A: request\n  A-->>L: response\n  destroy A\n  L-xA: shutdown"), []);
console.log("mermaid check self-test: 6 cases passed");
