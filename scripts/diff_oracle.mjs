// Serves generated workflows with the official SDK, for the differential harness.
//
//   node scripts/diff_oracle.mjs SPEC.json
//
// Environment: NOVU_REF_DIR (a copy of the reference bridge where `npm ci` ran; it provides
// @novu/framework and express), PORT (loopback port). SPEC.json is a list of workflow specs
// written by tests/_differential.py; tests/_differential.py builds the same workflows with
// flask_novu. A step spec:
//
//   {"stepId", "type", "controlSchema"?, "outputSchema"?, "outputs": TEMPLATE,
//    "skipIf"?: CONTROL_KEY, "disableOutputSanitization"?: true, "providers"?: {ID: TEMPLATE}}
//
// TEMPLATE is JSON; an object {"$ref": "controls.a.b"} (roots: controls, payload,
// subscriber, steps) is replaced by the value at that path, and an object key whose
// reference is missing is left out. A provider's TEMPLATE has the roots controls, outputs
// (the step's) and payload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const REF = process.env.NOVU_REF_DIR;
const PORT = Number(process.env.PORT);
if (!REF || !PORT || !process.argv[2]) {
  console.error('usage: NOVU_REF_DIR=... PORT=... node diff_oracle.mjs SPEC.json');
  process.exit(2);
}
const load = (rel) => import(pathToFileURL(join(REF, 'node_modules', rel)).href);
const { workflow, Client } = await load('@novu/framework/dist/esm/index.js');
const { serve } = await load('@novu/framework/dist/esm/servers/express.js');
const expressModule = await load('express/index.js');
const express = expressModule.default || expressModule;

const MISSING = Symbol('missing');

function lookup(scope, path) {
  let value = scope;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) {
      return MISSING;
    }
    value = value[part];
  }
  return value;
}

function build(template, scope) {
  if (Array.isArray(template)) return template.map((item) => build(item, scope));
  if (template !== null && typeof template === 'object') {
    if (typeof template.$ref === 'string') {
      const value = lookup(scope, template.$ref);
      return value === MISSING ? undefined : value;
    }
    const out = {};
    for (const [key, item] of Object.entries(template)) {
      const value = build(item, scope);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return template;
}

const STEP_METHODS = {
  email: 'email', in_app: 'inApp', sms: 'sms', push: 'push', chat: 'chat',
  delay: 'delay', digest: 'digest', custom: 'custom',
};

function define(spec) {
  const options = {};
  if (spec.payloadSchema) options.payloadSchema = spec.payloadSchema;
  return workflow(
    spec.workflowId,
    async ({ step, payload, subscriber }) => {
      const steps = {};
      for (const s of spec.steps) {
        const stepOptions = {};
        if (s.controlSchema) stepOptions.controlSchema = s.controlSchema;
        if (s.outputSchema) stepOptions.outputSchema = s.outputSchema;
        if (s.skipIf) stepOptions.skip = (controls) => controls[s.skipIf] === true;
        if (s.disableOutputSanitization) stepOptions.disableOutputSanitization = true;
        if (s.providers) {
          stepOptions.providers = Object.fromEntries(Object.entries(s.providers).map(([id, tpl]) => [
            id, async ({ controls, outputs }) => build(tpl, { controls, outputs, payload })]));
        }
        steps[s.stepId] = await step[STEP_METHODS[s.type]](
          s.stepId,
          async (controls) => build(s.outputs, { controls, payload, subscriber, steps }),
          stepOptions,
        );
      }
    },
    options,
  );
}

const specs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const app = express();
app.use(express.json({ limit: '10mb' }));
app.use('/api/novu', serve({ workflows: specs.map(define), client: new Client({ strictAuthentication: false, secretKey: 'sk_test_differential' }) }));
app.listen(PORT, '127.0.0.1', () => console.log(`diff oracle on 127.0.0.1:${PORT} (${specs.length} workflows)`));
