/**
 * Alert routes (lambda/channels/routes.ts): each route's topic receives the alert about its
 * accounts only, by their membership now (nested OUs, an account in two routes, an account that
 * moved OU), nothing when none of its accounts is in the alert, and a note when an OU could not
 * be read; one route failing to publish stops no other. And what must never happen: an account
 * of one route reaching another's topic.
 */
import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAlertDocument, type AlertDocument } from '../../lambda/alerts/document';
import { everyRunPlan, planAlert } from '../../lambda/alerts/plan';
import { resolveOuMembers, type OuMembers } from '../../lambda/audit/ou-members';
import type { JsonMessage } from '../../lambda/aws/sns';
import { deliverRoutes, routeDocuments, routeNotes } from '../../lambda/channels/routes';
import { ATTRIBUTES, composeSnsMessage, deliverBySns, MAX_ATTRIBUTES, messageAttributes } from '../../lambda/channels/sns';
import { snsParts } from '../../lambda/channels/sns-parts';
import type { AuditReport } from '../../lambda/report-format';
import type { RouteTarget } from '../../lambda/routes';
import { account, report } from '../unit/report-fixtures';

const PAY = 'ou-ab12-payments1';
const PAY_CHILD = 'ou-ab12-paychild1';
const PAY_GRANDCHILD = 'ou-ab12-paygrand1';
const DATA = 'ou-ab12-dataplat1';
const BROKEN = 'ou-ab12-brokenou1';

const P1 = '210000000001';
const P2 = '210000000002';
const P3 = '210000000003';
const D1 = '310000000001';
const S1 = '410000000001';
const X1 = '510000000001';
const Z1 = '610000000001';

const CENTRAL = 'arn:aws:sns:eu-west-1:123456789012:trailcheck-alerts';
const topic = (name: string) => `arn:aws:sns:eu-west-1:123456789012:trailcheck-route-${name}`;

const ROUTES: RouteTarget[] = [
  { name: 'payments', ous: [PAY], accounts: [S1] },
  { name: 'data', ous: [DATA], accounts: [] },
  { name: 'broken', ous: [BROKEN], accounts: [] },
  { name: 'quiet', ous: [], accounts: [X1] },
];

const org = mockClient(OrganizationsClient);

/** The organization: payments > child > grandchild (nested), data, and an OU the function may not read. */
function organization(): void {
  org.reset();
  const accounts: Record<string, string[]> = { [PAY]: [P1], [PAY_CHILD]: [P2], [PAY_GRANDCHILD]: [P3], [DATA]: [D1, S1] };
  const children: Record<string, string[]> = { [PAY]: [PAY_CHILD], [PAY_CHILD]: [PAY_GRANDCHILD] };
  org.on(ListAccountsForParentCommand).callsFake((input: { ParentId: string }) => {
    if (input.ParentId === BROKEN) throw Object.assign(new Error('You are not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    return { Accounts: (accounts[input.ParentId] ?? []).map((Id) => ({ Id })) };
  });
  org.on(ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string }) => ({ OrganizationalUnits: (children[input.ParentId] ?? []).map((Id) => ({ Id })) }));
}

async function members(): Promise<OuMembers> {
  organization();
  return resolveOuMembers(new OrganizationsClient({ region: 'eu-west-1' }), ROUTES.flatMap((r) => r.ous), 'eu-west-1');
}

function current(notes: string[] = []): AuditReport {
  return report(
    [
      account(P1, 'FAIL', { ouId: PAY }),
      account(P2, 'ERROR', { ouId: PAY_CHILD }),
      account(P3, 'FAIL', { ouId: PAY_GRANDCHILD }),
      account(D1, 'FAIL', { ouId: DATA }),
      account(S1, 'FAIL', { ouId: DATA }),
      account(X1, 'PASS'),
      account(Z1, 'FAIL', { ouId: BROKEN }),
    ],
    { notes },
  );
}

function everyRun(r: AuditReport = current()): AlertDocument {
  return buildAlertDocument(r, everyRunPlan(r, false));
}

function byRoute(doc: AlertDocument, ous: OuMembers, r: AuditReport) {
  return Object.fromEntries(routeDocuments(doc, ROUTES, ous, r).map((d) => [d.route, d]));
}

const ids = (doc: AlertDocument) => doc.accounts.map((a) => a.accountId);

describe('which accounts each route receives', () => {
  it('every account under the OU at any depth (nested OUs), plus the listed accounts', async () => {
    const r = current();
    const routes = byRoute(everyRun(r), await members(), r);
    expect(ids(routes.payments.document).sort()).toEqual([P1, P2, P3, S1].sort());
    expect(ids(routes.data.document).sort()).toEqual([D1, S1].sort());
  });

  it('an account in two routes goes to both, and to nobody else', async () => {
    const r = current();
    const routes = byRoute(everyRun(r), await members(), r);
    const holding = Object.values(routes).filter((d) => ids(d.document).includes(S1)).map((d) => d.route);
    expect(holding.sort()).toEqual(['data', 'payments']);
  });

  it('recomputes the summary, counts and subject for the slice, in the same words', async () => {
    const r = current();
    const routes = byRoute(everyRun(r), await members(), r);
    const pay = routes.payments.document;
    expect(pay.summary).toEqual({ total: 4, PASS: 0, FAIL: 3, ERROR: 1, SKIPPED: 0, runErrors: 0 });
    expect(pay.subject).toBe('trailcheck: 3 FAIL, 1 ERROR of 4 accounts');
    expect(pay.changes.counts).toEqual({ 'new-fail': 3, 'new-error': 1, resolved: 0, 'still-failing': 0 });
    expect(pay.route).toBe('payments');
    expect(routes.data.document.subject).toBe('trailcheck: 2 FAIL of 2 accounts');
  });

  it('in changes mode, counts the route\'s accounts still failing (not listed) and only those', async () => {
    const previous = current();
    const now = report([...current().accounts.filter((a) => a.accountId !== D1), account(D1, 'PASS', { ouId: DATA })]);
    const plan = planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, previous: { report: previous, lastReminderAt: now.run.finishedAt }, current: now, now: new Date(now.run.finishedAt) });
    const routes = byRoute(buildAlertDocument(now, plan), await members(), now);
    expect(plan.kind).toBe('changes');
    expect(ids(routes.data.document)).toEqual([D1]);
    expect(routes.data.document.changes.counts).toEqual({ 'new-fail': 0, 'new-error': 0, resolved: 1, 'still-failing': 1 });
    expect(routes.data.document.subject).toBe('trailcheck: 1 resolved (now 1 FAIL of 2)');
    // Nothing changed among the payments accounts: nothing for that route.
    expect(routes.payments.document.send).toBe(false);
  });

  it('an account that moved OU between runs goes to its new OU\'s route, its "resolved" notice too', async () => {
    // P1 was in the data OU and failing; it is now under payments, fixed.
    const previous = report([account(P1, 'FAIL', { ouId: DATA }), account(D1, 'FAIL', { ouId: DATA })]);
    const now = report([account(P1, 'PASS', { ouId: PAY }), account(D1, 'FAIL', { ouId: DATA })]);
    const plan = planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, previous: { report: previous, lastReminderAt: now.run.finishedAt }, current: now, now: new Date(now.run.finishedAt) });
    const routes = byRoute(buildAlertDocument(now, plan), await members(), now);
    expect(ids(routes.payments.document)).toEqual([P1]);
    expect(routes.payments.document.accounts[0].change).toBe('resolved');
    expect(routes.data.document.send).toBe(false);
    expect(ids(routes.data.document)).toEqual([]);
  });
});

describe('what a route never receives', () => {
  it('no account, name or reason of another route, in any part of the message', async () => {
    const r = current([`Organizations listed account ${D1} more than once; it is reported once.`, `Organizations listed account ${P1} more than once; it is reported once.`]);
    const routes = byRoute(everyRun(r), await members(), r);
    const foreign: Record<string, string[]> = { payments: [D1, Z1, X1, `acct-${D1}`], data: [P1, P2, P3, Z1, X1, `acct-${P1}`] };
    for (const [route, others] of Object.entries(foreign)) {
      const doc = routes[route].document;
      const m = composeSnsMessage(doc, snsParts({ chatbot: true }));
      const everything = JSON.stringify(doc) + m.message + m.subject + JSON.stringify(m.attributes);
      for (const id of others) expect([route, id, everything.includes(id)]).toEqual([route, id, false]);
    }
    // Its own notes stay, and it is told that others exist in the full report.
    expect(routes.payments.document.run.notes).toContain(`Organizations listed account ${P1} more than once; it is reported once.`);
    expect(routes.payments.document.run.notes).toContain('1 run error or note about accounts outside route "payments" are in the full report.');
  });

  it('nothing for a route with no account in this alert: no publish to its topic', async () => {
    const r = current();
    const publish = jest.fn(async (_arn: string, _m: JsonMessage) => ({ messageId: 'm' }));
    const out = await deliverRoutes(everyRun(r), ROUTES, await members(), { publish, centralTopicArn: CENTRAL, parts: snsParts(), report: r });
    const quiet = out.deliveries.find((d) => d.route === 'quiet');
    expect(quiet).toMatchObject({ accounts: 0, result: { published: false, reason: 'route quiet: no account of the route in this alert' } });
    expect(publish.mock.calls.map(([arn]) => arn).sort()).toEqual([topic('data'), topic('payments')]);
  });

  it('nothing when the central alert sends nothing', async () => {
    const r = report([account(P1, 'PASS', { ouId: PAY })]);
    const publish = jest.fn(async () => ({}));
    const out = await deliverRoutes(everyRun(r), ROUTES, await members(), { publish, centralTopicArn: CENTRAL, parts: snsParts(), report: r });
    expect(publish).not.toHaveBeenCalled();
    expect(out.deliveries.every((d) => d.result?.published === false)).toBe(true);
  });
});

describe('an OU that could not be read', () => {
  it('the route misses its accounts, and a note says so for the report', async () => {
    const r = current();
    const ous = await members();
    expect(ous.failed.has(BROKEN)).toBe(true);
    const notes = routeNotes(ROUTES, ous);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^Alert route "broken" could not read OU ou-ab12-brokenou1 \(.*AccessDenied.*\): the accounts under it were not sent to trailcheck-route-broken this run; the central topic has every account\.$/);
    const routes = byRoute(everyRun(r), ous, r);
    expect(routes.broken.unresolvedOus).toEqual([BROKEN]);
    expect(routes.broken.document.send).toBe(false);
    expect(ids(routes.broken.document)).not.toContain(Z1);
    // The other routes are not told about it.
    expect(routes.payments.document.run.notes.join('\n')).not.toContain('broken');
  });

  it('a note about another route in the report does not reach this one; its own does', async () => {
    const ous = await members();
    const r = current(routeNotes(ROUTES, ous));
    const routes = byRoute(everyRun(r), ous, r);
    expect(routes.payments.document.run.notes.join('\n')).not.toContain('Alert route');
    // The broken route sends nothing this run, but its document carries its note once.
    expect(routes.broken.document.run.notes.filter((n) => n.startsWith('Alert route "broken"'))).toHaveLength(1);
  });

  it('an OU the caller did not look up counts as unread, never as empty', () => {
    const r = current();
    const routes = byRoute(everyRun(r), { members: new Map(), failed: new Map() }, r);
    expect(routes.payments.unresolvedOus).toEqual([PAY]);
    expect(ids(routes.payments.document)).toEqual([S1]);
    expect(routeNotes(ROUTES, { members: new Map(), failed: new Map() })[0]).toContain('(not looked up)');
  });
});

describe('delivery', () => {
  it('one route failing to publish stops no other, and is reported, not thrown', async () => {
    const r = current();
    const publish = jest.fn(async (arn: string) => {
      if (arn === topic('payments')) throw Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
      return { messageId: `id-${arn}` };
    });
    const out = await deliverRoutes(everyRun(r), ROUTES, await members(), { publish, centralTopicArn: CENTRAL, parts: snsParts(), report: r });
    expect(out.failed).toEqual(['payments']);
    expect(out.deliveries.find((d) => d.route === 'payments')).toMatchObject({ topicArn: topic('payments'), error: 'NotFoundException: Topic does not exist', accounts: 4 });
    expect(out.deliveries.find((d) => d.route === 'data')).toMatchObject({ topicArn: topic('data'), result: { published: true, messageId: `id-${topic('data')}` } });
    expect(out.notes).toHaveLength(1);
  });

  it('a route name that would make another ARN is an error for that route, and nothing is published for it', async () => {
    const r = current();
    const publish = jest.fn(async () => ({ messageId: 'm' }));
    const hostile: RouteTarget[] = [{ name: 'x:999999999999:evil', ous: [], accounts: [P1] }, ROUTES[1]];
    const out = await deliverRoutes(everyRun(r), hostile, await members(), { publish, centralTopicArn: CENTRAL, parts: snsParts(), report: r });
    expect(out.failed).toEqual(['x:999999999999:evil']);
    expect(publish.mock.calls.map((c) => (c as unknown[])[0])).toEqual([topic('data')]);
  });

  it("publishes each route the route's own message, to the route's own topic", async () => {
    const r = current();
    const sent: Array<[string, JsonMessage]> = [];
    await deliverRoutes(everyRun(r), ROUTES, await members(), { publish: async (arn, m) => (sent.push([arn, m]), {}), centralTopicArn: CENTRAL, parts: snsParts(), report: r });
    for (const [arn, m] of sent) {
      const route = arn.split(':trailcheck-route-')[1];
      expect(m.attributes[ATTRIBUTES.route]).toEqual({ DataType: 'String', StringValue: route });
      const json = JSON.parse(JSON.parse(m.message).default);
      const expected = route === 'payments' ? [P1, P2, P3, S1] : [D1, S1];
      expect(json.accounts.map((a: { accountId: string }) => a.accountId).sort()).toEqual(expected.sort());
    }
  });
});

describe('message attributes', () => {
  it('the central topic: no route, the OU ids of the listed accounts, the existing attributes unchanged', async () => {
    const doc = everyRun();
    const attrs = messageAttributes(doc);
    expect(attrs[ATTRIBUTES.route]).toBeUndefined();
    expect(attrs[ATTRIBUTES.ous]).toEqual({ DataType: 'String.Array', StringValue: JSON.stringify([BROKEN, DATA, PAY_CHILD, PAY_GRANDCHILD, PAY].sort()) });
    const { [ATTRIBUTES.ous]: _ous, ...rest } = attrs;
    expect(rest).toEqual({
      'trailcheck.fail': { DataType: 'Number', StringValue: '5' },
      'trailcheck.error': { DataType: 'Number', StringValue: '1' },
      'trailcheck.kind': { DataType: 'String', StringValue: 'every-run' },
      'trailcheck.change': { DataType: 'String.Array', StringValue: '["new-error","new-fail"]' },
      'trailcheck.status': { DataType: 'String.Array', StringValue: '["ERROR","FAIL"]' },
    });
  });

  it("a route's message: its name, and only its accounts' OUs", async () => {
    const r = current();
    const routes = byRoute(everyRun(r), await members(), r);
    const attrs = messageAttributes(routes.payments.document);
    expect(attrs[ATTRIBUTES.route]).toEqual({ DataType: 'String', StringValue: 'payments' });
    // S1 is listed explicitly and sits in the data OU: the attribute names the OUs of the accounts listed.
    expect(JSON.parse(attrs[ATTRIBUTES.ous].StringValue)).toEqual([DATA, PAY_CHILD, PAY_GRANDCHILD, PAY].sort());
    expect(attrs[ATTRIBUTES.fail].StringValue).toBe('3');
    expect(Object.keys(attrs).length).toBeLessThanOrEqual(MAX_ATTRIBUTES);
  });

  it('never passes on an OU id that is not one, and keeps every attribute of a full message within 10', () => {
    const r = report([account(P1, 'FAIL', { ouId: 'ou-x"]}' }), account(P2, 'FAIL', { ouId: 'r-ab12' }), account(P3, 'PASS', { ouId: PAY })], { errors: [{ code: 'LIST_INCOMPLETE', message: 'x' }] });
    const previous = report([account(P3, 'FAIL', { ouId: PAY })]);
    const plan = planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass: false, previous: { report: previous }, current: r, now: new Date(r.run.finishedAt) });
    const doc = { ...buildAlertDocument(r, plan), route: 'payments' };
    const attrs = messageAttributes(doc);
    expect(JSON.parse(attrs[ATTRIBUTES.ous].StringValue)).toEqual([PAY, 'r-ab12']);
    expect(Object.keys(attrs)).toHaveLength(7);
  });

  it('the attributes count toward the size limit: a message with a route still fits', async () => {
    const r = current();
    const routes = byRoute(everyRun(r), await members(), r);
    const sent: JsonMessage[] = [];
    await deliverBySns(routes.payments.document, { publish: async (m) => (sent.push(m), {}), parts: snsParts({ chatbot: true }), maxBytes: 6000 });
    const bytes = Buffer.byteLength(sent[0].message) + Object.entries(sent[0].attributes).reduce((n, [k, v]) => n + k.length + v.DataType.length + v.StringValue.length, 0);
    expect(bytes).toBeLessThanOrEqual(6000);
  });
});
