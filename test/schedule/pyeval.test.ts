/**
 * The safe interpreter: Python semantics and refusals. Source goes through the real parser
 * (core/parsing) and from-syntax.ts, so the converter is exercised too.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { initParser, PythonParser } from '../../server/src/core/parsing';
import { bindingsFromSyntax, scopeAt, valueFromSyntax, exprFromSyntax } from '../../server/src/core/schedule/from-syntax';
import { callValue, evalModule, evaluate, MeterExhausted, newContext } from '../../server/src/core/schedule/pyeval';
import { floatRepr, isCallable, PyError, PyValue, pyRepr, Refusal } from '../../server/src/core/schedule/pyvalue';
import { getLibm, loadNativeLibm } from '../../server/src/core/schedule/libm';

const native = !!loadNativeLibm().libm;

let parser: PythonParser;

test.before(async () => {
  parser = await initParser();
});

/** Evaluates the last line's expression after the module's other lines. */
function py(src: string): PyValue {
  const tree = parser.parse(src);
  const root = tree.rootNode;
  const stmts = root.namedChildren;
  const last = stmts[stmts.length - 1];
  const scope = scopeAt(root, last);
  const expr = last.namedChildren[0];
  return evaluate(exprFromSyntax(expr), scope, getLibm());
}

function raises(src: string, type: string, message?: string | RegExp): void {
  assert.throws(
    () => py(src),
    (e: unknown) => {
      assert.ok(e instanceof PyError, `expected ${type}, got ${String(e)}`);
      assert.equal(e.pyType, type);
      if (typeof message === 'string') assert.equal(e.pyMessage, message);
      else if (message) assert.match(e.pyMessage, message);
      return true;
    },
  );
}

function refuses(src: string, why: RegExp): void {
  assert.throws(
    () => py(src),
    (e: unknown) => {
      assert.ok(e instanceof Refusal, `expected a refusal, got ${String(e)}`);
      assert.match(e.reason, why);
      return true;
    },
  );
}

test('floor division and modulo follow Python', () => {
  assert.equal(py('-7 // 2'), -4n);
  assert.equal(py('-7 % 3'), 2n);
  assert.equal(py('7 % -3'), -2n);
  assert.equal(py('-7.5 // 2'), -4.0);
  assert.equal(py('-7.5 % 2'), 0.5);
  assert.ok(Object.is(py('-0.0 % 5.0'), 0));
  assert.ok(Object.is(py('0.0 % -5.0'), -0));
  assert.equal(py('7 / 2'), 3.5);
  assert.equal(typeof py('6 / 2'), 'number', 'true division of ints is a float');
});

test('int ** int is exact big-integer arithmetic', () => {
  assert.equal(py('2 ** 100'), 1267650600228229401496703205376n);
  assert.equal(py('(-3) ** 3'), -27n);
  assert.equal(py('2 ** -1'), 0.5);
  assert.equal(py('10 ** 20 + 1'), 100000000000000000001n);
});

test('float ** follows CPython float_pow and raises its exceptions', () => {
  raises('0.0 ** -1', 'ZeroDivisionError', '0.0 cannot be raised to a negative power');
  raises('0 ** -1', 'ZeroDivisionError', '0.0 cannot be raised to a negative power');
  raises('10.0 ** 400', 'OverflowError', "(34, 'Numerical result out of range')");
  assert.equal(py('1.0 ** 1e308'), 1.0);
  assert.equal(py('(-2.0) ** 3'), -8.0);
  if (native) assert.equal(py('0.1 ** 13'), 1.0000000000000007e-13, 'glibc pow, not V8');
  refuses('(-8.0) ** (1/3)', /complex/);
});

test('max/min keep the first of equal arguments; round is banker\'s', () => {
  const m = py('max(0, -1.0)');
  assert.equal(m, 0n, 'max(0, -1.0) is the int 0');
  assert.equal(py('max(0.0, 0)'), 0.0);
  assert.equal(typeof py('max(0.0, 0)'), 'number');
  assert.equal(py('min(1, 1.0)'), 1n);
  assert.equal(py('max([3, 7, 5])'), 7n);
  assert.equal(py('round(2.5)'), 2n);
  assert.equal(py('round(3.5)'), 4n);
  assert.equal(py('round(-0.5)'), 0n);
  assert.equal(py('round(0.125, 2)'), 0.12);
  assert.equal(py('round(2.675, 2)'), 2.67);
  raises('round(float("inf"))', 'OverflowError', 'cannot convert float infinity to integer');
});

test('ZeroDivisionError messages match CPython 3.11', () => {
  raises('1 / 0', 'ZeroDivisionError', 'division by zero');
  raises('1.0 / 0', 'ZeroDivisionError', 'float division by zero');
  raises('1 // 0', 'ZeroDivisionError', 'integer division or modulo by zero');
  raises('1 % 0', 'ZeroDivisionError', 'integer modulo by zero');
  raises('1.0 % 0.0', 'ZeroDivisionError', 'float modulo');
  raises('1.0 // 0.0', 'ZeroDivisionError', 'float floor division by zero');
});

test('math module: functions, constants, domain errors, 2-arg log', () => {
  assert.equal(py('import math\nmath.pi'), Math.PI);
  assert.equal(py('import math\nmath.floor(-2.5)'), -3n);
  assert.equal(py('import math\nmath.ceil(2.1)'), 3n);
  assert.equal(py('import math\nmath.log(8, 2)'), 3.0);
  if (native) assert.equal(py('import math\nmath.cos(3.7699111843077517)'), -0.8090169943749476, 'glibc cos');
  assert.equal(py('from math import cos, pi as PI\ncos(PI)'), -1);
  raises('import math\nmath.sqrt(-1)', 'ValueError', 'math domain error');
  raises('import math\nmath.log(0)', 'ValueError', 'math domain error');
  raises('import math\nmath.exp(1000)', 'OverflowError', 'math range error');
  raises('import math\nmath.log(1, 1)', 'ZeroDivisionError', 'float division by zero');
  raises('import math\nmath.pow(0.0, -1)', 'ValueError', 'math domain error');
});

test('int/float/bool conversions and comparisons', () => {
  assert.equal(py('int(-2.7)'), -2n);
  assert.equal(py('float(3)'), 3);
  assert.equal(py('True + 1'), 2n);
  assert.equal(py('1 < 2.5 <= 2.5'), true);
  assert.equal(py('1 < 3 < 2'), false);
  assert.equal(py('2 ** 53 + 1 > 2.0 ** 53'), true, 'int/float comparison is exact');
  assert.equal(py('10_000'), 10000n);
  assert.equal(py('1e-3'), 0.001);
  assert.equal(py('3 if 0 else 4'), 4n);
  assert.equal(py('0 or 5'), 5n);
  assert.equal(py('None is None'), true);
  assert.equal(py('2 in [1, 2]'), true);
});

test('functions: def with if/elif/else, locals, constants, closures, defaults, keyword-only', () => {
  const src = `
import math
WARMUP = 100
TOTAL = 1_000

def lr_lambda(step, *, floor=0.1):
    if step < WARMUP:
        return step / WARMUP
    elif step >= TOTAL:
        return floor
    else:
        progress = (step - WARMUP) / (TOTAL - WARMUP)
        return max(floor, 0.5 * (1 + math.cos(math.pi * progress)))

lr_lambda
`;
  const f = py(src);
  assert.ok(isCallable(f));
  const call = (k: bigint) => callValue(f, [k], {}, newContext(getLibm()));
  assert.equal(call(50n), 0.5);
  assert.equal(call(5000n), 0.1);
  assert.equal(call(100n), 1.0);
  const closure = py('def make(k):\n    return lambda e: k * e\nmake(3)');
  assert.ok(isCallable(closure));
  assert.equal(callValue(closure, [2n], {}, newContext()), 6n);
});

test('functools.partial binds keywords like the Hugging Face factories do', () => {
  const src = `
from functools import partial
def f(s, *, w, t):
    if s < w:
        return float(s) / float(max(1, w))
    return max(0.0, float(t - s) / float(max(1, t - w)))
partial(f, w=10, t=110)
`;
  const p = py(src);
  assert.ok(isCallable(p));
  assert.equal(callValue(p, [5n], {}, newContext()), 0.5);
  assert.equal(callValue(p, [60n], {}, newContext()), 0.5);
  assert.equal(callValue(p, [200n], {}, newContext()), 0.0);
});

test('Python errors inside functions: UnboundLocalError, missing arguments', () => {
  const f = py('def g(x):\n    if x > 0:\n        y = 1\n    return y\ng');
  assert.ok(isCallable(f));
  assert.throws(() => callValue(f, [-1n], {}, newContext()), (e: unknown) => e instanceof PyError && e.pyType === 'UnboundLocalError');
  assert.throws(() => callValue(f, [], {}, newContext()), (e: unknown) => e instanceof PyError && /missing 1 required positional argument: 'x'/.test(e.pyMessage));
});

test('refusals: imports, unknown attributes and calls, loops, comprehensions', () => {
  refuses('import numpy as np\nnp.cos(1.0)', /`np` \(module `numpy`\), outside the safe subset/);
  refuses('import torch\ntorch.tensor(1.0)', /module `torch`/);
  refuses('import math\nmath.gamma(3.0)', /`math\.gamma`, outside the safe subset/);
  refuses('cfg.lr', /`cfg` cannot be resolved/);
  refuses('(1.0).real', /attribute access/);
  refuses('open("x")', /`open` cannot be resolved/);
  refuses('[x for x in [1]]', /list comprehension/);
  refuses('{k: 1 for k in "ab"}', /dict comprehension/);
  refuses('f"{1}"', /f-string/);
  refuses('def f(s):\n    while s > 0:\n        s -= 1\n    return s\nf(3)', /`while` loop/);
  refuses('def f(s):\n    for i in range(3):\n        s += i\n    return s\nf(3)', /`for` loop/);
  refuses('def f(*a):\n    return 1\nf(3)', /\*args/);
  refuses('exec("1")', /`exec` cannot be resolved/);
  refuses('eval("1")', /`eval` cannot be resolved/);
  refuses('__import__("os")', /cannot be resolved/);
});

test('refusal: runaway recursion is cut off', () => {
  refuses('def f(n):\n    return f(n + 1)\nf(0)', /recurses too deeply/);
});

test('names assigned conditionally at module level are not guessed', () => {
  refuses('import sys\nif len(sys.argv) > 1:\n    W = 10\nelse:\n    W = 20\nW', /assigned conditionally/);
});

test('valueFromSyntax never throws and resolves scheduler-style arguments', () => {
  const src = 'import math\nT = 10_000\nsched = OneCycleLR(opt, max_lr=[0.1, 0.01], total_steps=T, anneal_strategy="linear", betas=(0.9, 0.99), f=lambda e: 0.95 ** e, bad=cfg.x)\n';
  const root = parser.parse(src).rootNode;
  const call = root.descendantsOfType('call')[0];
  const scope = scopeAt(root, call);
  const kw = Object.fromEntries(
    call
      .childForFieldName('arguments')!
      .namedChildren.filter((a) => a.type === 'keyword_argument')
      .map((a) => [a.childForFieldName('name')!.text, valueFromSyntax(a.childForFieldName('value')!, scope)]),
  );
  assert.equal(pyRepr(kw.max_lr), '[0.1, 0.01]');
  assert.equal(kw.total_steps, 10000n);
  assert.equal(kw.anneal_strategy, 'linear');
  assert.equal(pyRepr(kw.betas), '(0.9, 0.99)');
  assert.ok(isCallable(kw.f));
  assert.deepEqual(kw.bad, { kind: 'unresolved', reason: '`cfg` cannot be resolved statically' });
});

test('scopeAt sees the enclosing function body before the call', () => {
  const src = 'def main(args):\n    warmup = 500\n    total = args.steps\n    sched = LambdaLR(opt, lambda s: min(1.0, s / warmup))\n';
  const root = parser.parse(src).rootNode;
  const lam = root.descendantsOfType('lambda')[0];
  const scope = scopeAt(root, lam);
  const f = valueFromSyntax(lam, scope);
  assert.ok(isCallable(f));
  assert.equal(callValue(f, [250n], {}, newContext()), 0.5);
  const total = scope.vars.get('total');
  assert.equal((total as { kind: string }).kind, 'unresolved');
});

test('float repr follows Python', () => {
  assert.equal(floatRepr(1e-5), '1e-05');
  assert.equal(floatRepr(0.0001), '0.0001');
  assert.equal(floatRepr(10), '10.0');
  assert.equal(floatRepr(1e16), '1e+16');
  assert.equal(floatRepr(1e15), '1000000000000000.0');
  assert.equal(floatRepr(0.10000000000000002), '0.10000000000000002');
  assert.equal(floatRepr(-2.5e-7), '-2.5e-07');
  assert.equal(floatRepr(1.5e300), '1.5e+300');
});

test('a meter is charged with each statement\u2019s steps, and running out is not a refusal', () => {
  const stmts = bindingsFromSyntax(parser.parse('a = 1 + 2\nb = a * 3\nc = [a, b]\n').rootNode.namedChildren);
  const meter = { left: 1000 };
  const scope = evalModule(stmts, undefined, undefined, undefined, undefined, meter);
  assert.deepEqual(scope.vars.get('c'), [3n, 9n]);
  const spent = 1000 - meter.left;
  assert.ok(spent >= 3 * 3 && spent < 40, `spent ${spent}`);
  // Less than the statements take: the evaluation stops with MeterExhausted, not an unresolved value.
  assert.throws(() => evalModule(stmts, undefined, undefined, undefined, undefined, { left: spent - 4 }), (e: unknown) => e instanceof MeterExhausted);
  assert.doesNotThrow(() => evalModule(stmts, undefined, undefined, undefined, undefined, { left: spent }));
});
