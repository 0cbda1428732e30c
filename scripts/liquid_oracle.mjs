// Render step controls with the real @novu/framework (compileControls), one
// JSON case per input line: {"controls": {...}, "payload": {...},
// "subscriber": {...}}.  Writes one JSON line per case:
// {"ok": compiledControls} or {"error": liquidErrorName}.
//
// Usage: NOVU_REFERENCE=<dir with node_modules> TZ=UTC node liquid_oracle.mjs < cases.jsonl
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const root = process.env.NOVU_REFERENCE;
const out = process.stdout;
console.log = () => {};  // the SDK logs discovery on stdout
const entry = path.join(root, 'node_modules/@novu/framework/dist/esm/index.js');
const { Client, workflow } = await import(pathToFileURL(entry).href);

const wf = workflow('liquid-oracle', async ({ step }) => {
  await step.email('render', async () => ({ subject: 's', body: 'b' }));
});
const client = new Client({ secretKey: 'oracle', strictAuthentication: false, verbose: false });
await client.addWorkflows([wf]);

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const input = JSON.parse(line);
  const event = {
    workflowId: 'liquid-oracle', stepId: 'render', payload: input.payload ?? {},
    subscriber: input.subscriber ?? {}, context: {}, state: [], env: {},
  };
  let result;
  try {
    result = { ok: await client.compileControls(input.controls, event) };
  } catch (err) {
    const cause = err && err.data;
    result = { error: (cause && cause.name) || 'Error' };
  }
  out.write(JSON.stringify(result) + '\n');
}
