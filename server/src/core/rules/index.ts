import type { Rule } from './define';
import { emptyParamGroup } from './empty-param-group';
import { paramsNotInAnyGroup } from './params-not-in-any-group';
import { duplicateParam } from './duplicate-param';
import { nameFilterMatchesNothing } from './name-filter-matches-nothing';
import { frozenParamWithLr } from './frozen-param-with-lr';
import { paramsArgType } from './params-arg-type';
import { paramSetOrder } from './param-set-order';
import { paramsGeneratorReused } from './params-generator-reused';
import { moduleNotRegistered } from './module-not-registered';
import { headSlowerThanBody } from './head-slower-than-body';
import { freezeHasNoEffect } from './freeze-has-no-effect';
import { unknownGroupKey } from './unknown-group-key';
import { invalidHyperparameter } from './invalid-hyperparameter';
import { nesterovWithoutMomentum } from './nesterov-without-momentum';
import { unknownOptimizerOption } from './unknown-optimizer-option';
import { lbfgsParamGroups } from './lbfgs-param-groups';
import { schedulerConfigError } from './scheduler-config-error';
import { scalarMaxLrOverridesGroups } from './scalar-max-lr-overrides-groups';
import { schedulerStepGranularity } from './scheduler-step-granularity';
import { scheduleEndsInFirstEpoch } from './schedule-ends-in-first-epoch';
import { schedulerNeverStepped } from './scheduler-never-stepped';
import { optimizerRebuiltInLoop } from './optimizer-rebuilt-in-loop';
import { schedulerRebuiltInLoop } from './scheduler-rebuilt-in-loop';
import { lambdaReturnsLr } from './lambda-returns-lr';
import { plateauModeMismatch } from './plateau-mode-mismatch';
import { chainedNotChainable } from './chained-not-chainable';

export type { Rule, RuleDocs, RuleContext } from './define';

/** Every rule, sorted by code. OPT1xx: what is in the groups; OPT2xx: hyperparameters; OPT3xx: schedulers. */
export const rules: readonly Rule[] = [
  emptyParamGroup,
  paramsNotInAnyGroup,
  duplicateParam,
  nameFilterMatchesNothing,
  frozenParamWithLr,
  paramsArgType,
  paramSetOrder,
  paramsGeneratorReused,
  headSlowerThanBody,
  moduleNotRegistered,
  freezeHasNoEffect,
  unknownGroupKey,
  invalidHyperparameter,
  nesterovWithoutMomentum,
  unknownOptimizerOption,
  lbfgsParamGroups,
  schedulerConfigError,
  scalarMaxLrOverridesGroups,
  schedulerStepGranularity,
  scheduleEndsInFirstEpoch,
  schedulerNeverStepped,
  optimizerRebuiltInLoop,
  schedulerRebuiltInLoop,
  lambdaReturnsLr,
  plateauModeMismatch,
  chainedNotChainable,
];

export function findRule(codeOrName: string): Rule | undefined {
  return rules.find((r) => r.code === codeOrName.toUpperCase() || r.name === codeOrName);
}
