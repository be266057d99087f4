/** AWS Organizations (JSON 1.1): read-only listing of accounts, roots and OUs. */
import { AwsError } from '../errors';
import type { JsonParams } from '../protocol-json';
import type { ScenarioAccount, ScenarioOrganization } from '../scenario-types';
import type { CallContext, JsonService } from './types';

const MAX_RESULTS = 20;
const LEGACY_STATUS: Record<string, string> = { ACTIVE: 'ACTIVE', SUSPENDED: 'SUSPENDED', PENDING_CLOSURE: 'PENDING_CLOSURE', CLOSED: 'SUSPENDED' };
/** A fixed date accounts "joined" on, plus one day per position in the scenario (stable across runs). */
const JOINED_BASE = Date.UTC(2021, 0, 4, 9, 30, 0);

function invalidInput(reason: string, message: string): AwsError {
  return new AwsError('InvalidInputException', message, 400, { Reason: reason });
}

/** Checks the caller may read the organization; returns it. */
function requireOrg(ctx: CallContext, anyMember = false): ScenarioOrganization {
  const org = ctx.world.organization;
  const me = ctx.identity.accountId;
  if (!org || !ctx.world.inOrganization(me)) {
    throw new AwsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
  }
  if (!anyMember && me !== org.managementAccountId && !(org.delegatedAdministrators ?? []).includes(me)) {
    throw new AwsError('AccessDeniedException', "You don't have permissions to access this resource.");
  }
  return org;
}

function strParam(p: JsonParams, name: string, field: string): string {
  const v = p[name];
  if (typeof v !== 'string' || v === '') throw invalidInput('INVALID_INPUT', `You provided a value that does not match the required pattern for ${field}.`);
  return v;
}

/** Slices `items` by MaxResults / NextToken. The token is opaque and tied to the action and its scope. */
function paginate<T>(ctx: CallContext, p: JsonParams, scope: string, items: T[]): { page: T[]; NextToken?: string } {
  let max = MAX_RESULTS;
  if (p.MaxResults !== undefined && p.MaxResults !== null) {
    const m = p.MaxResults;
    if (typeof m !== 'number' || !Number.isInteger(m)) throw invalidInput('INVALID_INPUT', 'You provided a value that does not match the required pattern for MaxResults.');
    if (m < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is too small for MaxResults (minimum 1).');
    if (m > MAX_RESULTS) throw invalidInput('MAX_VALUE_EXCEEDED', `You provided a value that is too large for MaxResults (maximum ${MAX_RESULTS}).`);
    max = m;
  }
  let offset = 0;
  if (p.NextToken !== undefined && p.NextToken !== null) {
    offset = decodeToken(p.NextToken, `${ctx.action}|${scope}`, items.length);
  }
  const page = items.slice(offset, offset + max);
  const next = offset + max;
  return { page, NextToken: next < items.length ? encodeToken(`${ctx.action}|${scope}`, next) : undefined };
}

function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, s: scope, o: offset })).toString('base64');
}

function decodeToken(token: unknown, scope: string, length: number): number {
  const bad = () =>
    invalidInput('INVALID_PAGINATION_TOKEN', 'You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.');
  if (typeof token !== 'string' || token === '') throw bad();
  try {
    const d = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: unknown; s?: unknown; o?: unknown };
    if (d.v !== 1 || d.s !== scope || typeof d.o !== 'number' || !Number.isInteger(d.o) || d.o < 0 || d.o > length) throw bad();
    return d.o;
  } catch {
    throw bad();
  }
}

function accountOut(ctx: CallContext, org: ScenarioOrganization, a: ScenarioAccount): Record<string, unknown> {
  const state = a.state ?? 'ACTIVE';
  const index = ctx.world.scenario.accounts.indexOf(a);
  return {
    Id: a.id,
    Arn: `arn:${ctx.world.partition}:organizations::${org.managementAccountId}:account/${org.id}/${a.id}`,
    Email: a.email ?? `aws+${a.id}@example.com`,
    Name: a.name,
    Status: LEGACY_STATUS[state],
    State: state,
    JoinedMethod: a.id === org.managementAccountId ? 'CREATED' : 'INVITED',
    JoinedTimestamp: new Date(JOINED_BASE + Math.max(index, 0) * 86_400_000),
  };
}

function ouArn(ctx: CallContext, org: ScenarioOrganization, ouId: string): string {
  return `arn:${ctx.world.partition}:organizations::${org.managementAccountId}:ou/${org.id}/${ouId}`;
}

/** Throws ParentNotFoundException unless `id` is the root or an OU. */
function requireParent(org: ScenarioOrganization, id: string): void {
  if (id !== org.rootId && !(org.ous ?? []).some((o) => o.id === id)) {
    throw new AwsError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
  }
}

const parentOf = (org: ScenarioOrganization, a: ScenarioAccount) => a.parentId ?? org.rootId;

export const organizations: JsonService = {
  service: 'organizations',
  protocol: 'json',
  regional: false,
  targetPrefixes: ['AWSOrganizationsV20161128'],
  queryCompatible: false,
  actions: {
    DescribeOrganization(ctx) {
      const org = requireOrg(ctx, true);
      const mgmt = ctx.world.accounts.get(org.managementAccountId);
      return {
        Organization: {
          Id: org.id,
          Arn: `arn:${ctx.world.partition}:organizations::${org.managementAccountId}:organization/${org.id}`,
          FeatureSet: 'ALL',
          MasterAccountArn: `arn:${ctx.world.partition}:organizations::${org.managementAccountId}:account/${org.id}/${org.managementAccountId}`,
          MasterAccountId: org.managementAccountId,
          MasterAccountEmail: mgmt?.email ?? `aws+${org.managementAccountId}@example.com`,
          AvailablePolicyTypes: [],
        },
      };
    },
    ListAccounts(ctx, p) {
      const org = requireOrg(ctx);
      const accounts = ctx.world.scenario.accounts.filter((a) => a.listed !== false);
      const { page, NextToken } = paginate(ctx, p, '', accounts);
      return { Accounts: page.map((a) => accountOut(ctx, org, a)), NextToken };
    },
    DescribeAccount(ctx, p) {
      const org = requireOrg(ctx);
      const id = strParam(p, 'AccountId', 'AccountId');
      const a = ctx.world.scenario.accounts.find((x) => x.id === id && x.listed !== false);
      if (!a) throw new AwsError('AccountNotFoundException', "You specified an account that doesn't exist.");
      return { Account: accountOut(ctx, org, a) };
    },
    ListAccountsForParent(ctx, p) {
      const org = requireOrg(ctx);
      const parentId = strParam(p, 'ParentId', 'ParentId');
      requireParent(org, parentId);
      const accounts = ctx.world.scenario.accounts.filter((a) => a.listed !== false && parentOf(org, a) === parentId);
      const { page, NextToken } = paginate(ctx, p, parentId, accounts);
      return { Accounts: page.map((a) => accountOut(ctx, org, a)), NextToken };
    },
    ListRoots(ctx, p) {
      const org = requireOrg(ctx);
      const { page, NextToken } = paginate(ctx, p, '', [org.rootId]);
      return {
        Roots: page.map((id) => ({
          Id: id,
          Arn: `arn:${ctx.world.partition}:organizations::${org.managementAccountId}:root/${org.id}/${id}`,
          Name: 'Root',
          PolicyTypes: [],
        })),
        NextToken,
      };
    },
    ListOrganizationalUnitsForParent(ctx, p) {
      const org = requireOrg(ctx);
      const parentId = strParam(p, 'ParentId', 'ParentId');
      requireParent(org, parentId);
      const ous = (org.ous ?? []).filter((o) => o.parentId === parentId);
      const { page, NextToken } = paginate(ctx, p, parentId, ous);
      return { OrganizationalUnits: page.map((o) => ({ Id: o.id, Arn: ouArn(ctx, org, o.id), Name: o.name })), NextToken };
    },
    ListChildren(ctx, p) {
      const org = requireOrg(ctx);
      const parentId = strParam(p, 'ParentId', 'ParentId');
      const childType = p.ChildType;
      if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') {
        throw invalidInput('INVALID_ENUM', 'You specified an invalid value for ChildType.');
      }
      requireParent(org, parentId);
      const children =
        childType === 'ACCOUNT'
          ? ctx.world.scenario.accounts.filter((a) => a.listed !== false && parentOf(org, a) === parentId).map((a) => ({ Id: a.id, Type: 'ACCOUNT' }))
          : (org.ous ?? []).filter((o) => o.parentId === parentId).map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }));
      const { page, NextToken } = paginate(ctx, p, `${parentId}|${childType}`, children);
      return { Children: page, NextToken };
    },
    DescribeOrganizationalUnit(ctx, p) {
      const org = requireOrg(ctx);
      const id = strParam(p, 'OrganizationalUnitId', 'OrganizationalUnitId');
      const ou = (org.ous ?? []).find((o) => o.id === id);
      if (!ou) throw new AwsError('OrganizationalUnitNotFoundException', "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified.");
      return { OrganizationalUnit: { Id: ou.id, Arn: ouArn(ctx, org, ou.id), Name: ou.name } };
    },
    ListParents(ctx, p) {
      const org = requireOrg(ctx);
      const childId = strParam(p, 'ChildId', 'ChildId');
      let parentId: string | undefined;
      const account = ctx.world.accounts.get(childId);
      if (account) parentId = parentOf(org, account);
      else parentId = (org.ous ?? []).find((o) => o.id === childId)?.parentId;
      if (parentId === undefined) throw new AwsError('ChildNotFoundException', "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
      const parents = [{ Id: parentId, Type: parentId === org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }];
      const { page, NextToken } = paginate(ctx, p, childId, parents);
      return { Parents: page, NextToken };
    },
  },
  describe(_action, p) {
    const out: Record<string, unknown> = {};
    if (p.ParentId !== undefined) out.parentId = p.ParentId;
    if (p.AccountId !== undefined) out.accountId = p.AccountId;
    if (p.ChildId !== undefined) out.childId = p.ChildId;
    if (p.ChildType !== undefined) out.childType = p.ChildType;
    if (p.OrganizationalUnitId !== undefined) out.organizationalUnitId = p.OrganizationalUnitId;
    if (p.MaxResults !== undefined) out.maxResults = p.MaxResults;
    out.nextToken = p.NextToken !== undefined && p.NextToken !== null;
    return out;
  },
};
