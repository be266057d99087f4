/** The steps of a scheduled run after the audit (lambda/run/): each alone, with fakes for what it calls. */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { ReportArchive } from '../../lambda/aws/archive';
import type { RunLock } from '../../lambda/aws/run-lock';
import { buildAlertDocument } from '../../lambda/alerts/document';
import { everyRunPlan } from '../../lambda/alerts/plan';
import { snsParts } from '../../lambda/channels/sns-parts';
import { archiveFailure, readPreviousReport, writeReport } from '../../lambda/run/archive-report';
import { compareWithPrevious } from '../../lambda/run/compare';
import { deliverAlert } from '../../lambda/run/deliver';
import { takeRunLock } from '../../lambda/run/lock';
import { reserveMs } from '../../lambda/run/scheduled-run';
import { account, accountId, report } from '../unit/report-fixtures';

/** A logger that keeps every line, as `level message`. */
function recording() {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const failing = report([account(accountId(1), 'FAIL'), account(accountId(2), 'PASS')]);

const beside: Array<{ key: string; body: string; contentType: string }> = [];
function fakeArchive(behaviour: { put?: () => Promise<unknown>; putBeside?: () => Promise<unknown>; previous?: () => Promise<unknown> }) {
  beside.length = 0;
  return {
    bucket: 'reports-bucket',
    reportKey: (r: typeof failing) => `reports/${r.run.id}.json`,
    besideKey: (r: typeof failing, ext: string) => `reports/${r.run.id}.${ext}`,
    putReport: behaviour.put ?? (async () => ({ bucket: 'reports-bucket', key: 'k', uri: 's3://reports-bucket/k' })),
    putBeside:
      behaviour.putBeside ??
      (async (r: typeof failing, ext: string, body: string, contentType: string) => {
        beside.push({ key: `reports/${r.run.id}.${ext}`, body, contentType });
        return { uri: `s3://reports-bucket/reports/${r.run.id}.${ext}` };
      }),
    readPrevious: behaviour.previous ?? (async () => ({ ok: false, missing: true, reason: 'no previous report' })),
  } as unknown as ReportArchive;
}

describe('archive: read the previous report, write this one', () => {
  test('the previous state comes back as the archive gives it, and is logged', async () => {
    const { log, lines } = recording();
    const previous = await readPreviousReport(fakeArchive({ previous: async () => ({ ok: false, missing: true, reason: 'nothing there' }) }), log, 'unused');
    expect(previous).toEqual({ ok: false, missing: true, reason: 'nothing there' });
    expect(lines).toEqual(['info no previous report: this run is a first run']);
    const unreadable = await readPreviousReport(fakeArchive({ previous: async () => ({ ok: false, missing: false, reason: 'unreadable' }) }), log, 'unused');
    expect(unreadable).toEqual({ ok: false, missing: false, reason: 'unreadable' });
    expect(lines.at(-1)).toBe('warn previous report unreadable: this run is a first run');
  });

  test('the write gives the location, no failure', async () => {
    const { log, lines } = recording();
    expect(await writeReport(fakeArchive({ put: async () => ({ uri: 's3://reports-bucket/k' }) }), failing, log)).toEqual({
      location: { uri: 's3://reports-bucket/k', html: { uri: `s3://reports-bucket/reports/${failing.run.id}.html` } },
    });
    expect(lines).toEqual([]);
    // The OCSF form beside it (one Compliance Finding per audited account) and the HTML page.
    expect(beside.map((b) => [b.key, b.contentType])).toEqual([
      [`reports/${failing.run.id}.ocsf.json`, 'application/json'],
      [`reports/${failing.run.id}.html`, 'text/html; charset=utf-8'],
    ]);
    expect(JSON.parse(beside[0].body).map((f: { class_uid: number }) => f.class_uid)).toEqual([2003, 2003]);
    expect(beside[1].body).toMatch(/^<!DOCTYPE html>/i);
  });

  test('a form beside the report that cannot be written: the report is there (its location kept), the failure names the form', async () => {
    const { log } = recording();
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const out = await writeReport(fakeArchive({ putBeside: async () => Promise.reject(denied) }), failing, log);
    expect(out.location).toEqual({ bucket: 'reports-bucket', key: 'k', uri: 's3://reports-bucket/k' });
    expect(out.failure).toBe(denied);
    expect(out.failedKey).toBe(`reports/${failing.run.id}.ocsf.json`);
  });

  test('a failed write is returned, not thrown; the location says why', async () => {
    const { log, lines } = recording();
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const out = await writeReport(fakeArchive({ put: async () => Promise.reject(denied) }), failing, log);
    expect(out.failure).toBe(denied);
    expect(out.failedKey).toBe(`reports/${failing.run.id}.json`);
    expect(out.location).toEqual({ unavailable: `s3://reports-bucket/reports/${failing.run.id}.json could not be written: AccessDenied` });
    expect(lines).toEqual(['error report not archived']);
    const error = archiveFailure(fakeArchive({}), failing, denied, true);
    expect(error.message).toBe(`The report of run ${failing.run.id} could not be archived to s3://reports-bucket/reports/${failing.run.id}.json (AccessDenied: Access Denied); the alert was published, and the next run compares against the last archived report.`);
  });

  test('without an archive: a first run, with the reason given; nothing written', async () => {
    const { log } = recording();
    expect(await readPreviousReport(undefined, log, 'no archive configured')).toEqual({ ok: false, missing: true, reason: 'no archive configured' });
    expect(await writeReport(undefined, failing, log)).toEqual({});
  });
});

describe('compare: the previous state into the plan', () => {
  const settings = { mode: 'changes' as const, reminderDays: 7, publishOnPass: false };
  test('no previous report: a first run that sends every failing account, with the reason kept', () => {
    const { log, lines } = recording();
    const plan = compareWithPrevious(failing, { ok: false, missing: false, reason: 'unreadable pointer' }, settings, new Date(), log);
    expect(plan).toMatchObject({ kind: 'first-run', send: true, previousUnavailable: 'unreadable pointer' });
    expect(lines).toEqual(['info alert plan']);
  });

  test('the same failures as the previous report, reminder not due: nothing is sent', () => {
    const { log } = recording();
    const now = new Date();
    const plan = compareWithPrevious(failing, { ok: true, report: failing, pointer: { lastReminderAt: now.toISOString() } as never }, settings, now, log);
    expect(plan).toMatchObject({ kind: 'changes', send: false });
  });
});

describe('deliver: one publish to the topic, in the topic region', () => {
  test('sends the composed message to the topic and returns its id; a plan that sends nothing publishes nothing', async () => {
    const sent: Array<{ region: string; input: unknown }> = [];
    const clients = { sns: (region: string) => ({ send: async (c: PublishCommand) => (sent.push({ region, input: c.input }), { MessageId: 'm-1' }) }) } as never;
    const topicArn = 'arn:aws:sns:eu-west-1:111111111111:trailcheck';
    const doc = buildAlertDocument(failing, everyRunPlan(failing, false));
    await expect(deliverAlert(doc, { clients, topicArn, parts: snsParts() })).resolves.toMatchObject({ published: true, messageId: 'm-1' });
    expect(sent).toHaveLength(1);
    expect(sent[0].region).toBe('eu-west-1');
    expect(sent[0].input).toMatchObject({ TopicArn: topicArn, MessageStructure: 'json' });
    const passing = report([account(accountId(2), 'PASS')]);
    await expect(deliverAlert(buildAlertDocument(passing, everyRunPlan(passing, false)), { clients, topicArn, parts: snsParts() })).resolves.toMatchObject({ published: false });
    expect(sent).toHaveLength(1);
  });

  test('a failed publish throws', async () => {
    const clients = { sns: () => ({ send: async () => Promise.reject(Object.assign(new Error('denied'), { name: 'AuthorizationError' })) }) } as never;
    const doc = buildAlertDocument(failing, everyRunPlan(failing, false));
    await expect(deliverAlert(doc, { clients, topicArn: 'arn:aws:sns:us-east-1:111111111111:t', parts: snsParts() })).rejects.toThrow('denied');
  });
});

describe('lock: one run at a time, never blocking the audit', () => {
  const lock = (acquire: () => Promise<unknown>) => ({ uri: 's3://b/run.lock', acquire }) as unknown as RunLock;
  test('held by another run: a skipped run naming the lock and the holder', async () => {
    const { log, lines } = recording();
    const holder = { owner: 'req-1', startedAt: 't', expiresAt: 'u' };
    await expect(takeRunLock(lock(async () => ({ acquired: false, reason: 'held', holder })), 'req-2', new Date(), log)).resolves.toEqual({ skipped: true, reason: 'held', lock: 's3://b/run.lock', holder });
    expect(lines).toEqual(['warn run skipped: another run holds the run lock']);
  });

  test('taken: the held lock; S3 failing: no lock, and the audit goes on', async () => {
    const { log, lines } = recording();
    const held = { release: async () => ({ released: true }) };
    await expect(takeRunLock(lock(async () => ({ acquired: true, lock: held })), 'r', new Date(), log)).resolves.toBe(held);
    await expect(takeRunLock(lock(async () => Promise.reject(new Error('unreachable'))), 'r', new Date(), log)).resolves.toBeUndefined();
    expect(lines).toEqual(['error run lock unavailable: auditing without it']);
  });
});

test('the reserve: 10% of what is left, from 10 s to 60 s, never more than half', () => {
  expect([reserveMs(4_000), reserveMs(30_000), reserveMs(300_000), reserveMs(900_000)]).toEqual([2_000, 10_000, 30_000, 60_000]);
});
