/**
 * Loads the golden traces recorded by scripts/golden/gen_golden.py and turns each configuration
 * into a simulator request.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Expr } from '../../server/src/core/schedule/pyast';
import { evalModule, evaluate } from '../../server/src/core/schedule/pyeval';
import { PyValue, schedulerRef, tuple } from '../../server/src/core/schedule/pyvalue';
import type { ScheduleRequest, TorchVersion } from '../../server/src/core/schedule/types';

export interface GoldenConfig {
  name: string;
  note?: string;
  optimizer: { className: string; defaultLr: unknown; groups: Record<string, unknown>[] };
  schedulers: { id: string; className: string; args: unknown[]; kwargs: Record<string, unknown> }[];
  steps: number;
  stepped?: string[];
  metrics?: number[];
  trace?: { lr: number[][]; momentum?: number[][] };
  error?: { type: string; message: string; phase: string; step?: number; schedulerId?: string };
}

export interface GoldenFile {
  torch: string;
  configs: GoldenConfig[];
}

/** The repository root (where package.json is), from the compiled test's directory. */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'golden'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('repository root not found');
}

export function loadGolden(file = 'lr-traces-torch1.13.json'): GoldenFile {
  return JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'golden', file), 'utf8')) as GoldenFile;
}

const mathScope = evalModule([{ type: 'Import', module: 'math' }]);

/** Decodes `{"int": "3"}` inside a pyast JSON tree into bigint constants. */
function decodeAst(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(decodeAst);
  if (n && typeof n === 'object') {
    const o = n as Record<string, unknown>;
    if (o.type === 'Constant') return { ...o, value: decodeValue(o.value) };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeAst(v);
    return out;
  }
  return n;
}

/** The generator's JSON encoding of a Python value -> PyValue. */
export function decodeValue(v: unknown): PyValue {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const o = v as Record<string, unknown>;
  if ('int' in o) return BigInt(o.int as string);
  if ('tuple' in o) return tuple((o.tuple as unknown[]).map(decodeValue));
  if ('ref' in o) return schedulerRef(o.ref as string);
  if ('dict' in o) return { kind: 'dict', entries: (o.dict as [unknown, unknown][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]) };
  if ('lambda' in o) return evaluate(decodeAst(o.lambda) as Expr, mathScope);
  throw new Error(`cannot decode ${JSON.stringify(v)}`);
}

export function toRequest(c: GoldenConfig, torch: TorchVersion, libm: 'native' | 'fallback' = 'native'): ScheduleRequest {
  const num = (x: unknown) => decodeValue(x) as number | bigint;
  return {
    optimizer: {
      className: c.optimizer.className,
      defaultLr: num(c.optimizer.defaultLr),
      groups: c.optimizer.groups.map((g) => ({
        lr: num(g.lr),
        ...(g.momentum !== undefined ? { momentum: num(g.momentum) } : {}),
        ...(g.betas !== undefined ? { betas: (decodeValue(g.betas) as { items: (number | bigint)[] }).items as [number, number] } : {}),
      })),
    },
    schedulers: c.schedulers.map((s) => ({
      id: s.id,
      className: s.className,
      args: s.args.map(decodeValue),
      kwargs: Object.fromEntries(Object.entries(s.kwargs).map(([k, v]) => [k, decodeValue(v)])),
    })),
    steps: c.steps,
    torch,
    libm,
    ...(c.stepped ? { stepped: c.stepped } : {}),
    ...(c.metrics ? { metrics: c.metrics } : {}),
  };
}

/** Hex of a double's bits, for mismatch reports. */
export function hex(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return `0x${b.toString('hex')}`;
}

/** First index where two series differ (Object.is on doubles), or -1. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): number {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) return i;
  return got.length === want.length ? -1 : n;
}
