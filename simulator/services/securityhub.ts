/**
 * Security Hub (REST-JSON): `BatchImportFindings` (`POST /findings/import`), as AWS answers it:
 * - more than 100 findings, or a body that is not `{"Findings": [...]}`: 400 `InvalidInputException`;
 * - an account listed in `scenario.securityHub.notEnabled`: 401 `InvalidAccessException`
 *   ("Account … is not subscribed to AWS Security Hub");
 * - each finding is checked on its own and refused in `FailedFindings` (the call still succeeds):
 *   a required ASFF attribute missing or empty (AwsAccountId, CreatedAt, Description, GeneratorId,
 *   Id, ProductArn, Resources, SchemaVersion, Severity, Title, Types, UpdatedAt), a documented
 *   length exceeded, or a finding the caller may not import: its `AwsAccountId`, or the
 *   account or region of its `ProductArn` (`…:product/<account>/default`), not the caller's.
 * Imported findings are kept, upserted by `Id` and `ProductArn` (as Security Hub does), for the
 * simulator's lifetime: they survive `reset()` and `setScenario()`, as S3 objects do.
 */
import { AwsError } from '../errors';
import type { World } from '../world';
import type { CallContext, RestJsonService, RestRequest } from './types';

export interface ImportedFinding {
  /** The finding as last imported. */
  finding: Record<string, unknown>;
  /** The importing account, and the region of the call. */
  account: string;
  region: string;
  importedAt: Date;
  /** How many times it was imported (the first import included). */
  imports: number;
}

const stores = new WeakMap<World, Map<string, ImportedFinding>>();

function store(world: World): Map<string, ImportedFinding> {
  let s = stores.get(world);
  if (!s) {
    s = new Map();
    stores.set(world, s);
  }
  return s;
}

/** Every finding held, in order of first import. */
export function importedFindings(world: World): ImportedFinding[] {
  return [...store(world).values()];
}

const REQUIRED = ['AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'Resources', 'SchemaVersion', 'Severity', 'Title', 'Types', 'UpdatedAt'] as const;
const LIMITS: Array<[string, (f: Record<string, any>) => unknown, number]> = [
  ['Id', (f) => f.Id, 512],
  ['GeneratorId', (f) => f.GeneratorId, 512],
  ['ProductArn', (f) => f.ProductArn, 2048],
  ['Title', (f) => f.Title, 256],
  ['Description', (f) => f.Description, 1024],
  ['Remediation.Recommendation.Text', (f) => f.Remediation?.Recommendation?.Text, 512],
];
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Why Security Hub would refuse this finding from `ctx`'s caller, or undefined. */
export function findingProblem(f: unknown, ctx: Pick<CallContext, 'identity' | 'region'>): { code: string; message: string } | undefined {
  if (!f || typeof f !== 'object' || Array.isArray(f)) return { code: 'InvalidInput', message: 'Finding is not an object' };
  const x = f as Record<string, any>;
  for (const k of REQUIRED) {
    const v = x[k];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return { code: 'InvalidInput', message: `Finding does not adhere to the AWS Security Finding Format: missing required field ${k}` };
  }
  if (x.SchemaVersion !== '2018-10-08') return { code: 'InvalidInput', message: `Unsupported SchemaVersion ${String(x.SchemaVersion)}` };
  for (const [name, get, max] of LIMITS) {
    const v = get(x);
    if (v !== undefined && (typeof v !== 'string' || v.length > max)) return { code: 'InvalidInput', message: `${name} must be a string of at most ${max} characters` };
  }
  for (const k of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) {
    if (x[k] !== undefined && (typeof x[k] !== 'string' || !TIME.test(x[k]))) return { code: 'InvalidInput', message: `${k} is not an ISO 8601 time` };
  }
  if (!Array.isArray(x.Types) || x.Types.length > 50 || !Array.isArray(x.Resources) || x.Resources.length > 32) return { code: 'InvalidInput', message: 'Types or Resources out of bounds' };
  const caller = ctx.identity.accountId;
  if (x.AwsAccountId !== caller) return { code: 'AccessDeniedException', message: `The caller ${caller} may not import findings for account ${String(x.AwsAccountId)}` };
  const arn = /^arn:[a-z-]+:securityhub:([a-z0-9-]+):(\d{12}):product\/(\d{12})\/default$/.exec(String(x.ProductArn));
  if (!arn || arn[2] !== caller || arn[3] !== caller) return { code: 'AccessDeniedException', message: `The caller ${caller} is not allowed to import findings for product ${String(x.ProductArn)}` };
  if (arn[1] !== ctx.region) return { code: 'InvalidInput', message: `ProductArn region ${arn[1]} is not the region of the call (${ctx.region})` };
  return undefined;
}

function batchImportFindings(ctx: CallContext, req: RestRequest): unknown {
  let body: unknown;
  try {
    body = JSON.parse(req.body || '{}');
  } catch {
    throw new AwsError('InvalidInputException', 'The request body is not JSON');
  }
  const findings = (body as { Findings?: unknown })?.Findings;
  if (!Array.isArray(findings) || findings.length < 1 || findings.length > 100) throw new AwsError('InvalidInputException', 'Findings must hold 1 to 100 findings');
  if ((ctx.world.scenario.securityHub?.notEnabled ?? []).includes(ctx.identity.accountId)) {
    throw new AwsError('InvalidAccessException', `Account ${ctx.identity.accountId} is not subscribed to AWS Security Hub`, 401);
  }
  const held = store(ctx.world);
  const failed: Array<{ Id: string; ErrorCode: string; ErrorMessage: string }> = [];
  for (const f of findings) {
    const problem = findingProblem(f, ctx);
    if (problem) {
      failed.push({ Id: String((f as { Id?: unknown })?.Id ?? ''), ErrorCode: problem.code, ErrorMessage: problem.message });
      continue;
    }
    const x = f as Record<string, unknown>;
    const key = `${String(x.ProductArn)}\u0000${String(x.Id)}`;
    const before = held.get(key);
    held.set(key, { finding: x, account: ctx.identity.accountId, region: ctx.region, importedAt: ctx.now, imports: (before?.imports ?? 0) + 1 });
  }
  return { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed };
}

export const securityhub: RestJsonService = {
  service: 'securityhub',
  protocol: 'rest-json',
  regional: true,
  route: (req) => (req.method === 'POST' && req.path === '/findings/import' ? 'BatchImportFindings' : ''),
  actions: { BatchImportFindings: batchImportFindings },
  describe(action, req) {
    if (action !== 'BatchImportFindings') return {};
    try {
      const findings = (JSON.parse(req.body || '{}') as { Findings?: unknown[] }).Findings;
      return { findings: Array.isArray(findings) ? findings.length : 0 };
    } catch {
      return {};
    }
  },
};
