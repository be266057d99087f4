import { evaluateAccount } from '../../lambda/rule/evaluate';
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
    const v = evaluateAccount([trail({ name: 'a', homeRegion: 'us-east-1', multiRegion: false }), trail({ name: 'b', homeRegion: 'eu-west-1', multiRegion: false })], DEFAULT);
    expect(v.remediation).toEqual([
      'aws cloudtrail update-trail --name a --is-multi-region-trail --region us-east-1',
      'aws cloudtrail update-trail --name b --is-multi-region-trail --region eu-west-1',
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
