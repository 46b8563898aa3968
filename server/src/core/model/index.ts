import type { SyntaxNode } from '../parsing';
import type { TorchVersion } from '../settings';
import { Walker, type WalkResult } from './walker';

export * from './values';
export { enumerateLeaves, moduleHasParams, isWithin, countParams } from './modules';
export { resolveSelections } from './optimizers';
export type { Consumption, FreezeEvent, StepCall } from './walker';

/** What rules read: never raw syntax nodes, except as positions to report at. */
export interface FileModel extends WalkResult {
  /**
   * Keys the file reads back from the `param_groups` of an optimizer the walker could not identify
   * (a function never called); reads from a known optimizer are on that optimizer.
   */
  groupKeysRead: Set<string>;
  torchVersion: TorchVersion;
}

/** Builds the model of one parsed file. */
export function buildModel(root: SyntaxNode, torchVersion: TorchVersion = '2.x'): FileModel {
  const walker = new Walker(torchVersion);
  walker.run(root);
  return {
    optimizers: walker.optimizers,
    schedulers: walker.schedulers,
    freezes: walker.freezes,
    consumptions: walker.consumptions,
    steps: walker.steps,
    modules: walker.modules,
    groupKeysRead: walker.groupKeysRead,
    torchVersion,
  };
}
