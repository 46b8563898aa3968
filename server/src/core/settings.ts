/** The torch version whose behaviour messages and tables follow. '2.x' is current PyTorch. */
export type TorchVersion = '1.13' | '2.x';

export type Severity = 'error' | 'warning' | 'info';

/** Settings shared by the CLI and the language server (the manifest's schema mirrors these). */
export interface LintSettings {
  /** Rule codes or prefixes to run (`OPT1`, `OPT101`, `ALL`); default: all. */
  select?: string[];
  /** Rule codes or prefixes to skip. */
  ignore?: string[];
  /** Per-code severity overrides. */
  severity?: Record<string, Severity>;
  torchVersion?: TorchVersion;
}

export function normaliseTorchVersion(v: string | undefined): TorchVersion {
  if (!v) return '2.x';
  return v.startsWith('1.') ? '1.13' : '2.x';
}
