/**
 * The policy: what the deployment configures beyond settings, too large for the function's
 * environment (4 KB for every variable together): the exemptions and the alert routes. `lib/`
 * validates it at synth and writes it, as JSON, into the function's asset beside the bundle
 * (`trailcheck-policy.json`); the function reads it from there at start. Tests and local runs
 * point `TRAILCHECK_POLICY_FILE` at a file instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseExemptions, type Exemption } from './exemptions';
import { parseRoutes, routesForRuntime, type RouteTarget } from './routes';

export const POLICY_FILE = 'trailcheck-policy.json';
export const POLICY_FILE_ENV = 'TRAILCHECK_POLICY_FILE';
export const POLICY_SCHEMA_VERSION = 1;

/** The file as `lib/` writes it: each part validated there, parsed again by the runtime. */
export interface PolicyDocument {
  schemaVersion: typeof POLICY_SCHEMA_VERSION;
  exemptions: unknown[];
  routes: unknown[];
}

/** The policy's JSON text for the asset. */
export function policyFileText(policy: Omit<PolicyDocument, 'schemaVersion'>): string {
  return `${JSON.stringify({ schemaVersion: POLICY_SCHEMA_VERSION, ...policy }, null, 1)}\n`;
}

/**
 * The policy the function was deployed with: the file `TRAILCHECK_POLICY_FILE` names, else the
 * one beside the bundle (`dir`), else none (nothing configured). A file that is there but not a
 * policy is an error, never "no policy": an exemption must not be lost silently, nor a route.
 */
export function readPolicy(dir: string, env: NodeJS.ProcessEnv): PolicyDocument {
  const named = env[POLICY_FILE_ENV];
  const file = named || path.join(dir, POLICY_FILE);
  if (!named && !existsSync(file)) return { schemaVersion: POLICY_SCHEMA_VERSION, exemptions: [], routes: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${named ? POLICY_FILE_ENV : POLICY_FILE}: ${file} could not be read as JSON (${(err as Error).message}); redeploy the stack to rewrite it`);
  }
  const d = doc as Partial<PolicyDocument> | null;
  if (!d || typeof d !== 'object' || d.schemaVersion !== POLICY_SCHEMA_VERSION || !Array.isArray(d.exemptions) || !Array.isArray(d.routes)) {
    throw new Error(`${file}: not a trailcheck policy (schemaVersion ${POLICY_SCHEMA_VERSION} with exemptions and routes arrays); redeploy the stack to rewrite it`);
  }
  return { schemaVersion: POLICY_SCHEMA_VERSION, exemptions: d.exemptions, routes: d.routes };
}

/** The policy as a run uses it: every part validated again (the file is as hostile as the config). */
export interface Policy {
  exemptions: Exemption[];
  routes: RouteTarget[];
}

export const NO_POLICY: Policy = { exemptions: [], routes: [] };

/** The parsed policy; an expired exemption is kept, marked (it alerts as newly failing). */
export function runtimePolicy(doc: PolicyDocument, opts: { now: Date; exemptionMaxDays: number }): Policy {
  return {
    exemptions: parseExemptions(doc.exemptions, `${POLICY_FILE} exemptions`, { now: opts.now, maxDays: opts.exemptionMaxDays, atSynth: false }),
    routes: routesForRuntime(parseRoutes(doc.routes, `${POLICY_FILE} routes`)),
  };
}

/** Every OU the policy names: read once per run (lambda/audit/ou-members.ts). */
export function policyOus(policy: Policy): string[] {
  return [...new Set([...policy.exemptions.flatMap((e) => e.ous), ...policy.routes.flatMap((r) => r.ous)])];
}

/**
 * The policy the function was deployed with, parsed; unreadable: none, and `policyError` says why,
 * for a run error (the audit still runs: every failing account alerts, on the central topic).
 */
export function loadPolicy(dir: string, env: NodeJS.ProcessEnv, opts: { now: Date; exemptionMaxDays: number }): { policy: Policy; policyError?: string } {
  try {
    return { policy: runtimePolicy(readPolicy(dir, env), opts) };
  } catch (err) {
    return { policy: NO_POLICY, policyError: `The exemptions and alert routes could not be read, so none apply in this run (every failing account alerts, on the central topic only): ${(err as Error).message}` };
  }
}
