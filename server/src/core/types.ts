import type { Severity } from './settings';

/** Zero-based line and UTF-16 column, as LSP counts them. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** 'safe' keeps what the program does except for the mistake; 'unsafe' changes what trains. */
export type FixSafety = 'safe' | 'unsafe';

export interface Fix {
  title: string;
  safety: FixSafety;
  edits: TextEdit[];
}

export interface RelatedInformation {
  range: Range;
  message: string;
}

/** One diagnostic, free of any editor or LSP type. */
export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  range: Range;
  fix: Fix | null;
  related: RelatedInformation[];
}
