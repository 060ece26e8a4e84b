// Public face of the classify stage (DESIGN.md pipeline): other stages and the CLI import from
// here only, so the engine's files can move without touching callers. Format and precedence of
// the rule packs are documented in docs/rules.md.
export { loadRuleSet, shippedRuleFiles, type RuleSet } from './loader.js';
export { classify, ruleMatches } from './engine.js';
export { detectProvider, type ProviderHit } from './provider.js';
export {
  recordFromSample, reportFromSample, checkRule, checkRuleSamples, type SampleFailure,
} from './samples.js';
export type { CompiledRule, CompiledProvider, Level, PackInfo, SampleDefaults, SampleSpec } from './types.js';
