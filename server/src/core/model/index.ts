import type { SyntaxNode } from '../parsing';
import type { SchedulePlan } from '../schedule/file';
import type { ScheduleResult } from '../schedule/types';
import type { TorchVersion } from '../settings';
import { markUnreferencedSchedulers } from './references';
import { Walker, type WalkResult } from './walker';

export * from './values';
export { enumerateLeaves, moduleHasParams, isWithin, countParams, requiresGradOf, topModule } from './modules';
export { resolveSelections } from './optimizers';
export type { AnytimeUnfreeze, CastParameterAttribute, Consumption, FlagTypo, FreezeEvent, ModuleFlagAssignment, PlainContainerAttribute, StepCall, UnattributedSetter } from './walker';

/** What rules read: never raw syntax nodes, except as positions to report at. */
export interface FileModel extends WalkResult {
  /**
   * Keys the file reads back from the `param_groups` of an optimizer the walker could not identify
   * (a function never called); reads from a known optimizer are on that optimizer.
   */
  groupKeysRead: Set<string>;
  torchVersion: TorchVersion;
  /**
   * What the scheduler rules derive from the model and share (schedule/lint-plans.ts fills it on
   * first use). On the model, not in WeakMaps keyed by it: V8's young-generation collections keep a
   * WeakMap's values alive, and with them each checked file's trees until a full collection.
   */
  readonly lint: { plans?: SchedulePlan[]; results?: Map<SchedulePlan, ScheduleResult | null> };
}

/** Builds the model of one parsed file. */
export function buildModel(root: SyntaxNode, torchVersion: TorchVersion = '2.x'): FileModel {
  const walker = new Walker(torchVersion);
  walker.run(root);
  markUnreferencedSchedulers(walker.schedulers);
  return {
    optimizers: walker.optimizers,
    schedulers: walker.schedulers,
    freezes: walker.freezes,
    consumptions: walker.consumptions,
    steps: walker.steps,
    modules: walker.modules,
    unfreezesAnytime: walker.unfreezesAnytime,
    unattributedRequiresGrad: walker.unattributedRequiresGrad,
    moduleFlagAssignments: walker.moduleFlagAssignments,
    flagTypos: walker.flagTypos,
    unknownGroupAdds: walker.unknownGroupAdds,
    plainContainerAttributes: walker.plainContainerAttributes,
    castParameterAttributes: walker.castParameterAttributes,
    groupKeysRead: walker.groupKeysRead,
    torchVersion,
    lint: {},
  };
}
