// The kill -9 check of docs/BATCH.md with the official `openai` package (not run by CI):
//   node batch-kill.mjs start 5000      -> prints the batch id (a 5,000-line chat batch on app "chat")
//   node batch-kill.mjs status <id>     -> status and request_counts
//   node batch-kill.mjs check <id>      -> output lines and distinct custom_ids
// with SLUICE_URL=http://localhost:<bridge port>/v1; kill -9 the dev stack between start and check.
import OpenAI, { toFile } from "openai";
const client = new OpenAI({ baseURL: process.env.SLUICE_URL, apiKey: "unused" });
const mode = process.argv[2];
const n = Number(process.argv[3] ?? 2000);
if (mode === "start") {
  const jsonl = Array.from({ length: n }, (_, i) => JSON.stringify({custom_id: `req-${i}`, method: "POST", url: "/v1/chat/completions", body: {model: "chat", messages: [{role: "user", content: `hello ${i}`}], max_tokens: 8}})).join("\n") + "\n";
  const f = await client.files.create({ file: await toFile(Buffer.from(jsonl), "big.jsonl"), purpose: "batch" });
  const b = await client.batches.create({ input_file_id: f.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
  console.log(b.id);
} else if (mode === "status") {
  const b = await client.batches.retrieve(process.argv[3]);
  console.log(b.status, JSON.stringify(b.request_counts), b.output_file_id ?? "");
} else if (mode === "check") {
  const b = await client.batches.retrieve(process.argv[3]);
  const out = (await (await client.files.content(b.output_file_id)).text()).trim().split("\n").map(JSON.parse);
  const ids = new Set(out.map((r) => r.custom_id));
  console.log(b.status, JSON.stringify(b.request_counts), "lines", out.length, "distinct custom_ids", ids.size, "error_file", b.error_file_id);
}
