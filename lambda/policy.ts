/**
 * The policy: what the deployment configures beyond settings, too large for the function's
 * environment (4 KB for every variable together): the exemptions and the alert routes. `lib/`
 * validates it at synth and writes it, as JSON, into the function's asset beside the bundle
 * (`trailcheck-policy.json`); the function reads it from there at start. Tests and local runs
 * point `TRAILCHECK_POLICY_FILE` at a file instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

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
