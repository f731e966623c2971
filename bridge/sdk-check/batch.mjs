// Checks the bridge's Batch API with the official `openai` npm package (not run by CI).
//
//   bridge/sdk-check/run.sh batch.mjs        (SLUICE_URL, SLUICE_APP=<an app of the dev stack>)
//
// Uploads a 20-line chat batch, creates the batch, polls it to `completed`, downloads the output
// and checks one line per custom_id; then a file with broken lines must end `failed` with line
// numbers, and batches.list must paginate.
import OpenAI, { toFile } from "openai";

const baseURL = process.env.SLUICE_URL ?? "http://localhost:8080/v1";
const model = process.env.SLUICE_APP ?? "chat";
const client = new OpenAI({ baseURL, apiKey: process.env.SLUICE_API_KEY ?? "unused" });

function line(customId, content, m = model, url = "/v1/chat/completions") {
  return JSON.stringify({
    custom_id: customId,
    method: "POST",
    url,
    body: { model: m, messages: [{ role: "user", content }], max_tokens: 16 },
  });
}

async function waitFor(id, statuses) {
  for (let i = 0; i < 600; i++) {
    const b = await client.batches.retrieve(id);
    if (statuses.includes(b.status)) return b;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`batch ${id} did not reach ${statuses}`);
}

function check(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}

const n = 20;
const jsonl = Array.from({ length: n }, (_, i) => line(`req-${i}`, `hello ${i}`)).join("\n") + "\n";
const file = await client.files.create({
  file: await toFile(Buffer.from(jsonl), "in.jsonl"),
  purpose: "batch",
});
check(file.id.startsWith("file-") && file.purpose === "batch", `files.create -> ${file.id}`);

const batch = await client.batches.create({
  input_file_id: file.id,
  endpoint: "/v1/chat/completions",
  completion_window: "24h",
  metadata: { check: "sdk" },
});
check(batch.status === "validating", `batches.create -> ${batch.id} validating`);
const done = await waitFor(batch.id, ["completed", "failed", "expired", "cancelled"]);
check(done.status === "completed", `batch completed (${JSON.stringify(done.request_counts)})`);
const out = await (await client.files.content(done.output_file_id)).text();
const rows = out.trim().split("\n").map((l) => JSON.parse(l));
check(rows.length === n, `output has ${n} lines`);
check(new Set(rows.map((r) => r.custom_id)).size === n, "one line per custom_id");
check(rows.every((r) => r.response.status_code === 200), "every line 200");

const bad = [line("a", "x"), "{not json", line("a", "y"), line("b", "z", model, "/v1/completions")].join("\n");
const badFile = await client.files.create({
  file: await toFile(Buffer.from(bad), "bad.jsonl"),
  purpose: "batch",
});
const badBatch = await client.batches.create({
  input_file_id: badFile.id,
  endpoint: "/v1/chat/completions",
  completion_window: "24h",
});
const failed = await waitFor(badBatch.id, ["failed", "completed"]);
check(failed.status === "failed", "broken file fails in validation");
console.log(failed.errors.data.map((e) => `  line ${e.line}: ${e.code} ${e.message}`).join("\n"));
check(
  JSON.stringify(failed.errors.data.map((e) => e.line)) === JSON.stringify([2, 3, 4]),
  "errors name lines 2, 3, 4",
);

const page = await client.batches.list({ limit: 1 });
check(page.data.length === 1 && page.hasNextPage(), "batches.list pages by 1");
const next = await page.getNextPage();
check(next.data.length === 1 && next.data[0].id !== page.data[0].id, "the next page is another batch");
console.log("all checks passed");
