// The benchmark workflows of benchmarks/apps.py, defined with the official
// @novu/framework SDK (Express adapter) -- the baseline of benchmarks/load.py.
//
// ESM resolves packages next to this file, so run it from a folder whose
// node_modules holds the pinned SDK (load.py does this with a temporary
// folder and a node_modules symlink):
//
//   cp -r shared/novu-reference /tmp/novu-ref && (cd /tmp/novu-ref && npm ci)
//   cp benchmarks/sdk_server.mjs /tmp/novu-ref/ && PORT=4301 node /tmp/novu-ref/sdk_server.mjs
//
// Loopback only; strictAuthentication off (as the Flask bridge in load.py).
import express from 'express';
import { serve } from '@novu/framework/express';
import { workflow, Client } from '@novu/framework';

const PORT = Number(process.env.PORT || 4301);

const sixSteps = workflow(
  'bench-six-steps',
  async ({ step, payload }) => {
    await step.inApp(
      'inbox',
      async (controls) => ({
        subject: controls.subject,
        body: controls.body,
        avatar: 'https://example.com/avatar.png',
        primaryAction: { label: 'Open', redirect: { url: '/orders' } },
        data: { plan: payload.plan },
      }),
      {
        controlSchema: {
          type: 'object',
          properties: {
            subject: { type: 'string', default: 'Order {{payload.orderId}} received' },
            body: { type: 'string', default: 'Hi {{subscriber.firstName}}, you are on the {{payload.plan}} plan.' },
          },
          additionalProperties: false,
        },
      }
    );
    const waited = await step.delay(
      'wait',
      async (controls) => ({ type: 'regular', amount: controls.amount, unit: controls.unit }),
      {
        controlSchema: {
          type: 'object',
          properties: {
            amount: { type: 'number', default: 5 },
            unit: { type: 'string', enum: ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months'], default: 'minutes' },
          },
          additionalProperties: false,
        },
      }
    );
    const digest = await step.digest(
      'collect',
      async (controls) => ({ amount: controls.amount, unit: controls.unit }),
      {
        controlSchema: {
          type: 'object',
          properties: {
            amount: { type: 'number', default: 1 },
            unit: { type: 'string', enum: ['minutes', 'hours', 'days'], default: 'hours' },
          },
          additionalProperties: false,
        },
      }
    );
    await step.sms(
      'sms-reminder',
      async (controls) => ({ body: `${controls.body} (waited ${waited.duration} ms)` }),
      {
        controlSchema: {
          type: 'object',
          properties: {
            body: { type: 'string', default: 'Order {{payload.orderId}} for {{subscriber.firstName}} is on its way' },
          },
          additionalProperties: false,
        },
      }
    );
    const summary = await step.custom(
      'compute',
      async () => ({
        count: digest.events.length,
        first: digest.events.length ? digest.events[0].id : null,
        plan: payload.plan,
      }),
      {
        outputSchema: {
          type: 'object',
          properties: {
            count: { type: 'number' },
            first: { type: ['string', 'null'] },
            plan: { type: 'string' },
          },
          required: ['count', 'plan'],
          additionalProperties: false,
        },
      }
    );
    await step.email(
      'email-summary',
      async (controls) => ({
        subject: controls.subject,
        body:
          `<h1>${controls.heading}</h1>` +
          `<p onclick="steal()">You have ${summary.count} new events on the ${summary.plan} plan.</p>` +
          '<ul>' +
          payload.items.map((item) => `<li><b>${item}</b></li>`).join('') +
          '</ul>' +
          '<a href="https://example.com/orders" target="_blank">Orders</a>' +
          '<img src="https://example.com/x.png" onerror="bad()">' +
          '<script>alert(1)</script>',
      }),
      {
        controlSchema: {
          type: 'object',
          properties: {
            subject: { type: 'string', default: 'Your {{payload.plan}} summary, {{payload.userName | upcase}}' },
            heading: { type: 'string', default: 'Hello {{subscriber.firstName}}' },
            sendEmail: { type: 'boolean', default: true },
          },
          additionalProperties: false,
        },
        skip: (controls) => controls.sendEmail === false,
      }
    );
  },
  {
    name: 'Benchmark: six steps',
    description: 'in-app, delay, digest, sms, custom, email',
    tags: ['bench'],
    payloadSchema: {
      type: 'object',
      properties: {
        userName: { type: 'string' },
        plan: { type: 'string', enum: ['free', 'pro'], default: 'free' },
        orderId: { type: 'string' },
        items: { type: 'array', items: { type: 'string' }, default: [] },
      },
      required: ['userName', 'orderId'],
      additionalProperties: false,
    },
  }
);

const welcome = workflow(
  'bench-welcome',
  async ({ step, payload }) => {
    await step.inApp(
      'in-app-welcome',
      async (controls) => ({ subject: controls.subject, body: controls.body }),
      {
        controlSchema: {
          type: 'object',
          properties: {
            subject: { type: 'string', default: 'Welcome {{payload.userName}}' },
            body: { type: 'string', default: 'You are on the {{payload.plan}} plan.' },
          },
          additionalProperties: false,
        },
      }
    );
    await step.email(
      'email-welcome',
      async (controls) => ({
        subject: controls.subject,
        body: `<h1>Hello</h1><p>Welcome ${payload.userName}</p><script>alert(1)</script>`,
      }),
      {
        controlSchema: {
          type: 'object',
          properties: { subject: { type: 'string', default: 'Welcome aboard, {{payload.userName}}!' } },
          additionalProperties: false,
        },
      }
    );
  },
  {
    payloadSchema: {
      type: 'object',
      properties: {
        userName: { type: 'string' },
        plan: { type: 'string', enum: ['free', 'pro'], default: 'free' },
      },
      required: ['userName'],
      additionalProperties: false,
    },
  }
);

const smsOnly = workflow(
  'bench-sms',
  async ({ step, payload }) => {
    await step.sms('sms-code', async () => ({ body: `Your code is ${payload.code}` }));
  },
  {
    payloadSchema: {
      type: 'object',
      properties: { code: { type: 'string' } },
      required: ['code'],
      additionalProperties: false,
    },
  }
);

const app = express();
app.use(express.json({ limit: '32mb' }));
app.use(
  '/api/novu',
  serve({
    workflows: [sixSteps, welcome, smsOnly],
    client: new Client({ strictAuthentication: false, secretKey: 'sk_bench', apiUrl: 'http://127.0.0.1:4399' }),
  })
);

app.listen(PORT, '127.0.0.1', () => {
  console.log(`novu sdk bench bridge on http://127.0.0.1:${PORT}/api/novu`);
});
