/**
 * What the client, the server and the plot webview say to each other beyond standard LSP: command
 * ids and the schedule-preview request. Plain types only (no vscode or LSP imports), so the
 * client bundle, the server and the webview script can all import this file.
 */

/** Series colours, shared by the hover chart and the plot view so a group keeps its colour. */
export const PALETTE = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16', '#f97316', '#6366f1'];

/** Server-side commands (workspace/executeCommand). */
export const Commands = {
  /** Args: [{ uri, version? }]. Applies every safe fix of the file through workspace/applyEdit. */
  fixAll: 'optlint.server.fixAll',
} as const;

/** Client-side commands (contributed in package.json). */
export const ClientCommands = {
  /** Args: [uri: string, schedulerLine: number, schedulerCharacter: number]. Opens the plot view. */
  previewSchedule: 'optlint.previewSchedule',
  fixAll: 'optlint.fixAll',
  restart: 'optlint.restartServer',
} as const;

/** The custom request behind the plot view: simulate one scheduler's optimizer with given assumptions. */
export const SchedulePreviewRequestMethod = 'optlint/schedulePreview';

/** Server status: parser backend, analysis counters (tests and the benchmark read it). */
export const StatusRequestMethod = 'optlint/status';

export interface ServerStatus {
  backend: 'native' | 'wasm' | 'none';
  /** How the backend reads trees: optlint's addon, the tree-sitter binding, or wasm. */
  implementation: 'addon' | 'binding' | 'wasm' | 'none';
  /** Why the native backend did not load, when the server fell back to wasm. */
  nativeLoadError?: string;
  documents: number;
  /** Analyses run since start, and analyses dropped because their version was already stale. */
  runs: number;
  staleDropped: number;
  /** Re-parses: incremental (edited tree) and full. */
  parses: { incremental: number; full: number };
  memoryMB: number;
}

/** Assumptions the user can change in the plot view; absent values come from the settings. */
export interface PreviewAssumptions {
  /** Optimizer steps to simulate when the script does not fix the length of the run. */
  steps?: number;
  /** Batches per epoch, when the script computes it at run time. */
  stepsPerEpoch?: number;
  /** Values for scheduler arguments the script does not fix statically (`T_max`, `max_lr`, ...). */
  args?: Record<string, number>;
}

export interface SchedulePreviewParams {
  uri: string;
  /** Any position inside the scheduler's constructor call. */
  position: { line: number; character: number };
  assumptions?: PreviewAssumptions;
}

/** One argument whose value was assumed, and why. */
export interface AssumedArgument {
  scheduler: string;
  name: string;
  value: number;
  /** The source text it stands for (`args.epochs`, `len(loader)`). */
  source: string;
  reason: string;
}

export interface PreviewGroup {
  label: string;
  /** The lr at each scheduler step (index 0: right after construction). */
  lr: number[];
  start: number;
  peak: number;
  end: number;
  /** Step index of the peak. */
  peakAt: number;
}

export interface SchedulePreview {
  /** The scheduler the preview was asked for (its variable, else its class). */
  title: string;
  schedulerClass: string;
  optimizerLabel: string;
  /** 0-based position of the scheduler's constructor call. */
  line: number;
  character: number;
  /** What one trace index stands for: an optimizer step (per-batch stepping) or an epoch. */
  unit: 'step' | 'epoch';
  /** How the unit was decided (from the loops around `scheduler.step()`, or a guess from the class). */
  unitReason: string;
  stepsPerEpoch: number;
  /** Length of the traces. */
  steps: number;
  groups: PreviewGroup[];
  assumed: AssumedArgument[];
  /** Human-readable list of everything assumed (length, steps per epoch, unit, arguments). */
  assumptions: string[];
  /** Values came from exact arithmetic or the platform libm (bit-identical to PyTorch). */
  exact: boolean;
  /** What PyTorch would raise, when it would. */
  error?: string;
  /** Why nothing could be simulated. */
  notSimulated?: string;
  /** Why the scheduler's own schedule never runs (nothing steps it): the traces stay flat. */
  neverStepped?: string;
  notes: string[];
  /** Arguments the user can set in the plot view, with their current values. */
  inputs: Array<{ name: string; value: number; assumed: boolean }>;
}

/** Messages between the extension host and the plot webview. */
export type WebviewMessage =
  | { type: 'preview'; preview: SchedulePreview }
  | { type: 'error'; message: string }
  | { type: 'ready' }
  | { type: 'assumptions'; assumptions: PreviewAssumptions };
