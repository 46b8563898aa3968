/**
 * A small plain-data Python AST: the subset the safe interpreter evaluates.
 *
 * Converters (from tree-sitter nodes: see from-syntax.ts) produce it; anything they cannot
 * express becomes an {@link UnsupportedExpr} / {@link UnsupportedStmt} carrying the reason, which
 * the interpreter turns into a refusal only if that code is actually evaluated.
 */

/** 1-based line, 0-based column (UTF-16), for messages. */
export interface Loc {
  line: number;
  column: number;
}

interface Node {
  loc?: Loc;
}

export interface Constant extends Node {
  type: 'Constant';
  /** float: number, int: bigint, bool, None: null, str: string. */
  value: number | bigint | boolean | null | string;
}

export interface Name extends Node {
  type: 'Name';
  id: string;
}

export interface Attribute extends Node {
  type: 'Attribute';
  value: Expr;
  attr: string;
}

export interface Subscript extends Node {
  type: 'Subscript';
  value: Expr;
  index: Expr;
}

export type UnaryOperator = '-' | '+' | '~' | 'not';

export interface UnaryOp extends Node {
  type: 'UnaryOp';
  op: UnaryOperator;
  operand: Expr;
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '<<' | '>>' | '&' | '|' | '^';

export interface BinOp extends Node {
  type: 'BinOp';
  op: BinaryOperator;
  left: Expr;
  right: Expr;
}

export type CompareOperator = '<' | '<=' | '>' | '>=' | '==' | '!=' | 'is' | 'is not' | 'in' | 'not in';

/** `a < b <= c`: chained, each operand evaluated once. */
export interface Compare extends Node {
  type: 'Compare';
  left: Expr;
  ops: CompareOperator[];
  comparators: Expr[];
}

export interface BoolOp extends Node {
  type: 'BoolOp';
  op: 'and' | 'or';
  values: Expr[];
}

export interface IfExp extends Node {
  type: 'IfExp';
  test: Expr;
  body: Expr;
  orelse: Expr;
}

export interface Keyword {
  arg: string;
  value: Expr;
}

export interface Call extends Node {
  type: 'Call';
  func: Expr;
  args: Expr[];
  keywords: Keyword[];
}

export interface Param {
  name: string;
  default?: Expr;
  /** Declared after `*` (keyword-only). */
  kwOnly?: boolean;
}

export interface Lambda extends Node {
  type: 'Lambda';
  params: Param[];
  body: Expr;
}

export interface TupleExpr extends Node {
  type: 'Tuple';
  elts: Expr[];
}

export interface ListExpr extends Node {
  type: 'List';
  elts: Expr[];
}

export interface DictExpr extends Node {
  type: 'Dict';
  keys: Expr[];
  values: Expr[];
}

/** Something the converter met that is outside the subset (comprehension, f-string, …). */
export interface UnsupportedExpr extends Node {
  type: 'Unsupported';
  /** What it is, for the refusal message: e.g. "a list comprehension". */
  what: string;
}

export type Expr =
  | Constant
  | Name
  | Attribute
  | Subscript
  | UnaryOp
  | BinOp
  | Compare
  | BoolOp
  | IfExp
  | Call
  | Lambda
  | TupleExpr
  | ListExpr
  | DictExpr
  | UnsupportedExpr;

// ---------------------------------------------------------------------------------------------
// Statements

export interface Return extends Node {
  type: 'Return';
  value?: Expr;
}

/** `a = b = value`, `a, b = value`. Targets are names or tuples of names. */
export interface Assign extends Node {
  type: 'Assign';
  targets: Expr[];
  value: Expr;
}

export interface AugAssign extends Node {
  type: 'AugAssign';
  target: Name;
  op: BinaryOperator;
  value: Expr;
}

export interface If extends Node {
  type: 'If';
  test: Expr;
  body: Stmt[];
  /** `elif` is an If nested in orelse. */
  orelse: Stmt[];
}

export interface Pass extends Node {
  type: 'Pass';
}

export interface ExprStmt extends Node {
  type: 'ExprStmt';
  value: Expr;
}

export interface Assert extends Node {
  type: 'Assert';
  test: Expr;
  msg?: Expr;
}

export interface Raise extends Node {
  type: 'Raise';
  /** `raise ValueError("...")`: the exception class name and message when statically known. */
  excType?: string;
  message?: Expr;
}

export interface FunctionDef extends Node {
  type: 'FunctionDef';
  name: string;
  params: Param[];
  /** May be a getter that converts the body when first read (most defs are never called). */
  readonly body: Stmt[];
}

/**
 * A FunctionDef whose body is produced (once) when first read. A class with the getter on its
 * prototype, not an own accessor added with `Object.defineProperty`: V8 keeps an own accessor in
 * the object's map (hidden class), and maps outlive young-generation collections, so each file's
 * trees survived them through the getter's closure.
 */
class LazyFunctionDef implements FunctionDef {
  readonly type = 'FunctionDef';
  readonly name: string;
  readonly params: Param[];
  readonly loc?: Loc;
  private cached?: Stmt[];

  constructor(
    def: Omit<FunctionDef, 'body'>,
    private readonly make: () => Stmt[],
  ) {
    this.name = def.name;
    this.params = def.params;
    if (def.loc) this.loc = def.loc;
  }

  get body(): Stmt[] {
    return (this.cached ??= this.make());
  }
}

export function lazyFunctionDef(def: Omit<FunctionDef, 'body'>, body: () => Stmt[]): FunctionDef {
  return new LazyFunctionDef(def, body);
}

/** `import math`, `import math as m`, `import functools`. */
export interface Import extends Node {
  type: 'Import';
  module: string;
  asName?: string;
}

/** `from math import cos, pi as PI`. */
export interface ImportFrom extends Node {
  type: 'ImportFrom';
  module: string;
  names: { name: string; asName?: string }[];
}

export interface UnsupportedStmt extends Node {
  type: 'UnsupportedStmt';
  /** e.g. "a `while` loop". */
  what: string;
  /** Names the statement (may) bind, so later reads of them refuse instead of reading stale values. */
  binds?: string[];
  /**
   * Names whose value the statement may change in place (`milestones.append(30)`,
   * `cfg["lr"] = 0.1`): when they hold a list or a dict, later reads refuse instead of reading
   * the value from before the change.
   */
  mutates?: string[];
  /** 1-based line of the statement, for the message of a name it changes. */
  line?: number;
}

export type Stmt =
  | Return
  | Assign
  | AugAssign
  | If
  | Pass
  | ExprStmt
  | Assert
  | Raise
  | FunctionDef
  | Import
  | ImportFrom
  | UnsupportedStmt;

export interface Module {
  type: 'Module';
  body: Stmt[];
}

// ---------------------------------------------------------------------------------------------
// Small builders (handy in tests and in the golden-data loader)

export const num = (value: number | bigint): Constant => ({ type: 'Constant', value });
export const name = (id: string): Name => ({ type: 'Name', id });
export const bin = (op: BinaryOperator, left: Expr, right: Expr): BinOp => ({ type: 'BinOp', op, left, right });
export const call = (func: Expr, args: Expr[] = [], keywords: Keyword[] = []): Call => ({ type: 'Call', func, args, keywords });
export const attr = (value: Expr, a: string): Attribute => ({ type: 'Attribute', value, attr: a });
export const lambda = (params: string[], body: Expr): Lambda => ({
  type: 'Lambda',
  params: params.map((p) => ({ name: p })),
  body,
});
