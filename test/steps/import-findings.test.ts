import type { AwsCredentialIdentity } from '@smithy/types';
import { AwsServiceError } from '../../lambda/aws/wire';
import type { BatchImportOutput, SecurityHubApi } from '../../lambda/aws/security-hub';
import { importFindings, type ImportFindingsDeps } from '../../lambda/run/import-findings';
import type { AuditReport } from '../../lambda/report-format';
import { account, accountId, CALLER, report } from '../unit/report-fixtures';

const NOW = new Date('2026-02-01T06:00:00.000Z');
const silent = { debug() {}, info() {}, warn: jest.fn(), error: jest.fn() };
const err = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status, undefined, undefined);

/** A fake Security Hub: per account, an answer or an error; records who sent what. */
function fakeHub(behaviour: Record<string, (findings: readonly any[]) => Promise<BatchImportOutput>> = {}) {
  const calls: Array<{ region: string; as?: string; findings: any[] }> = [];
  const ok = async (f: readonly any[]) => ({ SuccessCount: f.length, FailedCount: 0, FailedFindings: [] });
  return {
    calls,
    securityHub(region: string, credentials?: AwsCredentialIdentity): SecurityHubApi {
      return {
        batchImportFindings: async (findings) => {
          const as = credentials?.accessKeyId;
          calls.push({ region, as, findings: [...findings] });
          return (behaviour[(findings[0] as { AwsAccountId: string }).AwsAccountId] ?? ok)(findings);
        },
      };
    },
  };
}

const credentialsFor = async (id: string) => (id === CALLER ? undefined : { accessKeyId: `ASIA${id}`, secretAccessKey: 's' });
const deps = (clients: ImportFindingsDeps['clients'], extra: Partial<ImportFindingsDeps> = {}): ImportFindingsDeps => ({ credentialsFor, clients, region: 'eu-west-1', log: silent, now: () => NOW, ...extra });
const verdicts = (r: AuditReport) => r.accounts.map(({ securityHubFinding: _s, ...a }) => a);

describe('importFindings', () => {
  const base = report([account(CALLER, 'PASS'), account(accountId(2), 'FAIL'), account(accountId(3), 'ERROR'), account(accountId(4), 'SKIPPED')]);

  it('imports each account’s finding as that account (the management account with its own credentials), in the Security Hub region', async () => {
    const hub = fakeHub();
    const out = await importFindings(base, deps(hub));
    expect(hub.calls.map((c) => [c.region, c.as, c.findings.map((f) => f.AwsAccountId)])).toEqual([
      ['eu-west-1', undefined, [CALLER]],
      ['eu-west-1', `ASIA${accountId(2)}`, [accountId(2)]],
      ['eu-west-1', `ASIA${accountId(3)}`, [accountId(3)]],
    ]);
    expect(out.run.securityHub).toEqual({ region: 'eu-west-1', imported: 3, failed: 0, archived: 0, notEnabled: [] });
    expect(out.accounts[1].securityHubFinding).toEqual({ id: `trailcheck/aws/${accountId(2)}/cis-cloudtrail-all-regions`, createdAt: NOW.toISOString(), recordState: 'ACTIVE', imported: true });
    expect(out.accounts[3].securityHubFinding).toBeUndefined();
    expect(out.run.notes).toEqual([]);
    expect(verdicts(out)).toEqual(base.accounts);
    expect(out.summary).toEqual(base.summary);
    // The input is not edited.
    expect(base.accounts[0].securityHubFinding).toBeUndefined();
  });

  it('the next run keeps CreatedAt, and archives the account that became SKIPPED as that account', async () => {
    const first = await importFindings(base, deps(fakeHub()));
    const next = report([account(CALLER, 'PASS'), account(accountId(2), 'SKIPPED'), account(accountId(3), 'ERROR'), account(accountId(4), 'SKIPPED')]);
    const hub = fakeHub();
    const later = new Date('2026-02-02T06:00:00.000Z');
    const out = await importFindings(next, deps(hub, { previous: first, now: () => later }));
    const archivedCall = hub.calls.find((c) => c.findings[0].AwsAccountId === accountId(2));
    expect(archivedCall?.findings.map((f) => [f.RecordState, f.CreatedAt, f.UpdatedAt])).toEqual([['ARCHIVED', NOW.toISOString(), later.toISOString()]]);
    expect(archivedCall?.as).toBe(`ASIA${accountId(2)}`);
    expect(out.run.securityHub?.archived).toBe(1);
    expect(out.accounts[1].securityHubFinding).toMatchObject({ recordState: 'ARCHIVED', createdAt: NOW.toISOString() });
    expect(out.accounts[0].securityHubFinding?.createdAt).toBe(NOW.toISOString());
    // Still SKIPPED a run later: not archived again, and the record (with CreatedAt) is kept.
    const hub3 = fakeHub();
    const third = await importFindings(next, deps(hub3, { previous: out }));
    expect(hub3.calls.some((c) => c.findings[0].AwsAccountId === accountId(2))).toBe(false);
    expect(third.accounts[1].securityHubFinding).toMatchObject({ recordState: 'ARCHIVED', createdAt: NOW.toISOString(), imported: false });
  });

  it('not enabled, denied, throttled, refused findings and missing credentials: one note each, verdicts unchanged, never a throw', async () => {
    const r = report([account(CALLER, 'PASS'), ...[2, 3, 4, 5, 6, 7].map((n) => account(accountId(n), 'FAIL'))]);
    const hub = fakeHub({
      [accountId(2)]: () => Promise.reject(err('InvalidAccessException', `Account ${accountId(2)} is not subscribed to AWS Security Hub`, 401)),
      [accountId(3)]: () => Promise.reject(err('InvalidAccessException', `Account ${accountId(3)} is not subscribed to AWS Security Hub`, 401)),
      [accountId(4)]: () => Promise.reject(err('AccessDeniedException', 'not authorized to perform securityhub:BatchImportFindings')),
      [accountId(5)]: () => Promise.reject(err('ThrottlingException', 'Rate exceeded', 429)),
      [accountId(6)]: async (f) => ({ SuccessCount: 0, FailedCount: 1, FailedFindings: [{ Id: f[0].Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding does not adhere\u001b[2J' }] }),
    });
    const creds = (id: string) => (id === accountId(7) ? Promise.reject(err('AccessDenied', 'cannot assume')) : credentialsFor(id));
    const warn = jest.fn();
    const out = await importFindings(r, deps(hub, { credentialsFor: creds, log: { ...silent, warn } }));
    expect(out.run.securityHub).toEqual({ region: 'eu-west-1', imported: 1, failed: 6, archived: 0, notEnabled: [accountId(2), accountId(3)] });
    expect(out.run.notes).toHaveLength(5);
    expect(out.run.notes[0]).toMatch(new RegExp(`^Security Hub is not enabled in eu-west-1 in 2 accounts \\(${accountId(2)}, ${accountId(3)}\\)`));
    expect(out.run.notes[1]).toMatch(/denied in 1 account \(100000000004\).*securityhub:BatchImportFindings/);
    expect(out.run.notes[2]).toMatch(/throttled .* 1 account \(100000000005\)/);
    expect(out.run.notes[3]).toMatch(/No credentials .* 1 account \(100000000007\).*AccessDenied: cannot assume/);
    expect(out.run.notes[4]).toMatch(/refused 1 finding \(first: account 100000000006, InvalidInput: Finding does not adhere\\u001b\[2J\)/);
    expect(warn).toHaveBeenCalledTimes(5);
    expect(out.accounts.find((a) => a.accountId === accountId(6))?.securityHubFinding).toMatchObject({ imported: false, error: expect.stringContaining('InvalidInput') });
    expect(verdicts(out)).toEqual(r.accounts);
    expect(out.summary).toEqual(r.summary);
    expect(out.run.errors).toEqual(r.run.errors);
  });

  it('a bug below it (a throwing client factory) is a note, not a failed run', async () => {
    const clients = {
      securityHub(): SecurityHubApi {
        throw new Error('boom');
      },
    };
    const out = await importFindings(base, deps(clients));
    // The factory throws inside each account's task: every account is a failed import, with a note.
    expect(out.run.notes.join(' ')).toMatch(/boom/);
    expect(verdicts(out)).toEqual(base.accounts);
    const broken = await importFindings({ ...base, accounts: null as never }, deps(fakeHub()));
    expect(broken.run.notes.at(-1)).toMatch(/^Security Hub findings were not imported: /);
  });

  it('bounded concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const clients = {
      securityHub: (): SecurityHubApi => ({
        async batchImportFindings(f) {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          return { SuccessCount: f.length, FailedCount: 0, FailedFindings: [] };
        },
      }),
    };
    const many = report(Array.from({ length: 30 }, (_, i) => account(accountId(100 + i), 'PASS')));
    const out = await importFindings(many, deps(clients, { concurrency: 4 }));
    expect(peak).toBe(4);
    expect(out.run.securityHub?.imported).toBe(30);
  });
});
