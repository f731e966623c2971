// The rest of OpenAI's surface through the official Node SDK against a running dev stack
// (not run by CI): bridge/sdk-check/run.sh openai-surface.mjs
import OpenAI from 'openai';
const baseURL = process.env.SLUICE_URL ?? 'http://localhost:8080/v1';
const base = baseURL.replace(/\/v1\/?$/, '');
const client = new OpenAI({ baseURL, apiKey: process.env.SLUICE_API_KEY ?? 'unused-in-dev', maxRetries: 0 });
const out = (k, v) => console.log(k.padEnd(28), typeof v === 'string' ? v : JSON.stringify(v));

// 1. completions with a list of prompts and n = 2
const c = await client.completions.create({ model: 'chat', prompt: ['red green', 'blue sky'], n: 2, max_tokens: 3 });
out('completions choices', c.choices.map(x => [x.index, x.text]));
out('completions usage', c.usage);

// 2. chat with n = 3 and pass-through parameters
const raw = await client.chat.completions.create({
  model: 'chat', messages: [{ role: 'user', content: 'one two three' }], n: 3, max_tokens: 3,
  frequency_penalty: 0.5, presence_penalty: 0.1, seed: 7, logprobs: true, top_logprobs: 1,
}).withResponse();
const chat = raw.data;
out('chat choices', chat.choices.map(x => [x.index, x.message.content]));
out('chat logprobs[0] tokens', chat.choices[0].logprobs?.content?.map(t => t.token));
out('headers variant/deployment', [raw.response.headers.get('sluice-variant'), raw.response.headers.get('sluice-deployment')]);

// 3. tools with tool_choice required
const t = await client.chat.completions.create({
  model: 'chat', messages: [{ role: 'user', content: 'weather?' }],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
  tool_choice: 'required',
});
out('tool call', [t.choices[0].finish_reason, t.choices[0].message.content, t.choices[0].message.tool_calls?.[0]?.function?.name]);

// 4. an unsupported parameter is a 400 naming it
try {
  await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }], audio: { voice: 'alloy', format: 'mp3' } });
  out('audio', 'ACCEPTED (wrong)');
} catch (e) { out('audio rejected', [e.status, e.param, e.message]); }
try {
  await client.completions.create({ model: 'chat', prompt: 'x', suffix: 'y' });
  out('suffix', 'ACCEPTED (wrong)');
} catch (e) { out('suffix rejected', [e.status, e.param]); }

// 5. embeddings (the SDK asks base64 by default and decodes it)
const emb = await client.embeddings.create({ model: 'embed', input: ['red fox', 'blue'], dimensions: 8 });
const norm = v => Math.sqrt(v.reduce((a, x) => a + x * x, 0)).toFixed(5);
out('embeddings', [emb.object, emb.data.length, emb.data[0].embedding.length, norm(emb.data[0].embedding), emb.usage]);
const f = await client.embeddings.create({ model: 'embed', input: 'red fox', dimensions: 8, encoding_format: 'float' });
out('same text, float == base64', f.data[0].embedding.every((x, i) => Math.abs(x - emb.data[0].embedding[i]) < 1e-6));

// 6. Prefer: respond-async on an OpenAI route, then the stored result
const r = await fetch(base + '/v1/chat/completions', {
  method: 'POST', headers: { 'Content-Type': 'application/json', Prefer: 'respond-async' },
  body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'later please' }], max_tokens: 2 }),
});
const loc = r.headers.get('location');
out('async', [r.status, loc]);
const g = await fetch(base + loc, { headers: { Prefer: 'wait=20' } });
const body = await g.json();
out('stored result', [g.status, body.object, body.id === loc.split('/').pop(), body.choices?.[0]?.message?.content, g.headers.get('sluice-deployment')]);
