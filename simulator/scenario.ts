/**
 * Loading and validating scenario files. `parseScenario` checks the whole shape and the
 * cross-references, and reports every problem with the file name and the JSON path, e.g.
 * `demo.json: accounts[3].id: expected a 12-digit account id, got "12345"`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { LatencySpec, Scenario } from './scenario-types';

/** The 17 regions enabled by default in every commercial account. */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
];

export class ScenarioError extends Error {
  /** Every problem found, one per entry (the message joins them with new lines). */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/** Reads and validates a scenario file. Throws `ScenarioError`. */
export function loadScenario(path: string): Scenario {
  const source = basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError([`${source}: cannot read ${path}: ${(e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError([`${source}: invalid JSON: ${(e as Error).message}`]);
  }
  return parseScenario(json, source);
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ACCESS_KEY = /^[A-Z0-9]{16,128}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** CloudTrail trail names: 3–128 characters, letters, digits, `.`, `_`, `-`; start and end with a letter or digit. */
export const TRAIL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{1,126})[A-Za-z0-9]$/;
const SNS_TOPIC_ARN = /^arn:(aws|aws-us-gov|aws-cn):sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const SERVICES = ['sts', 'organizations', 'cloudtrail', 'sns', 's3', 'secretsmanager', 'securityhub'];
/** S3 bucket names: 3–63 of lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;
const FAULT_KINDS = ['error', 'reset', 'hang', 'delay', 'malformed'];

type Obj = Record<string, unknown>;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v);
  } catch {
    s = String(v);
  }
  if (s === undefined) s = String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

class Checker {
  readonly problems: string[] = [];
  constructor(private readonly source: string) {}

  fail(path: string, expected: string, got: unknown): void {
    this.problems.push(`${this.source}: ${path}: expected ${expected}, got ${show(got)}`);
  }
  problem(path: string, text: string): void {
    this.problems.push(`${this.source}: ${path}: ${text}`);
  }

  object(v: unknown, path: string): v is Obj {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return true;
    this.fail(path, 'an object', v);
    return false;
  }
  array(v: unknown, path: string): v is unknown[] {
    if (Array.isArray(v)) return true;
    this.fail(path, 'an array', v);
    return false;
  }
  /** Checks a value against a pattern; `optional` accepts undefined. */
  str(v: unknown, path: string, expected: string, re?: RegExp, optional = false): v is string {
    if (v === undefined && optional) return false;
    if (typeof v === 'string' && v.length > 0 && (!re || re.test(v))) return true;
    this.fail(path, expected, v);
    return false;
  }
  bool(v: unknown, path: string, optional = true): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'boolean') this.fail(path, 'true or false', v);
  }
  oneOf(v: unknown, path: string, values: readonly string[], optional = true): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !values.includes(v)) this.fail(path, `one of ${values.map((x) => `"${x}"`).join(', ')}`, v);
  }
  int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER, optional = true): void {
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(path, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`, v);
    }
  }
  stringArray(v: unknown, path: string, optional = true): void {
    if (v === undefined && optional) return;
    if (!this.array(v, path)) return;
    v.forEach((x, i) => {
      if (typeof x !== 'string') this.fail(`${path}[${i}]`, 'a string', x);
    });
  }
  /** Flags keys the shape does not know (catches typos such as `isMultiregionTrail`). */
  known(o: Obj, path: string, keys: readonly string[]): void {
    for (const k of Object.keys(o)) {
      // `_note`, `$schema`, `description` and `comment` are free annotations.
      if (k.startsWith('_') || k.startsWith('$') || k === 'description' || k === 'comment') continue;
      if (!keys.includes(k)) this.problem(path ? `${path}.${k}` : k, `unknown field (expected one of ${keys.join(', ')})`);
    }
  }
}

function checkLatencySpec(c: Checker, v: unknown, path: string): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) c.fail(path, 'a latency in milliseconds >= 0', v);
    return;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Obj;
    c.known(o, path, ['min', 'max']);
    const okMin = typeof o.min === 'number' && Number.isFinite(o.min) && o.min >= 0;
    const okMax = typeof o.max === 'number' && Number.isFinite(o.max) && o.max >= 0;
    if (!okMin) c.fail(`${path}.min`, 'a latency in milliseconds >= 0', o.min);
    if (!okMax) c.fail(`${path}.max`, 'a latency in milliseconds >= 0', o.max);
    if (okMin && okMax && (o.min as number) > (o.max as number)) c.fail(`${path}.max`, `a value >= min (${o.min as number})`, o.max);
    return;
  }
  c.fail(path, 'a number of milliseconds or {"min": ms, "max": ms}', v);
}

/**
 * Validates `json` as a scenario. `source` names the file in messages. Returns the same object,
 * typed; throws `ScenarioError` listing every problem.
 */
export function parseScenario(json: unknown, source: string): Scenario {
  const c = new Checker(source);
  if (!c.object(json, '(root)')) throw new ScenarioError(c.problems);
  const s = json;
  c.known(s, '', ['partition', 'regions', 'organization', 'caller', 'accounts', 'topics', 'buckets', 'secrets', 'securityHub', 'faults', 'latency', 'clockOffsetSeconds']);

  c.oneOf(s.partition, 'partition', ['aws', 'aws-us-gov', 'aws-cn']);

  // Regions
  let regions: string[] = [...DEFAULT_REGIONS];
  if (s.regions !== undefined && c.array(s.regions, 'regions')) {
    if (s.regions.length === 0) c.problem('regions', 'expected at least one region, got []');
    const seen = new Set<string>();
    s.regions.forEach((r, i) => {
      if (c.str(r, `regions[${i}]`, 'a region name such as "us-east-1"', REGION)) {
        if (seen.has(r)) c.problem(`regions[${i}]`, `duplicate region "${r}"`);
        seen.add(r);
      }
    });
    regions = s.regions.filter((r): r is string => typeof r === 'string');
  }

  // Organization
  const rootIds = new Set<string>();
  const ouIds = new Set<string>();
  let org: Obj | undefined;
  if (s.organization !== undefined && c.object(s.organization, 'organization')) {
    org = s.organization;
    c.known(org, 'organization', ['id', 'managementAccountId', 'rootId', 'delegatedAdministrators', 'ous']);
    c.str(org.id, 'organization.id', 'an organization id such as "o-a1b2c3d4e5"', ORG_ID);
    c.str(org.managementAccountId, 'organization.managementAccountId', 'a 12-digit account id', ACCOUNT_ID);
    if (c.str(org.rootId, 'organization.rootId', 'a root id such as "r-ab12"', ROOT_ID)) rootIds.add(org.rootId);
    if (org.delegatedAdministrators !== undefined && c.array(org.delegatedAdministrators, 'organization.delegatedAdministrators')) {
      org.delegatedAdministrators.forEach((d, i) => c.str(d, `organization.delegatedAdministrators[${i}]`, 'a 12-digit account id', ACCOUNT_ID));
    }
    if (org.ous !== undefined && c.array(org.ous, 'organization.ous')) {
      const ous = org.ous;
      ous.forEach((ou, i) => {
        const p = `organization.ous[${i}]`;
        if (!c.object(ou, p)) return;
        c.known(ou, p, ['id', 'name', 'parentId']);
        if (c.str(ou.id, `${p}.id`, 'an OU id such as "ou-ab12-cd34ef56"', OU_ID)) {
          if (ouIds.has(ou.id)) c.problem(`${p}.id`, `duplicate OU id "${ou.id}"`);
          ouIds.add(ou.id);
        }
        c.str(ou.name, `${p}.name`, 'a non-empty OU name');
        c.str(ou.parentId, `${p}.parentId`, 'the root id or an OU id');
      });
      // Parent references and cycles.
      const parentOf = new Map<string, string>();
      ous.forEach((ou, i) => {
        if (typeof ou !== 'object' || ou === null) return;
        const o = ou as Obj;
        if (typeof o.id !== 'string' || typeof o.parentId !== 'string') return;
        if (!rootIds.has(o.parentId) && !ouIds.has(o.parentId)) {
          c.problem(`organization.ous[${i}].parentId`, `"${o.parentId}" is neither the root id nor an OU id of this organization`);
        }
        parentOf.set(o.id, o.parentId);
      });
      for (const [id] of parentOf) {
        const seen = new Set<string>([id]);
        let cur = parentOf.get(id);
        while (cur !== undefined && !rootIds.has(cur)) {
          if (seen.has(cur)) {
            c.problem('organization.ous', `OU "${id}" is its own ancestor (cycle through "${cur}")`);
            break;
          }
          seen.add(cur);
          cur = parentOf.get(cur);
        }
      }
    }
  }

  // Caller
  if (c.object(s.caller, 'caller')) {
    const k = s.caller;
    c.known(k, 'caller', ['accountId', 'accessKeyId', 'secretAccessKey', 'principal']);
    c.str(k.accountId, 'caller.accountId', 'a 12-digit account id', ACCOUNT_ID);
    if (c.str(k.accessKeyId, 'caller.accessKeyId', 'an access key id such as "AKIAIOSFODNN7EXAMPLE" (16+ upper-case letters/digits)', ACCESS_KEY)) {
      if (k.accessKeyId.startsWith('ASIA')) c.fail('caller.accessKeyId', 'a long-term key (not starting with ASIA, which the simulator issues)', k.accessKeyId);
    }
    c.str(k.secretAccessKey, 'caller.secretAccessKey', 'a non-empty secret');
    c.str(k.principal, 'caller.principal', 'an IAM principal such as "user/trailcheck" or "assumed-role/Role/session"', /^(user|role|assumed-role)\/\S+$/, true);
  }

  // Accounts
  const accountIds = new Set<string>();
  const mgmt = org && typeof org.managementAccountId === 'string' ? org.managementAccountId : undefined;
  if (c.array(s.accounts, 'accounts')) {
    s.accounts.forEach((a, i) => {
      const p = `accounts[${i}]`;
      if (!c.object(a, p)) return;
      c.known(a, p, ['id', 'name', 'email', 'state', 'parentId', 'listed', 'roles', 'trails']);
      if (c.str(a.id, `${p}.id`, 'a 12-digit account id', ACCOUNT_ID)) {
        if (accountIds.has(a.id)) c.problem(`${p}.id`, `duplicate account id "${a.id}"`);
        accountIds.add(a.id);
      }
      c.str(a.name, `${p}.name`, 'a non-empty account name');
      c.str(a.email, `${p}.email`, 'an e-mail address', /^[^@\s]+@[^@\s]+$/, true);
      c.str(a.state, `${p}.state`, 'an account state (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED)', /^[A-Z_]+$/, true);
      c.bool(a.listed, `${p}.listed`);
      if (a.parentId !== undefined) {
        if (c.str(a.parentId, `${p}.parentId`, 'the root id or an OU id')) {
          if (!org) c.problem(`${p}.parentId`, 'set, but the scenario has no organization');
          else if (!rootIds.has(a.parentId) && !ouIds.has(a.parentId)) {
            c.problem(`${p}.parentId`, `"${a.parentId}" is neither the root id nor an OU id of this organization`);
          }
        }
      }
      if (a.roles !== undefined && c.array(a.roles, `${p}.roles`)) {
        const names = new Set<string>();
        a.roles.forEach((r, j) => {
          const rp = `${p}.roles[${j}]`;
          if (!c.object(r, rp)) return;
          c.known(r, rp, ['name', 'externalId', 'trust', 'maxSessionDuration']);
          if (c.str(r.name, `${rp}.name`, 'a role name (1–64 of letters, digits, +=,.@_-)', ROLE_NAME)) {
            if (names.has(r.name)) c.problem(`${rp}.name`, `duplicate role name "${r.name}"`);
            names.add(r.name);
          }
          c.str(r.externalId, `${rp}.externalId`, 'an external id (2–1224 characters)', /^[\w+=,.@:/-]{2,1224}$/, true);
          c.oneOf(r.trust, `${rp}.trust`, ['allow', 'deny']);
          c.int(r.maxSessionDuration, `${rp}.maxSessionDuration`, 3600, 43200);
        });
      }
      if (a.trails !== undefined && c.array(a.trails, `${p}.trails`)) {
        const names = new Set<string>();
        a.trails.forEach((t, j) => {
          const tp = `${p}.trails[${j}]`;
          if (!c.object(t, tp)) return;
          c.known(t, tp, [
            'name',
            'homeRegion',
            'isMultiRegionTrail',
            'isOrganizationTrail',
            'includeGlobalServiceEvents',
            's3BucketName',
            'status',
            'eventSelectors',
            'advancedEventSelectors',
            'memberAccess',
          ]);
          if (c.str(t.name, `${tp}.name`, 'a trail name (3–128 of letters, digits, ._-, starting and ending with a letter or digit)', TRAIL_NAME)) {
            if (names.has(t.name)) c.problem(`${tp}.name`, `duplicate trail name "${t.name}" in this account`);
            names.add(t.name);
          }
          if (c.str(t.homeRegion, `${tp}.homeRegion`, 'a region name such as "us-east-1"', REGION)) {
            if (!regions.includes(t.homeRegion)) c.problem(`${tp}.homeRegion`, `"${t.homeRegion}" is not one of the scenario's regions`);
          }
          c.bool(t.isMultiRegionTrail, `${tp}.isMultiRegionTrail`, false);
          c.bool(t.isOrganizationTrail, `${tp}.isOrganizationTrail`);
          c.bool(t.includeGlobalServiceEvents, `${tp}.includeGlobalServiceEvents`);
          c.str(t.s3BucketName, `${tp}.s3BucketName`, 'an S3 bucket name', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, true);
          if (t.isOrganizationTrail === true) {
            if (!org) c.problem(`${tp}.isOrganizationTrail`, 'true, but the scenario has no organization');
            else if (typeof a.id === 'string' && mgmt !== undefined && a.id !== mgmt) {
              c.problem(`${tp}.isOrganizationTrail`, `organization trails must be owned by the management account ${mgmt}, not ${a.id}`);
            }
          }
          if (c.object(t.status, `${tp}.status`)) {
            c.known(t.status, `${tp}.status`, ['isLogging', 'latestDeliveryError']);
            c.bool(t.status.isLogging, `${tp}.status.isLogging`, false);
            c.str(t.status.latestDeliveryError, `${tp}.status.latestDeliveryError`, 'a non-empty string', undefined, true);
          }
          if (t.eventSelectors !== undefined && t.advancedEventSelectors !== undefined) {
            c.problem(tp, 'has both eventSelectors and advancedEventSelectors (a trail has one kind or the other)');
          }
          if (t.eventSelectors !== undefined && c.array(t.eventSelectors, `${tp}.eventSelectors`)) {
            if (t.eventSelectors.length > 5) c.fail(`${tp}.eventSelectors`, 'at most 5 event selectors', `${t.eventSelectors.length} selectors`);
            t.eventSelectors.forEach((es, k) => {
              const ep = `${tp}.eventSelectors[${k}]`;
              if (!c.object(es, ep)) return;
              c.known(es, ep, ['readWriteType', 'includeManagementEvents', 'excludeManagementEventSources', 'dataResources']);
              c.oneOf(es.readWriteType, `${ep}.readWriteType`, ['ReadOnly', 'WriteOnly', 'All']);
              c.bool(es.includeManagementEvents, `${ep}.includeManagementEvents`);
              c.stringArray(es.excludeManagementEventSources, `${ep}.excludeManagementEventSources`);
              if (es.dataResources !== undefined && c.array(es.dataResources, `${ep}.dataResources`)) {
                es.dataResources.forEach((dr, m) => {
                  const dp = `${ep}.dataResources[${m}]`;
                  if (!c.object(dr, dp)) return;
                  c.known(dr, dp, ['type', 'values']);
                  c.str(dr.type, `${dp}.type`, 'a resource type such as "AWS::S3::Object"');
                  c.stringArray(dr.values, `${dp}.values`, false);
                });
              }
            });
          }
          if (t.advancedEventSelectors !== undefined && c.array(t.advancedEventSelectors, `${tp}.advancedEventSelectors`)) {
            t.advancedEventSelectors.forEach((as, k) => {
              const ap = `${tp}.advancedEventSelectors[${k}]`;
              if (!c.object(as, ap)) return;
              c.known(as, ap, ['name', 'fieldSelectors']);
              c.str(as.name, `${ap}.name`, 'a non-empty name', undefined, true);
              if (c.array(as.fieldSelectors, `${ap}.fieldSelectors`)) {
                if (as.fieldSelectors.length === 0) c.fail(`${ap}.fieldSelectors`, 'at least one field selector', []);
                as.fieldSelectors.forEach((fs, m) => {
                  const fp = `${ap}.fieldSelectors[${m}]`;
                  if (!c.object(fs, fp)) return;
                  const ops = ['equals', 'startsWith', 'endsWith', 'notEquals', 'notStartsWith', 'notEndsWith'];
                  c.known(fs, fp, ['field', ...ops]);
                  c.str(fs.field, `${fp}.field`, 'a field name such as "eventCategory" or "readOnly"');
                  for (const op of ops) c.stringArray(fs[op], `${fp}.${op}`);
                  if (!ops.some((op) => fs[op] !== undefined)) c.problem(fp, `expected at least one of ${ops.join(', ')}`);
                });
              }
            });
          }
          c.oneOf(t.memberAccess, `${tp}.memberAccess`, ['allow', 'TrailNotFoundException', 'AccessDeniedException', 'CloudTrailARNInvalidException']);
        });
      }
    });
  }

  // Cross-checks with the organization.
  if (org) {
    if (typeof org.managementAccountId === 'string' && ACCOUNT_ID.test(org.managementAccountId) && !accountIds.has(org.managementAccountId)) {
      c.problem('organization.managementAccountId', `"${org.managementAccountId}" is not among accounts[].id`);
    }
    if (Array.isArray(org.delegatedAdministrators)) {
      org.delegatedAdministrators.forEach((d, i) => {
        if (typeof d === 'string' && ACCOUNT_ID.test(d) && !accountIds.has(d)) {
          c.problem(`organization.delegatedAdministrators[${i}]`, `"${d}" is not among accounts[].id`);
        }
      });
    }
    const callerId = typeof s.caller === 'object' && s.caller !== null ? (s.caller as Obj).accountId : undefined;
    if (typeof callerId === 'string' && ACCOUNT_ID.test(callerId) && !accountIds.has(callerId)) {
      c.problem('caller.accountId', `"${callerId}" is not among accounts[].id (required when the scenario has an organization)`);
    }
  }

  // Topics
  if (s.topics !== undefined && c.array(s.topics, 'topics')) {
    s.topics.forEach((t, i) => c.str(t, `topics[${i}]`, 'an SNS topic ARN such as "arn:aws:sns:us-east-1:111111111111:alerts"', SNS_TOPIC_ARN));
  }

  // Buckets
  if (s.buckets !== undefined && c.array(s.buckets, 'buckets')) {
    const seen = new Set<string>();
    s.buckets.forEach((b, i) => {
      if (c.str(b, `buckets[${i}]`, 'an S3 bucket name (3-63 of a-z, 0-9, ".", "-")', BUCKET_NAME)) {
        if (seen.has(b)) c.problem(`buckets[${i}]`, `duplicate bucket "${b}"`);
        seen.add(b);
      }
    });
  }

  // Secrets
  if (s.secrets !== undefined && c.array(s.secrets, 'secrets')) {
    const seen = new Set<string>();
    s.secrets.forEach((x, i) => {
      const p = `secrets[${i}]`;
      if (!c.object(x, p)) return;
      c.known(x, p, ['name', 'value', 'region']);
      if (c.str(x.name, `${p}.name`, 'a secret name (1-512 of letters, digits, /_+=.@-)', SECRET_NAME)) {
        if (seen.has(x.name)) c.problem(`${p}.name`, `duplicate secret "${x.name}"`);
        seen.add(x.name);
      }
      if (typeof x.value !== 'string') c.fail(`${p}.value`, 'a string (the SecretString)', x.value);
      if (c.str(x.region, `${p}.region`, 'a region name such as "us-east-1"', REGION, true) && !regions.includes(x.region)) {
        c.problem(`${p}.region`, `"${x.region}" is not one of the scenario's regions`);
      }
    });
  }

  // Security Hub
  if (s.securityHub !== undefined && c.object(s.securityHub, 'securityHub')) {
    c.known(s.securityHub, 'securityHub', ['notEnabled']);
    const ids = s.securityHub.notEnabled;
    if (ids !== undefined && c.array(ids, 'securityHub.notEnabled')) ids.forEach((id, i) => c.str(id, `securityHub.notEnabled[${i}]`, 'a 12-digit account id', /^\d{12}$/));
  }

  // Faults
  if (s.faults !== undefined && c.array(s.faults, 'faults')) {
    s.faults.forEach((f, i) => {
      const p = `faults[${i}]`;
      if (!c.object(f, p)) return;
      c.known(f, p, ['service', 'action', 'account', 'targetAccount', 'region', 'kind', 'code', 'status', 'message', 'delayMs', 'body', 'times', 'after', 'probability']);
      c.oneOf(f.service, `${p}.service`, SERVICES, false);
      c.str(f.action, `${p}.action`, 'an API action name such as "ListAccounts"', /^[A-Z][A-Za-z0-9]+$/, true);
      c.str(f.account, `${p}.account`, 'a 12-digit account id', ACCOUNT_ID, true);
      c.str(f.targetAccount, `${p}.targetAccount`, 'a 12-digit account id', ACCOUNT_ID, true);
      c.str(f.region, `${p}.region`, 'a region name such as "us-east-1"', REGION, true);
      c.oneOf(f.kind, `${p}.kind`, FAULT_KINDS, false);
      if (f.kind === 'error') c.str(f.code, `${p}.code`, 'an AWS error code such as "ThrottlingException" (required for kind "error")', /^[A-Za-z][A-Za-z0-9.]*$/);
      else c.str(f.code, `${p}.code`, 'an AWS error code', /^[A-Za-z][A-Za-z0-9.]*$/, true);
      c.int(f.status, `${p}.status`, 400, 599);
      if (f.message !== undefined && typeof f.message !== 'string') c.fail(`${p}.message`, 'a string', f.message);
      if (f.kind === 'delay') c.int(f.delayMs, `${p}.delayMs`, 0, Number.MAX_SAFE_INTEGER, false);
      else c.int(f.delayMs, `${p}.delayMs`, 0);
      if (f.kind === 'malformed' && typeof f.body !== 'string') c.fail(`${p}.body`, 'a string (the response body, required for kind "malformed")', f.body);
      else if (f.body !== undefined && typeof f.body !== 'string') c.fail(`${p}.body`, 'a string', f.body);
      c.int(f.times, `${p}.times`, 1);
      c.int(f.after, `${p}.after`, 0);
      if (f.probability !== undefined && !(typeof f.probability === 'number' && f.probability > 0 && f.probability <= 1)) c.fail(`${p}.probability`, 'a number greater than 0 and at most 1', f.probability);
    });
  }

  // A clock a week off is a typo, not a laptop.
  if (s.clockOffsetSeconds !== undefined && !(typeof s.clockOffsetSeconds === 'number' && Number.isFinite(s.clockOffsetSeconds) && Math.abs(s.clockOffsetSeconds) <= 7 * 86_400)) {
    c.fail('clockOffsetSeconds', 'a number of seconds from -604800 to 604800', s.clockOffsetSeconds);
  }

  // Latency
  if (s.latency !== undefined && c.object(s.latency, 'latency')) {
    const l = s.latency;
    c.known(l, 'latency', ['default', 'byAction', 'seed']);
    if (l.default !== undefined) checkLatencySpec(c, l.default, 'latency.default');
    if (l.byAction !== undefined && c.object(l.byAction, 'latency.byAction')) {
      for (const [k, v] of Object.entries(l.byAction)) checkLatencySpec(c, v as LatencySpec, `latency.byAction.${k}`);
    }
    c.int(l.seed, 'latency.seed', 0, 0xffffffff);
  }

  if (c.problems.length > 0) throw new ScenarioError(c.problems);
  return s as unknown as Scenario;
}
