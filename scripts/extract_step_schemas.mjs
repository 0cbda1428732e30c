// Regenerate flask_novu/data/step_schemas.json from the official SDK.
//
// Run on demand only (the JSON is committed). Needs Node >= 18 and `npm ci`
// in a writable copy of shared/novu-reference (it pins @novu/framework 2.13.2):
//
//   cp -r shared/novu-reference /tmp/novu-ref && (cd /tmp/novu-ref && npm ci)
//   cp scripts/extract_step_schemas.mjs /tmp/novu-ref/   # must sit next to node_modules
//   node /tmp/novu-ref/extract_step_schemas.mjs flask_novu/data/step_schemas.json
//
// The script defines one workflow holding a step of every type, with a provider
// override for every provider id the SDK accepts on each channel, runs the SDK's
// own discovery (Client.discover, no network involved) and writes what the SDK
// emits: {"sdkVersion", "outputs": {type: schema}, "results": {type: schema},
// "providers": {type: {providerId: schema}}}.
import { readFileSync, writeFileSync } from 'node:fs';
import { Client, workflow, providerSchemas } from '@novu/framework';

const out = process.argv[2];
if (!out) {
  console.error('usage: node extract_step_schemas.mjs <output.json>');
  process.exit(2);
}

// Step type (as emitted in discover) -> method name on the `step` object.
const CHANNELS = { email: 'email', sms: 'sms', push: 'push', chat: 'chat', in_app: 'inApp', tool: 'tool' };
const ACTIONS = { digest: 'digest', delay: 'delay', throttle: 'throttle', custom: 'custom' };

const noop = async () => ({});
const providersFor = (type) =>
  Object.fromEntries(Object.keys(providerSchemas[type] ?? {}).map((id) => [id, noop]));

const everyStep = workflow('every-step', async ({ step }) => {
  for (const [type, method] of Object.entries(CHANNELS)) {
    await step[method](`s-${type}`, noop, { providers: providersFor(type) });
  }
  for (const [type, method] of Object.entries(ACTIONS)) {
    await step[method](`s-${type}`, noop);
  }
});

const sdkPackage = new URL('./node_modules/@novu/framework/package.json', import.meta.url);
const sdkVersion = JSON.parse(readFileSync(sdkPackage, 'utf8')).version;

// The SDK prints a discovery tree on stdout; keep the output of this script short.
const { log, info } = console;
console.log = console.info = () => {};
const client = new Client({ secretKey: 'sk_extract_only', strictAuthentication: false });
await client.addWorkflows([everyStep]);
const discovered = client.discover();
Object.assign(console, { log, info });
const wf = discovered.workflows.find((w) => w.workflowId === 'every-step');

const result = { sdkVersion, outputs: {}, results: {}, providers: {} };
for (const s of wf.steps) {
  result.outputs[s.type] = s.outputs.schema;
  result.results[s.type] = s.results.schema;
  if (s.type in CHANNELS) {
    result.providers[s.type] = Object.fromEntries(s.providers.map((p) => [p.type, p.outputs.schema]));
  }
}
writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
console.log(`wrote ${out}: ${wf.steps.length} step types, ` +
  Object.entries(result.providers).map(([t, p]) => `${t}=${Object.keys(p).length}`).join(' '));
