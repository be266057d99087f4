/**
 * What to run to fix a FAIL (from the CIS remediation text), with the account's real trail names.
 * Commands preserve what the trail already records: event selector fixes keep data event
 * selectors as they are and only replace how management events are selected.
 *
 * Every command is built with `aws(...)`, which shell-quotes each argument, and only from names
 * and regions that match AWS's patterns: the adapters reject anything else as malformed, and this
 * file refuses again (defence in depth) rather than print a command from text it cannot trust.
 */
import { ACCOUNT_ID, BUCKET_NAME, REGION, TRAIL_NAME } from './identifiers';
import type { AdvancedSelector, ClassicSelector, Finding, TrailFacts, TrailVerdict } from './types';

const CREATE_TRAIL = [
  'aws cloudtrail create-trail --name <trail-name> --bucket-name <log-bucket> --is-multi-region-trail',
  'aws cloudtrail start-logging --name <trail-name>',
  '(A trail created by the CLI without selector options records all read and write management events. Or cover every account at once with an organization trail created in the management account: add --is-organization-trail.)',
];

export function remediationFor(reasons: Finding[], facts: TrailFacts[], verdicts: TrailVerdict[]): string[] {
  const steps: string[] = [];
  const byArn = new Map(facts.map((t) => [t.arn, t]));
  const add = (s: string) => {
    if (!steps.includes(s)) steps.push(s);
  };

  for (const reason of reasons) {
    const trail = reason.trailArn ? byArn.get(reason.trailArn) : undefined;
    switch (reason.code) {
      case 'NO_TRAILS':
        CREATE_TRAIL.forEach(add);
        break;
      case 'NO_MULTI_REGION_TRAIL': {
        const singles = verdicts.filter((v) => !v.isMultiRegionTrail);
        for (const v of singles) add(inOwner(v, trailCommand(v, 'update-trail', '--name', v.name, '--is-multi-region-trail', '--region', v.homeRegion)));
        if (singles.every((v) => v.isOrganizationTrail)) CREATE_TRAIL.forEach(add);
        break;
      }
      case 'NOT_LOGGING':
        if (trail) add(inOwner(trail, trailCommand(trail, 'start-logging', '--name', trail.name, '--region', trail.homeRegion)));
        break;
      case 'NO_MANAGEMENT_EVENTS':
      case 'MANAGEMENT_EVENTS_FILTERED':
      case 'MANAGEMENT_EVENTS_READ_ONLY':
      case 'MANAGEMENT_EVENTS_WRITE_ONLY':
      case 'MANAGEMENT_EVENTS_SPLIT':
      case 'EXCLUDED_EVENT_SOURCES':
        if (trail) add(inOwner(trail, putEventSelectors(trail)));
        break;
      case 'DELIVERY_ERROR':
        if (trail) {
          const bucket = trail.s3BucketName && BUCKET_NAME.test(trail.s3BucketName) ? `bucket ${trail.s3BucketName}` : 'the trail bucket';
          const confirm = trailCommand(trail, 'get-trail-status', '--name', trail.name, '--region', trail.homeRegion);
          add(inOwner(trail, `Let CloudTrail write to ${bucket}: check the bucket policy and any KMS key policy, then confirm with ${confirm}`));
        }
        break;
      case 'ORG_TRAIL_UNVERIFIABLE':
        add(
          `Audit the organization trail's owner account in the same run (it is checked once there and shared), or allow the member audit role cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors on ${reason.trailArn ?? 'the trail'}.`,
        );
        break;
      case 'TRAIL_UNVERIFIED':
        add('Allow the audit role cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors, then run the audit again.');
        break;
    }
  }
  return steps;
}

/** An organization trail is fixed in the account that owns it, not in the member. */
function inOwner(t: { isOrganizationTrail: boolean; ownerAccountId: string }, command: string): string {
  if (!t.isOrganizationTrail) return command;
  const owner = ACCOUNT_ID.test(t.ownerAccountId) ? `account ${t.ownerAccountId}` : 'account';
  return `In the organization trail's owner ${owner} (the fix belongs there): ${command}`;
}

function putEventSelectors(trail: TrailFacts): string {
  const config = trail.details?.ok ? trail.details.selectors : undefined;
  if (config?.kind === 'advanced') {
    const kept = config.selectors.filter((s) => !isManagementSelector(s));
    const selectors: AdvancedSelector[] = [...kept, { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];
    return trailCommand(trail, 'put-event-selectors', '--trail-name', trail.name, '--region', trail.homeRegion, '--advanced-event-selectors', jsonArg(selectors));
  }
  const kept: ClassicSelector[] = (config?.selectors ?? [])
    .filter((s) => (s.DataResources ?? []).length > 0)
    .map((s) => ({ ReadWriteType: s.ReadWriteType ?? 'All', IncludeManagementEvents: false, DataResources: s.DataResources }));
  const selectors: ClassicSelector[] = [{ ReadWriteType: 'All', IncludeManagementEvents: true }, ...kept];
  return trailCommand(trail, 'put-event-selectors', '--trail-name', trail.name, '--region', trail.homeRegion, '--event-selectors', jsonArg(selectors));
}

function isManagementSelector(s: AdvancedSelector): boolean {
  return (s.FieldSelectors ?? []).some((f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management'));
}

/**
 * `aws cloudtrail <subcommand> <args>` for a trail, or, when the trail's name or region does not
 * match AWS's patterns, a sentence that prints neither (the adapters reject such responses first).
 */
function trailCommand(trail: { name: string; homeRegion: string }, subcommand: string, ...args: string[]): string {
  if (!TRAIL_NAME.test(trail.name) || !REGION.test(trail.homeRegion)) {
    return `Fix the trail in the CloudTrail console (${subcommand}): its name or home region as CloudTrail reported it is not valid, so no command is printed from it.`;
  }
  return aws('cloudtrail', subcommand, ...args);
}

/**
 * A JSON argument in printable ASCII only: every other character, and the backtick and single
 * quote, written as a `\\uXXXX` escape (the same JSON to the CLI). Kept selectors carry free text
 * from the response (a selector's Name); so escaped, it cannot close a shell quote, a Slack or
 * Chatbot code span, or move the cursor of a terminal.
 */
export function jsonArg(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]|[`']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An AWS CLI command line in which every argument is shell-quoted. */
export function aws(...args: string[]): string {
  return ['aws', ...args].map(shellQuote).join(' ');
}

/**
 * One argument, safe to paste into a POSIX shell: as it is when it holds only characters no
 * shell gives a meaning to, else in single quotes (as Python's shlex.quote does).
 */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9@%+=:,./_-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
