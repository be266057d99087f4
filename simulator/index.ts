/** The local AWS simulator's public API. */
export { loadScenario, parseScenario, ScenarioError, DEFAULT_REGIONS } from './scenario';
export { startSimulator } from './server';
export type { Simulator, CallRecord, StartOptions, PublishedMessage } from './server';
export type {
  Scenario,
  ScenarioAccount,
  ScenarioCaller,
  ScenarioFault,
  ScenarioLatency,
  ScenarioOrganization,
  ScenarioOu,
  ScenarioRole,
  ScenarioSecret,
  ScenarioService,
  ScenarioTrail,
  LatencySpec,
  Partition,
} from './scenario-types';
