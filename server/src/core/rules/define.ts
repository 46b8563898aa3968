import type { SyntaxNode } from '../parsing';
import type { FileModel } from '../model';
import type { Severity } from '../settings';
import type { Fix, FixSafety, RelatedInformation, TextEdit } from '../types';

/** Every rule's documentation has the same headings (the docs pages are generated from these). */
export interface RuleDocs {
  whatItDoes: string;
  whyIsThisBad: string;
  /** Python code that triggers the rule. */
  example: string;
  /** The corrected code. */
  useInstead: string;
  /** What real PyTorch does at run time: silent, warns, or raises (which message), and versions. */
  runtime: string;
}

export interface ReportInput {
  node: SyntaxNode;
  message: string;
  /** Overrides the rule's default severity for this finding. */
  severity?: Severity;
  fix?: { title?: string; edits: TextEdit[]; safety?: FixSafety } | null;
  related?: RelatedInformation[];
}

export interface RuleContext {
  model: FileModel;
  text: string;
  report(input: ReportInput): void;
}

export interface Rule {
  code: string;
  name: string;
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  fixTitle?: string;
  fixSafety?: FixSafety;
  docs: RuleDocs;
  /**
   * Work `check` needs for a file that can run ahead of it (schedule plans, then their
   * simulation), as stages in order. When many files are checked each stage runs over a whole
   * batch before the next (see `lintSources`); a stage shared by several rules runs once per file.
   */
  prepare?: ReadonlyArray<(model: FileModel) => void>;
  check(ctx: RuleContext): void;
}

/** Identity helper that gives rule objects their type (and a single place to add checks). */
export function defineRule(rule: Rule): Rule {
  return rule;
}

export type { Fix };
