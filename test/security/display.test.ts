/**
 * Nothing from a response reaches a terminal or a message raw: account and OU names, reasons
 * (which embed AWS's messages), trails, run errors and notes carrying terminal escape sequences
 * (`ESC [2J` clears the screen, `ESC ]8;;url BEL` is a hidden hyperlink), BEL, CR, LF, C1
 * controls, bidirectional overrides, line separators and markdown go through every renderer: the
 * terminal report, the email, Slack Block Kit (as the forwarder renders it from the SNS message),
 * AWS Chatbot, and the CLI's own lines. Each output must hold none of them raw, show them
 * escaped, and keep its own line structure.
 */
import type { SectionBlock } from '@slack/types';
import { truncateWords } from '../../lambda/alerts/words';
import { buildChatbotNotification } from '../../lambda/channels/chatbot';
import { escapeMrkdwn, inlineCode, mrkdwnName } from '../../lambda/channels/mrkdwn';
import { renderPlainSlackMessage, renderSlackMessage, type SlackMessage } from '../../lambda/channels/slack/blocks';
import { slackPayloadFor } from '../../lambda/channels/slack/deliver';
import { displayLines, displayText, safeJson, truncateText } from '../../lambda/report/display';
import { renderTable, renderText } from '../../lambda/report/text';
import { buildAlert } from '../alerts/build-alert';
import { account, accountId, report } from '../unit/report-fixtures';

const ESC = '\x1b';
const CLEAR = `${ESC}[2J`;
const LINK = `${ESC}]8;;http://evil.example/${'\x07'}click here${ESC}]8;;${'\x07'}`;
/** Pretends to be a new row of the table, or a new account in a message. */
const FAKE_LINE = '\nPASS  999999999999 (fake)';
const HOSTILE = `evil${CLEAR}${LINK}\r${FAKE_LINE}\u202Egnp.exe\u2028\u2029\u0085\u009b31m\u007f\u2066x\u2069\tend`;
const MARKDOWN = '*bold* _it_ ~strike~ `code` <!channel> <http://evil.example|x> &amp;';

/** Every character that may never be shown raw; a line feed only where the renderer breaks lines. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const FAIL_ID = accountId(1);
const ERROR_ID = accountId(2);

function hostileReport() {
  const trailArn = `arn:aws:cloudtrail:us-east-1:${FAIL_ID}:trail/main`;
  return report(
    [
      account(FAIL_ID, 'FAIL', {
        accountName: `${HOSTILE} ${MARKDOWN}`,
        ouId: `ou-ab12-prod0000${ESC}[1A`,
        ouName: `Prod${CLEAR}\n${MARKDOWN}`,
        reasons: [{ code: 'NOT_LOGGING', message: `Trail main is not logging: ${HOSTILE}`, trailArn }],
        warnings: [{ code: 'DELIVERY_ERROR', message: `delivery error ${LINK}` }],
        trails: [
          {
            arn: trailArn,
            name: `main${CLEAR}`,
            homeRegion: 'us-east-1',
            ownerAccountId: FAIL_ID,
            isMultiRegionTrail: true,
            isOrganizationTrail: false,
            isLogging: false,
            managementEvents: 'ALL',
            detailsSource: 'self',
            result: 'FAILS',
            failures: [],
            warnings: [],
          },
        ],
        closestTrailArn: trailArn,
        // One step trailcheck writes in two lines (stays two lines), one carrying an escape sequence.
        remediation: ['aws cloudtrail put-event-selectors --trail-name main \\\n  --event-selectors file://selectors.json', `aws cloudtrail start-logging --name main${CLEAR} --region us-east-1`],
      }),
      account(ERROR_ID, 'ERROR', { accountName: `err${LINK}`, reasons: [{ code: 'ACCESS_DENIED', message: `AccessDenied: ${HOSTILE}` }] }),
    ],
    { errors: [{ code: 'LISTING_INCOMPLETE', message: `ListAccounts failed: ${HOSTILE}` }], notes: [`note ${CLEAR}${FAKE_LINE}`] },
  );
}

/** What every rendering must show: no raw control, no lone surrogate, no injected line, the escapes visible. */
function expectSafe(text: string, where: string): void {
  expect({ where, raw: RAW_CONTROL.exec(text)?.[0] }).toEqual({ where, raw: undefined });
  expect({ where, lone: LONE_SURROGATE.test(text) }).toEqual({ where, lone: false });
  // The fake account never starts a line of its own.
  expect({ where, injected: text.split('\n').filter((l) => /^\W*PASS {2}999999999999/.test(l)) }).toEqual({ where, injected: [] });
}

const slackTexts = (m: SlackMessage) =>
  [m.text, ...m.blocks.map((b) => (b.type === 'section' || b.type === 'header' ? ((b as SectionBlock).text?.text ?? '') : b.type === 'context' ? b.elements.map((e) => ('text' in e ? e.text : '')).join(' ') : ''))].join('\n');

describe('every renderer escapes control characters from responses', () => {
  const r = hostileReport();
  const alert = buildAlert(r, undefined, { chatbot: true, report: { bucket: 'b', key: 'k', uri: 's3://b/k' } });
  const body = JSON.parse(alert.message) as { default: string; email: string; https: string };
  const slack = slackPayloadFor(alert.subject, body.default);

  test.each<[string, () => string]>([
    ['the terminal report', () => renderText(r)],
    ['the terminal table alone', () => renderTable(r)],
    ['the email', () => alert.text],
    ['the email as published', () => body.email],
    ['Slack (the forwarder, from the published JSON)', () => slackTexts(slack)],
    ['Chatbot', () => JSON.parse(body.https).content.description + JSON.parse(body.https).content.nextSteps.join('\n') + JSON.parse(body.https).content.title],
  ])('%s', (where, render) => {
    const text = render();
    expectSafe(text, where);
    // Shown, escaped: a person can still see that something was there.
    expect(text).toContain('\\u001b[2J');
    if (where !== 'the terminal table alone') expect(text).toContain('\\u202e');
  });

  test('the published JSON keeps the data as it came, with bidi and C1 controls written as escapes', () => {
    expect(body.default).not.toMatch(RAW_CONTROL);
    expect(body.https).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(body.default).accounts.find((a: { accountId: string }) => a.accountId === FAIL_ID).accountName).toBe(`${HOSTILE} ${MARKDOWN}`);
  });

  test('a step trailcheck writes in two lines stays two lines, indented under Fix:; an escape in a command does not act', () => {
    const text = renderText(r);
    expect(text).toContain('    aws cloudtrail put-event-selectors --trail-name main \\\n      --event-selectors file://selectors.json');
    expect(text).toContain('    aws cloudtrail start-logging --name main\\u001b[2J --region us-east-1');
    expect(alert.text).toContain('    aws cloudtrail put-event-selectors --trail-name main \\\n      --event-selectors file://selectors.json');
    expect(slackTexts(slack)).toContain('```aws cloudtrail put-event-selectors --trail-name main \\\n  --event-selectors file://selectors.json```');
  });

  test('the table keeps one row per account: an account name cannot add a row', () => {
    const rows = renderTable(r).split('\n');
    expect(rows).toHaveLength(3);
    expect(rows.slice(1).map((l) => l.slice(0, 12))).toEqual([FAIL_ID, ERROR_ID]);
  });

  test('Slack and Chatbot: markdown in names renders as written (inline code), and no link, mention or code span comes from the data', () => {
    const chatbot = JSON.parse(body.https).content.description as string;
    for (const [where, text] of [
      ['Slack', slackTexts(slack)],
      ['Chatbot', chatbot],
    ] as const) {
      expect({ where, found: text.match(/<!channel>|<http:\/\/evil|<\/?[a-z!@#]/g) }).toEqual({ where, found: null });
      expect(text).toContain('&lt;!channel&gt;');
      // The account name, formatting characters included, is inside one inline code span.
      expect(text).toContain("`evil\\u001b[2J\\u001b]8;;http://evil.example/\\u0007click here");
      expect(text).toContain("*bold* _it_ ~strike~ 'code' &lt;!channel&gt; &lt;http://evil.example|x&gt; &amp;amp;`");
    }
  });

  test('the forwarder escapes a CloudWatch alarm (or anything else published to the topic) the same way', () => {
    const m = renderPlainSlackMessage(`ALARM${CLEAR}`, JSON.stringify({ AlarmName: `a${ESC}`, NewStateValue: `ALARM${'\x07'}`, NewStateReason: HOSTILE, AlarmDescription: MARKDOWN }));
    expectSafe(slackTexts(m), 'alarm');
    expect(slackTexts(m)).toContain('&lt;!channel&gt;');
    const other = slackPayloadFor(`x${CLEAR}`, `not JSON ${HOSTILE}`);
    expectSafe(slackTexts(other), 'plain message');
  });

  test('a message published to the topic by someone else: numbers and statuses that are text are escaped too', () => {
    const forged = JSON.parse(body.default);
    forged.summary.PASS = '<!channel>';
    forged.accounts[0].status = `<!here>${ESC}`;
    forged.accounts[0].previousStatus = '<!everyone>';
    const text = slackTexts(renderSlackMessage(forged, 's'));
    expectSafe(text, 'forged');
    expect(text).not.toMatch(/<!(channel|here|everyone)>/);
  });
});

describe('displayText', () => {
  test.each<[string, string, string]>([
    ['ESC and a CSI sequence', `${ESC}[2J`, '\\u001b[2J'],
    ['an OSC 8 hyperlink', `${ESC}]8;;http://x\x07`, '\\u001b]8;;http://x\\u0007'],
    ['CR, LF and TAB', 'a\rb\nc\td', 'a\\rb\\nc\\td'],
    ['NUL and DEL', '\u0000\u007f', '\\u0000\\u007f'],
    ['C1 controls (NEL, CSI)', '\u0085\u009b', '\\u0085\\u009b'],
    ['bidi overrides and isolates', '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069', '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069'],
    ['bidi marks', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
    ['lone surrogates', '\ud83d x \ude00', '\\ud83d x \\ude00'],
    ['a surrogate pair, accents, CJK and a backslash are kept', 'caf\u00e9 \u{1F600} \u65e5\u672c \\n', 'caf\u00e9 \u{1F600} \u65e5\u672c \\n'],
  ])('%s', (_name, input, expected) => {
    expect(displayText(input)).toBe(expected);
    // Idempotent: a renderer may apply it twice.
    expect(displayText(displayText(input))).toBe(expected);
  });

  test('multiline keeps LF only', () => {
    expect(displayText('a\nb\r\n\x1b', { multiline: true })).toBe('a\nb\\r\n\\u001b');
    expect(displayLines('one\ntwo\u2028three')).toEqual(['one', 'two\\u2028three']);
  });

  test('safeJson writes C1, DEL, bidi and separators as \\u escapes: the same data', () => {
    const value = { name: `a\u202eb\u0085c\u2028d\u007f\x1b` };
    const json = safeJson(JSON.stringify(value));
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('truncation never cuts a surrogate pair', () => {
  const emoji = '\u{1F600}';

  test.each([4, 5, 6, 7])('truncateText at %i code points', (max) => {
    const s = `abc${emoji}${emoji}de${emoji}fgh`;
    const out = truncateText(s, max);
    expect(LONE_SURROGATE.test(out)).toBe(false);
    expect([...out].length).toBeLessThanOrEqual(max);
    expect(out.endsWith('…')).toBe(true);
  });

  test('the terminal table cuts a name and a detail at a code point, and pads by code points', () => {
    const name = `${'n'.repeat(23)}${emoji}${emoji}tail`;
    const r = report([account(FAIL_ID, 'FAIL', { accountName: name, reasons: [{ code: 'NOT_LOGGING', message: `${'m'.repeat(40)}${emoji.repeat(200)}` }] })]);
    for (const width of [80, 81, 82, 83]) {
      const table = renderTable(r, width);
      expect(LONE_SURROGATE.test(table)).toBe(false);
      const row = table.split('\n')[1];
      expect([...row].length).toBeLessThanOrEqual(width);
      // Columns stay aligned: STATUS starts where the header says.
      expect([...row].slice([...table.split('\n')[0]].indexOf('S', 14), [...table.split('\n')[0]].indexOf('S', 14) + 4).join('')).toBe('FAIL');
    }
  });

  test.each([10, 11, 12, 13])('truncateWords (Slack, Chatbot) at %i UTF-16 units', (max) => {
    const out = truncateWords(`ab ${emoji}${emoji} ${emoji}${emoji}${emoji}${emoji}${emoji}`, max);
    expect(LONE_SURROGATE.test(out)).toBe(false);
    expect(out.length).toBeLessThanOrEqual(max);
  });

  test('Slack and Chatbot: a long name of astral characters stays within the limits and whole', () => {
    const r = report([account(FAIL_ID, 'FAIL', { accountName: emoji.repeat(3000), reasons: [{ code: 'NOT_LOGGING', message: emoji.repeat(5000) }] })]);
    const alert = buildAlert(r, undefined, { chatbot: true });
    const slack = renderSlackMessage(alert.json, alert.subject);
    expect(LONE_SURROGATE.test(slackTexts(slack))).toBe(false);
    expect(LONE_SURROGATE.test(JSON.stringify(buildChatbotNotification(alert.json, alert.subject)))).toBe(false);
    expect(LONE_SURROGATE.test(alert.text)).toBe(false);
  });
});

describe('mrkdwn helpers', () => {
  test('escapeMrkdwn: control characters, then &, < and >', () => {
    expect(escapeMrkdwn(`<@U1> & ${ESC}`)).toBe('&lt;@U1&gt; &amp; \\u001b');
  });
  test('inlineCode replaces a backtick that would end it', () => {
    expect(inlineCode('a`b')).toBe("`a'b`");
  });
  test.each([
    ['dev-tools', 'dev-tools'],
    ['R&D', 'R&amp;D'],
    ['*urgent*', '`*urgent*`'],
    ['_x_', '`_x_`'],
    ['~old~', '`~old~`'],
    ['a`b', "`a'b`"],
  ])('mrkdwnName(%j) → %j', (name, expected) => {
    expect(mrkdwnName(name)).toBe(expected);
  });
});
