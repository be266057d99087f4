/** Secrets Manager (JSON 1.1): GetSecretValue on the scenario's `secrets`, owned by the caller's account. */
import { AwsError } from '../errors';
import type { JsonParams } from '../protocol-json';
import type { ScenarioSecret } from '../scenario-types';
import { DEFAULT_REGIONS } from '../scenario';
import { stableId } from '../world';
import type { CallContext, JsonService } from './types';

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

/** The secret's ARN: name plus the 6-character suffix Secrets Manager adds. */
export function secretArn(ctx: Pick<CallContext, 'world'>, s: ScenarioSecret): string {
  const w = ctx.world;
  const region = s.region ?? w.scenario.regions?.[0] ?? DEFAULT_REGIONS[0];
  const owner = w.scenario.caller.accountId;
  return `arn:${w.partition}:secretsmanager:${region}:${owner}:secret:${s.name}-${stableId(s.name).slice(0, 6)}`;
}

function notFound(): AwsError {
  return new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
}

function getSecretValue(ctx: CallContext, p: JsonParams): unknown {
  const id = p.SecretId;
  if (typeof id !== 'string' || id === '') {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null");
  }
  const owner = ctx.world.scenario.caller.accountId;
  const m = SECRET_ARN.exec(id);
  for (const s of ctx.world.scenario.secrets ?? []) {
    const arn = secretArn(ctx, s);
    const region = SECRET_ARN.exec(arn)?.[1];
    if (region !== ctx.region) continue;
    // By name, by full ARN, or by the ARN without its random suffix (a partial ARN).
    const matches = m ? id === arn || (m[3] === s.name && m[1] === ctx.region && m[2] === owner) : id === s.name;
    if (!matches) continue;
    if (ctx.identity.accountId !== owner) {
      throw new AwsError('AccessDeniedException', `User: ${ctx.identity.arn} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${id}`);
    }
    return {
      ARN: arn,
      Name: s.name,
      VersionId: `v-${stableId(`${s.name}/${s.value}`).toLowerCase()}`,
      SecretString: s.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: ctx.world.startedAt,
    };
  }
  throw notFound();
}

export const secretsmanager: JsonService = {
  service: 'secretsmanager',
  protocol: 'json',
  regional: true,
  targetPrefixes: ['secretsmanager'],
  queryCompatible: false,
  actions: { GetSecretValue: getSecretValue },
  // Never the secret's value: the call log is printed by tests.
  describe(action, p) {
    return action === 'GetSecretValue' ? { secretId: p.SecretId } : {};
  },
};
