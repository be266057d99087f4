/**
 * The rendered alert for the demo organization (audited on the simulator) and for a large
 * organization: email text, Slack Block Kit (typed with @slack/types, within Slack's limits,
 * escaped) and the AWS Chatbot custom notification, checked for what a reader needs.
 */
import type { KnownBlock, SectionBlock } from '@slack/types';
import * as path from 'node:path';
import { planAlert, type AlertPlan } from '../../lambda/alerts/plan';
import { truncateWords } from '../../lambda/alerts/words';
import { CHATBOT_LIMITS, type ChatbotNotification } from '../../lambda/channels/chatbot';
import { escapeMrkdwn, renderSlackMessage, SLACK_LIMITS, type SlackMessage } from '../../lambda/channels/slack/blocks';
import { MAX_MESSAGE_BYTES } from '../../lambda/channels/sns';
import type { AuditReport } from '../../lambda/report-format';
import { loadScenario } from '../../simulator/scenario';
import { audit, config, withSimulator } from '../integration/harness';
import { account, accountId, report } from '../unit/report-fixtures';
import { buildAlert, type AlertMessage } from './build-alert';

const LOCATION = {
  bucket: 'trailcheck-reports-111111111111',
  key: 'trailcheck/reports/2026/03/02/run-1.json',
  uri: 's3://trailcheck-reports-111111111111/trailcheck/reports/2026/03/02/run-1.json',
  consoleUrl: 'https://console.aws.amazon.com/s3/object/trailcheck-reports-111111111111?region=us-east-1&prefix=trailcheck%2Freports%2F2026%2F03%2F02%2Frun-1.json',
};

/** Every limit Slack documents for what we send; returns the problems found. */
function slackProblems(m: SlackMessage): string[] {
  const problems: string[] = [];
  if (m.blocks.length > SLACK_LIMITS.blocks) problems.push(`${m.blocks.length} blocks`);
  let total = 0;
  m.blocks.forEach((b, i) => {
    if (b.type === 'header' && b.text.text.length > SLACK_LIMITS.headerText) problems.push(`header ${i}: ${b.text.text.length} characters`);
    if (b.type === 'section') {
      const t = (b as SectionBlock).text?.text ?? '';
      total += t.length;
      if (t.length > SLACK_LIMITS.sectionText) problems.push(`section ${i}: ${t.length} characters`);
      if (t.length === 0) problems.push(`section ${i}: empty text`);
      if ((t.match(/```/g) ?? []).length % 2) problems.push(`section ${i}: unclosed code block`);
    }
    if (b.type === 'context') {
      if (b.elements.length > SLACK_LIMITS.contextElements) problems.push(`context ${i}: ${b.elements.length} elements`);
      for (const e of b.elements) if ('text' in e && e.text.length > SLACK_LIMITS.sectionText) problems.push(`context ${i}: element too long`);
    }
  });
  if (total > SLACK_LIMITS.totalText + 3000) problems.push(`${total} characters in all`);
  if (m.text.length === 0 || m.text.length > SLACK_LIMITS.fallbackText) problems.push('fallback text');
  return problems;
}

function chatbotProblems(c: ChatbotNotification): string[] {
  const p: string[] = [];
  if (c.version !== '1.0' || c.source !== 'custom' || c.content.textType !== 'client-markdown') p.push('envelope');
  if (c.content.title.length > CHATBOT_LIMITS.title) p.push('title');
  if (c.content.description.length > CHATBOT_LIMITS.description) p.push(`description ${c.content.description.length}`);
  if (c.content.nextSteps.length > CHATBOT_LIMITS.nextSteps || c.content.nextSteps.some((s) => s.length > CHATBOT_LIMITS.nextStep)) p.push('nextSteps');
  if (c.content.keywords.length > CHATBOT_LIMITS.keywords || c.content.keywords.some((k) => k.length > CHATBOT_LIMITS.keyword)) p.push('keywords');
  return p;
}

/** Every text of a Slack message, joined. */
const slackText = (m: SlackMessage) =>
  m.blocks
    .map((b) => (b.type === 'section' || b.type === 'header' ? (b as SectionBlock).text?.text : b.type === 'context' ? b.elements.map((e) => ('text' in e ? e.text : '')).join(' ') : ''))
    .join('\n');

describe('the demo organization (first run, Chatbot on)', () => {
  let alert: AlertMessage;
  let slack: SlackMessage;
  let demo: AuditReport;

  beforeAll(async () => {
    const scenario = loadScenario(path.join(__dirname, '../../simulator/scenarios/demo.json'));
    demo = await withSimulator(scenario, (sim) => audit(sim, config(), { caller: scenario.caller }));
    const plan = planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, current: demo, now: new Date('2026-03-02T06:00:00Z') });
    alert = buildAlert(demo, undefined, { plan, report: LOCATION, chatbot: true });
    slack = renderSlackMessage(alert.json, alert.subject);
  });

  test('the email opens with what happened, the counts and where the full report is', () => {
    const lines = alert.text.split('\n');
    expect(lines.slice(1, 4)).toEqual([
      'First run: no previous report.',
      'Every failing account is listed; later messages list only what changed.',
      'Result: 6 PASS, 6 FAIL, 2 ERROR, 1 SKIPPED of 15 accounts',
    ]);
    expect(alert.text).toContain(`Full report: ${LOCATION.uri}\n  ${LOCATION.consoleUrl}\n  aws s3 cp ${LOCATION.uri} -`);
  });

  test('the email lists ERROR accounts first, then every FAIL account, each with reason, trail and the fix with real names', () => {
    const order = [...alert.text.matchAll(/^(FAIL|ERROR) {2}(\d{12})/gm)].map((m) => m[2]);
    expect(order).toEqual(['141414141414', '151515151515', '777777777777', '888888888888', '999999999999', '101010101010', '121212121212', '131313131313']);
    const devTools = alert.text.slice(alert.text.indexOf('FAIL  888888888888'), alert.text.indexOf('FAIL  999999999999'));
    expect(devTools).toBe(
      [
        'FAIL  888888888888 (dev-tools)',
        '  - NOT_LOGGING: Trail tools-trail is not logging (IsLogging false).',
        '  Trail: tools-trail (us-east-1, multi-region, not logging, management events ALL)',
        '  Fix:',
        '    aws cloudtrail start-logging --name tools-trail --region us-east-1',
        '',
        '',
      ].join('\n'),
    );
    // An organization trail's fix belongs to its owner, and says so.
    expect(alert.text).toContain("In the organization trail's owner account 111111111111 (the fix belongs there): aws cloudtrail start-logging --name org-trail --region us-east-1");
    expect(alert.text).toContain('ASSUME_ROLE_FAILED: Could not assume arn:aws:iam::141414141414:role/TrailcheckAuditRole');
    expect(alert.text).not.toMatch(/PASS {2}\d{12}/);
  });

  test('the email is plain text that reads on a phone: no markup, and its own wording in short lines (reasons, trails, fixes and URLs are data and stay whole)', () => {
    expect(alert.text).not.toMatch(/[<>]|\*\*|```/);
    // Data: reasons, trails, URLs, and every fix step (the lines indented four spaces under "Fix:").
    const data = /^\s+(- [A-Z_]+: |Trail: |aws |In the organization|https:|Deploy |Allow )|^ {4}\S/;
    const long = alert.text.split('\n').filter((l) => l.length > 100 && !data.test(l));
    expect(long).toEqual([]);
  });

  test('Slack: typed Block Kit within every limit, header = subject, summary counts, every failing account', () => {
    const blocks: KnownBlock[] = slack.blocks;
    expect(slackProblems(slack)).toEqual([]);
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'trailcheck: 6 FAIL, 2 ERROR of 15 accounts', emoji: false } });
    const all = slackText(slack);
    expect(all).toContain('*6 PASS · 6 FAIL · 2 ERROR · 1 SKIPPED* of 15 accounts');
    for (const id of ['141414141414', '151515151515', '777777777777', '888888888888', '999999999999', '101010101010', '121212121212', '131313131313']) expect(all).toContain(`\`${id}\``);
    expect(all).toContain('```aws cloudtrail start-logging --name tools-trail --region us-east-1```');
    expect(all).toContain(`Full report: <${LOCATION.consoleUrl.replace(/&/g, '&amp;')}|${LOCATION.uri}>`);
    expect(all).not.toContain('more account');
  });

  test('Chatbot: the custom-notification envelope, within its limits, with the fix commands as next steps', () => {
    const c = alert.chatbot as ChatbotNotification;
    expect(chatbotProblems(c)).toEqual([]);
    expect(c.content.title).toBe(alert.subject);
    expect(c.content.description).toContain('6 PASS, 6 FAIL, 2 ERROR, 1 SKIPPED of 15 accounts.');
    expect(c.content.description).toContain('• FAIL `888888888888` dev-tools - NOT_LOGGING: Trail tools-trail is not logging (IsLogging false).');
    expect(c.content.nextSteps[0]).toBe(`Full report: ${LOCATION.consoleUrl} (\`aws s3 cp ${LOCATION.uri} -\`)`);
    expect(c.content.nextSteps).toContain('888888888888: `aws cloudtrail start-logging --name tools-trail --region us-east-1`');
    // The organization trail's fix appears once, naming the owner account.
    expect(c.content.nextSteps.filter((s) => s.includes('--name org-trail'))).toEqual([
      "777777777777: In the organization trail's owner account 111111111111 (the fix belongs there): `aws cloudtrail start-logging --name org-trail --region us-east-1`",
    ]);
  });

  test('the SNS message holds the three renderings, and its JSON body is what the forwarder renders', () => {
    const body = JSON.parse(alert.message);
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https']);
    expect(JSON.parse(body.https)).toEqual(alert.chatbot);
    expect(renderSlackMessage(JSON.parse(body.default), alert.subject)).toEqual(slack);
  });
});

describe('escaping for Slack', () => {
  test('&, < and > in names, reasons and commands render as written; nothing else is touched', () => {
    expect(escapeMrkdwn('a & b <c> *d* _e_')).toBe('a &amp; b &lt;c&gt; *d* _e_');
    const r = report([
      account(accountId(1), 'FAIL', {
        accountName: 'R&D <prod> *team*',
        reasons: [{ code: 'NOT_LOGGING', message: 'Trail <main> & co is not logging.' }],
        remediation: ['aws cloudtrail start-logging --name a&b'],
      }),
    ]);
    const alert = buildAlert(r);
    const all = slackText(renderSlackMessage(alert.json, alert.subject));
    expect(all).toContain('R&amp;D &lt;prod&gt; *team*');
    expect(all).toContain('Trail &lt;main&gt; &amp; co is not logging.');
    expect(all).toContain('```aws cloudtrail start-logging --name a&amp;b```');
    expect(all).not.toMatch(/<prod>|<main>/);
  });
});

describe('truncateWords', () => {
  test.each([
    ['fits: unchanged', 'one two three', 20, 'one two three'],
    ['cut at a word boundary, with the suffix', 'one two three four', 12, 'one two…'],
    ['never inside a word', 'alpha beta', 8, 'alpha…'],
    ['never inside an entity', 'x &amp;&amp;&amp;', 8, 'x…'],
    ['a first word longer than the room: only the suffix', 'supercalifragilistic', 5, '…'],
  ])('%s', (_name, text, max, expected) => {
    const out = truncateWords(text, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });
});

describe('a large organization: 1,000 FAIL and 20 ERROR accounts with long reasons', () => {
  const long = (seed: string, n: number) => `${seed} `.repeat(Math.ceil(n / (seed.length + 1))).slice(0, n);
  const accounts = [
    ...Array.from({ length: 1000 }, (_, i) =>
      account(accountId(i + 1), 'FAIL', {
        accountName: `workload-${i} <&> ünïcødé`,
        ouId: 'ou-ab12-cd34ef56',
        reasons: [
          { code: 'NOT_LOGGING', message: long(`Trail t-${i} is multi-region but not logging`, 700) },
          { code: 'MANAGEMENT_EVENTS_WRITE_ONLY', message: long(`Trail w-${i} records write-only`, 900) },
        ],
        remediation: [`aws cloudtrail start-logging --name t-${i} --region us-east-1`, `aws cloudtrail put-event-selectors --trail-name t-${i} --event-selectors '${long('[]', 1500)}'`],
      }),
    ),
    ...Array.from({ length: 20 }, (_, i) => account(accountId(5000 + i), 'ERROR')),
  ];
  const big = report(accounts, { errors: Array.from({ length: 30 }, (_, i) => ({ code: 'MALFORMED_RESPONSE', message: long(`entry ${i}`, 300) })) });
  const plans: Array<[string, AlertPlan]> = [
    ['first run', planAlert({ mode: 'changes', reminderDays: 7, publishOnPass: false, current: big, now: new Date('2026-03-02T06:00:00Z') })],
    ['every run', planAlert({ mode: 'every-run', reminderDays: 0, publishOnPass: false, current: big, previous: { report: big }, now: new Date('2026-03-02T06:00:00Z') })],
  ];

  test.each(plans)('%s: the SNS message (with attributes) fits, says how many are left out, and each rendering is within its limits', (_name, plan) => {
    const alert = buildAlert(big, undefined, { plan, report: LOCATION, chatbot: true });
    const attrBytes = Object.entries(alert.attributes).reduce((n, [k, v]) => n + k.length + v.DataType.length + v.StringValue.length, 0);
    expect(Buffer.byteLength(alert.message) + attrBytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(alert.omittedAccounts).toBeGreaterThan(0);
    expect(alert.json.accounts.length + alert.omittedAccounts).toBe(1020);
    expect(alert.text).toContain(`... and ${alert.omittedAccounts} more accounts failing or in error`);
    expect(alert.subject.length).toBeLessThan(100);

    const slack = renderSlackMessage(alert.json, alert.subject);
    expect(slackProblems(slack)).toEqual([]);
    const shownInSlack = slack.blocks.filter((b) => b.type === 'section' && /^\*(FAIL|ERROR)\* `\d{12}`/.test((b as SectionBlock).text?.text ?? '')).length;
    expect(slackText(slack)).toContain(`… and ${1020 - shownInSlack} more accounts not shown here`);
    // Long reasons and commands are left out whole, and counted.
    expect(slackText(slack)).toMatch(/_… \d+ more lines? \(reasons, trails or fixes\) in the full report\._/);

    expect(chatbotProblems(alert.chatbot as ChatbotNotification)).toEqual([]);
    expect(alert.chatbot?.content.description).toMatch(/… and \d+ more accounts: see the full report\./);
    expect(alert.chatbot?.content.nextSteps.some((s) => s.includes('too long to show here'))).toBe(false);
  });
});

describe('a fix command with free text from the response reaches every channel as the same one command', () => {
  // A data selector the put-event-selectors fix keeps, named to break out of a code span or block.
  const hostileName = 'S3 data `; echo SECOND; ``` ; echo THIRD; ```';
  const { evaluateAccount } = require('../../lambda/rule/evaluate') as typeof import('../../lambda/rule/evaluate');
  const { trail } = require('../rule/fixtures') as typeof import('../rule/fixtures');
  const v = evaluateAccount(
    [
      trail({
        advanced: [
          { Name: 'm', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] },
          { Name: hostileName, FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] },
        ],
      }),
    ],
    { strict: false },
  );
  const command = v.remediation[0];
  const alert = buildAlert(report([account('222222222222', 'FAIL', { reasons: v.reasons, remediation: v.remediation, trails: v.trails, closestTrailArn: v.closestTrailArn })]), undefined, { chatbot: true });

  test('the command is printable ASCII with no backtick or single quote inside its JSON, and keeps the name', () => {
    expect(command).toMatch(/^aws cloudtrail put-event-selectors --trail-name main --region us-east-1 --advanced-event-selectors '[^']*'$/);
    expect(command).not.toMatch(/[`\u0000-\u001f\u007f-\uffff]/);
    expect(JSON.parse(command.slice(command.indexOf("'") + 1, -1))[0].Name).toBe(hostileName);
  });

  test('Chatbot shows the command unchanged', () => {
    expect(alert.chatbot?.content.nextSteps?.some((s) => s.includes(command))).toBe(true);
  });

  test('Slack shows the command unchanged', () => {
    const text = renderSlackMessage(alert.json, alert.subject)
      .blocks.map((b) => ((b as SectionBlock).text?.text ?? ''))
      .join('\n');
    expect(text).toContain(command.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  test('the email shows the command unchanged', () => {
    expect(alert.text).toContain(command);
  });
});
