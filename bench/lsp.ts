/**
 * The editor loop over stdio (`npm run bench` runs this after the core benchmarks): the language
 * server spawned as editors spawn it, a 2,000-line training script opened, then 200
 * single-character edits sent one at a time, each timed from its didChange to the
 * publishDiagnostics of that version. Printed next to the parse-only time of the same file, with
 * the server's start-up time and its memory after opening 200 files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser } from '../server/src/core/parsing';
import { generateCorpus } from './corpus';
import { BIN, fileUri, LspClient, REPO } from '../test/lsp/harness';

/** A realistic 2,000-line training script: the resnet18 fine-tuning sample plus helpers. */
export function trainingScript(targetLines = 2000): string {
  const sample = fs.readFileSync(path.join(REPO, 'samples', 'resnet18_finetune.py'), 'utf8').replace('import argparse\n', 'import argparse\nimport random\n');
  const helper = (k: number): string => `

def augment_${k}(batch, p=0.5, scale=${(k % 7) + 1}.0):
    """Random flips and crops for batch ${k}."""
    out = []
    for item in batch:
        if random.random() < p:
            item = item.flip(-1)
        h, w = item.shape[-2:]
        top = random.randint(0, max(0, h - ${8 + (k % 5)}))
        left = random.randint(0, max(0, w - ${8 + (k % 5)}))
        out.append(item[..., top:top + h, left:left + w] * scale)
    return torch.stack(out)


class RunningMeter${k}:
    def __init__(self, name, fmt=":.4f"):
        self.name = name
        self.fmt = fmt
        self.reset()

    def reset(self):
        self.val = 0.0
        self.avg = 0.0
        self.sum = 0.0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / max(1, self.count)


def accuracy_${k}(output, target, topk=(1, ${1 + (k % 5)})):
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for kk in topk:
            correct_k = correct[:kk].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res
`;
  const lines = sample.split('\n');
  const at = lines.findIndex((l) => l.startsWith('def build_model'));
  let body = '';
  for (let k = 0; lines.length + (body + helper(k)).split('\n').length <= targetLines; k++) body += helper(k);
  return [...lines.slice(0, at), ...body.split('\n'), ...lines.slice(at)].join('\n');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const ms = (v: number): string => `${v.toFixed(2)} ms`;

export async function runLspBench(): Promise<void> {
  process.stdout.write('\n## Language server (stdio)\n\n');
  const text = trainingScript();
  const lineCount = text.split('\n').length;

  // Parse-only time of the same file, in this process (full parse, then one incremental re-parse).
  const parser = await initParser();
  const full: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    parser.parse(text).delete();
    full.push(performance.now() - t0);
  }
  full.sort((a, b) => a - b);

  // Start-up: spawn to initialize answered (the parser is loaded during initialize).
  const t0 = performance.now();
  const client = await LspClient.start({ env: { OPTLINT_PARSER: process.env.OPTLINT_PARSER ?? '' },
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
    command: [process.execPath, ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), BIN, 'lsp', '--stdio'] });
  const startup = performance.now() - t0;
  const status0 = await client.request<{ backend: string; memoryMB: number }>('optlint/status', {});
  try {
    const uri = fileUri(path.join(REPO, 'bench-train.py'));
    const tOpen = performance.now();
    client.open(uri, text);
    await client.diagnosticsFor(uri, 1, 60_000);
    const firstCheck = performance.now() - tOpen;

    // 200 keystrokes, one edit each, typed as a person types: code (and a comment) inside a
    // helper function, through states that do not parse. Twice: as plain single characters, and
    // as VS Code sends them with auto-closing brackets (typing `(` inserts `()`, typing `)` then
    // only moves the cursor), where an open bracket never swallows the rest of the file.
    const typed = '        scale = min(scale, 4.0) * 0.5  # damp the augmentation\n        if scale > 1.0 and random.random() < p / 2:\n            batch = [b.flip(-2) for b in batch]\n        jitter = random.uniform(-0.1, 0.1) * scale\n';
    const startLine = text.split('\n').findIndex((l) => l.startsWith('def augment_3(')) + 2;
    let version = 1;
    const typeRun = async (autoClose: boolean): Promise<number[]> => {
      let line = startLine;
      let col = 0;
      const out: number[] = [];
      const edit = async (change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }, timed: boolean) => {
        const sent = performance.now();
        version = client.change(uri, [change]);
        await client.diagnosticsFor(uri, version, 60_000);
        if (timed) out.push(client.diagnostics.get(uri)!.at - sent);
      };
      const at = () => ({ start: { line, character: col }, end: { line, character: col } });
      // Open an empty line first.
      await edit({ range: at(), text: '\n' }, false);
      const pairs: Record<string, string> = { '(': ')', '[': ']' };
      const pending: string[] = [];
      for (let i = 0; out.length < 200; i++) {
        const ch = typed[i % typed.length];
        if (autoClose && pending.length && ch === pending[pending.length - 1]) {
          pending.pop();
          col++; // typing over the auto-inserted closer: no edit
          continue;
        }
        const text = autoClose && pairs[ch] ? ch + pairs[ch] : ch;
        if (autoClose && pairs[ch]) pending.push(pairs[ch]);
        await edit({ range: at(), text }, true);
        if (ch === '\n') {
          line++;
          col = 0;
        } else col++;
      }
      // Undo what was typed, for the next run.
      const end = { line, character: col };
      version = client.change(uri, [{ range: { start: { line: startLine, character: 0 }, end }, text: '' }]);
      await client.diagnosticsFor(uri, version, 60_000);
      return out.sort((a, b) => a - b);
    };
    const plain = await typeRun(false);
    const latencies = await typeRun(true);
    const status = await client.request<{ parses: { incremental: number; full: number } }>('optlint/status', {});

    // Memory after opening 200 files (training scripts of the benchmark corpus).
    const corpus = generateCorpus(20_000).filter((f) => /torch/.test(f.text));
    const files = Array.from({ length: 200 }, (_, i) => ({ uri: fileUri(path.join(REPO, 'bench-corpus', `f${i}.py`)), text: corpus[i % corpus.length].text + `\n# copy ${i}\n` }));
    const tMany = performance.now();
    for (const f of files) client.open(f.uri, f.text);
    for (const f of files) await client.diagnosticsFor(f.uri, 1, 120_000);
    const openMany = performance.now() - tMany;
    const status200 = await client.request<{ memoryMB: number; documents: number }>('optlint/status', {});

    const rows: Array<[string, string]> = [
      ['file', `${lineCount} lines, ${(text.length / 1024).toFixed(0)} KiB, parser ${status0.backend}`],
      ['parse only (full parse, in-process), p50 / p95', `${ms(percentile(full, 50))} / ${ms(percentile(full, 95))}`],
      ['didChange → publishDiagnostics, 200 keystrokes as VS Code sends them (auto-closed brackets), p50 / p95', `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 95))} (max ${ms(latencies[latencies.length - 1])}; target p95 <= 15 ms)`],
      ['didChange → publishDiagnostics, 200 plain single-character edits (open brackets unbalanced), p50 / p95', `${ms(percentile(plain, 50))} / ${ms(percentile(plain, 95))} (max ${ms(plain[plain.length - 1])})`],
      ['re-parses during the edits (incremental / full)', `${status.parses.incremental} / ${status.parses.full}`],
      ['server start-up (spawn → initialize answered)', ms(startup)],
      ['first check of the file after didOpen', ms(firstCheck)],
      ['memory (RSS) after start-up', `${status0.memoryMB} MB`],
      [`memory (RSS) with ${status200.documents} files open`, `${status200.memoryMB} MB (opening and checking 200 files: ${ms(openMany)})`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  } finally {
    await client.stop();
  }
}
