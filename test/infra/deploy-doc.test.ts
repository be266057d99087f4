/**
 * docs/deploy.md against the code: the names it tells people to look for are the stack's, its
 * configuration examples validate, and the texts it quotes are what AWS and trailcheck print.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NAMES } from '../../lib/audit-stack';
import { parseConfig } from '../../lib/config';
import { RUN_LOCK_KEY } from '../../lib/function-env';
import { ROOT } from './helpers';

const doc = fs.readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');
const section = (heading: string) => {
  const start = doc.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = doc.slice(start + heading.length + 2).search(/\n#{2,3} /);
  return next < 0 ? doc.slice(start) : doc.slice(start, start + heading.length + 2 + next);
};

describe('docs/deploy.md', () => {
  it('names the alarms, the first-run rule and the run lock as the stack creates them', () => {
    for (const name of [NAMES.alarmErrors, NAMES.alarmHeartbeat, NAMES.alarmHeartbeatWindow, NAMES.alarmNotInvoked, NAMES.alarmFailedRuns, NAMES.firstRunRule, NAMES.stackSet]) {
      expect(doc).toContain(`\`${name}\``);
    }
    expect(doc).toContain(`\`${RUN_LOCK_KEY}\``);
    // The heartbeat that notifies is the composite.
    expect(section('## Alarms and failed runs')).toContain(`\`${NAMES.alarmHeartbeat}\` = \`ALARM(${NAMES.alarmHeartbeatWindow})\nAND OK(${NAMES.alarmNotInvoked})\``);
  });

  it('lists an organization with all features enabled and the AWS CLI v2 as prerequisites', () => {
    const prerequisites = section('## One-time prerequisites');
    expect(prerequisites).toContain('**An organization with all features enabled**');
    expect(prerequisites).toContain('aws organizations describe-organization --query Organization.FeatureSet');
    expect(prerequisites).toContain('**AWS CLI v2**');
  });

  it('gives the invoke command with a payload in the form the AWS CLI v2 needs', () => {
    const onDemand = section('## Run it on demand');
    expect(onDemand).toContain('--cli-binary-format raw-in-base64-out --payload ');
    expect(onDemand).toContain('These are AWS CLI v2 commands');
  });

  it('deploys both delegatedAdmin stacks from one configuration file, which validates, the management role first', () => {
    const steps = section('## Deploy, step by step');
    const file = steps.match(/`trailcheck\.json`:\n\n```json\n([\s\S]*?)```/);
    expect(file).not.toBeNull();
    const config = parseConfig(JSON.parse((file as RegExpMatchArray)[1]));
    expect(config).toMatchObject({ mode: 'delegatedAdmin', managementRoleStack: true });
    const deploys = steps.split('\n').filter((l) => l.startsWith('npx cdk deploy ') && l.includes('--profile'));
    expect(deploys.map((l) => l.split(/\s+/)[3])).toEqual(['TrailcheckManagementRole', 'Trailcheck']);
    for (const l of deploys) expect(l).toContain('-c trailcheck.configFile=trailcheck.json');
  });

  it('quotes what STS really answers when the role is missing (AccessDenied, never "does not exist")', () => {
    const firstAlert = section('## What a first alert looks like');
    expect(firstAlert).toMatch(/AccessDenied: User: arn:aws:sts::\d{12}:assumed-role\/TrailcheckAuditFunctionRole\/trailcheck-audit is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\d{12}:role\/TrailcheckAuditRole/);
    // And what a real first run says of the missing pointer (no s3:ListBucket: AccessDenied, as lambda/aws/archive.ts explains).
    expect(firstAlert).toContain('latest.json could not be read: AccessDenied (what S3 answers for a missing object to a reader that may not list the bucket, as on a first run).');
    expect(firstAlert).not.toContain('latest.json does not exist');
  });

  it('says where failed StackSet instances show up', () => {
    expect(section('## Deploy, step by step')).toContain('aws cloudformation list-stack-instances --stack-set-name trailcheck-member-roles \\\n  --filters Name=DETAILED_STATUS,Values=FAILED');
  });

  it('says teardown keeps the report bucket, and how to empty and delete it', () => {
    const teardown = section('## Teardown');
    expect(teardown).toContain('the report bucket');
    expect(teardown).toContain('aws s3 rm s3://<ReportBucketName> --recursive');
    expect(teardown).toContain('aws s3 rb s3://<ReportBucketName>');
  });
});
