/** STS (query protocol): AssumeRole and GetCallerIdentity. */
import { AwsError } from '../errors';
import { roleId } from '../world';
import type { QueryParams } from '../protocol-query';
import type { CallContext, QueryService } from './types';

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** Parses `arn:<p>:iam::<id>:role/[path/]<name>`; undefined when malformed. */
export function parseRoleArn(arn: string | undefined): { partition: string; accountId: string; roleName: string } | undefined {
  const m = arn === undefined ? null : ROLE_ARN.exec(arn);
  return m ? { partition: m[1], accountId: m[2], roleName: m[3] } : undefined;
}

function validation(field: string, value: string, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function assumeRole(ctx: CallContext, p: QueryParams): unknown {
  const { world, identity } = ctx;
  const roleArn = p.RoleArn;
  const sessionName = p.RoleSessionName;
  if (roleArn === undefined) throw validation('roleArn', 'null', 'Member must not be null');
  if (sessionName === undefined) throw validation('roleSessionName', 'null', 'Member must not be null');
  if (!SESSION_NAME.test(sessionName)) {
    throw sessionName.length < 2 || sessionName.length > 64
      ? validation('roleSessionName', sessionName, `Member must have length ${sessionName.length < 2 ? 'greater than or equal to 2' : 'less than or equal to 64'}`)
      : validation('roleSessionName', sessionName, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  }
  let duration = 3600;
  if (p.DurationSeconds !== undefined) {
    duration = Number(p.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900) throw validation('durationSeconds', p.DurationSeconds, 'Member must have value greater than or equal to 900');
    if (duration > 43200) throw validation('durationSeconds', p.DurationSeconds, 'Member must have value less than or equal to 43200');
  }
  if (p.ExternalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(p.ExternalId)) {
    throw validation('externalId', p.ExternalId, 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*');
  }
  const parsed = parseRoleArn(roleArn);
  if (!parsed || parsed.partition !== world.partition) throw new AwsError('ValidationError', `${roleArn} is invalid`);

  const denied = () =>
    new AwsError('AccessDenied', `User: ${identity.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  const account = world.accounts.get(parsed.accountId);
  if (!account || (account.state ?? 'ACTIVE') === 'CLOSED') throw denied();
  const role = (account.roles ?? []).find((r) => r.name === parsed.roleName);
  if (!role || role.trust === 'deny') throw denied();
  if (role.externalId !== undefined && role.externalId !== p.ExternalId) throw denied();
  const max = role.maxSessionDuration ?? 3600;
  if (duration > max) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const cred = world.issueCredentials(parsed.accountId, parsed.roleName, sessionName, duration, ctx.now);
  return {
    Credentials: {
      AccessKeyId: cred.accessKeyId,
      SecretAccessKey: cred.secretAccessKey,
      SessionToken: cred.sessionToken,
      Expiration: cred.expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: `${roleId(parsed.accountId, parsed.roleName)}:${sessionName}`,
      Arn: `arn:${world.partition}:sts::${parsed.accountId}:assumed-role/${parsed.roleName}/${sessionName}`,
    },
  };
}

export const sts: QueryService = {
  service: 'sts',
  protocol: 'query',
  regional: false,
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  version: '2011-06-15',
  actions: {
    AssumeRole: assumeRole,
    GetCallerIdentity: (ctx) => ({ UserId: ctx.identity.userId, Account: ctx.identity.accountId, Arn: ctx.identity.arn }),
  },
  describe(action, p) {
    if (action === 'AssumeRole') return { roleArn: p.RoleArn, roleSessionName: p.RoleSessionName, externalId: p.ExternalId !== undefined };
    return {};
  },
};
