/**
 * SNS Publish failing under the Lambda handler (createHandler): a transient failure is retried by
 * the SDK and the alert goes out once; a permanent one fails the invocation, so Lambda's retries
 * and the failure destination see it. The audit itself stays whole either way.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler } from '../../lambda/handler';
import type { ScenarioFault } from '../../simulator/scenario-types';
import { account, audited, goodTrail, pointAt, scenario, TOPIC, withSimulator } from '../integration/harness';
import { expectNoUnhandledRejections } from './invariants';

expectNoUnhandledRejections();

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});


const event = { 'detail-type': 'Scheduled Event', source: 'aws.scheduler' };
const REMAINING_MS = 30_000;
const context = { getRemainingTimeInMillis: () => REMAINING_MS, awsRequestId: 'req-faults' };
const logger = new Logger({ serviceName: 'trailcheck', logLevel: 'SILENT' });

/** One FAIL account, so there is always something to publish. */
const accounts = [account('200000000001', { trails: [goodTrail()] }), account('200000000002', { trails: [goodTrail('main', { status: { isLogging: false } })] })];
const publishFault = (f: Partial<ScenarioFault>): ScenarioFault => ({ service: 'sns', action: 'Publish', kind: 'error', ...f });

function handlerFor() {
  return createHandler({ env: { ...process.env, TRAILCHECK_TOPIC_ARN: TOPIC, TRAILCHECK_MAX_ATTEMPTS: '3', TRAILCHECK_CALL_TIMEOUT_MS: '600' }, logger });
}

describe('SNS Publish failing', () => {
  test.each<[string, Partial<ScenarioFault>]>([
    ['HTTP 500 InternalFailure', { code: 'InternalFailure', status: 500 }],
    ['throttling (Rate exceeded)', { code: 'Throttling', message: 'Rate exceeded' }],
    ['a connection reset', { kind: 'reset' }],
  ])('once with %s → retried by the SDK; the alert is published exactly once', async (_name, f) => {
    const s = scenario(accounts, { faults: [publishFault({ ...f, times: 1 })] });
    await withSimulator(s, async (sim) => {
      pointAt(sim.url);
      const started = Date.now();
      const result = audited(await handlerFor()(event, context));
      expect(Date.now()).toBeLessThanOrEqual(started + REMAINING_MS);
      expect(result.summary).toMatchObject({ total: 3, PASS: 2, FAIL: 1 });
      expect(result.publish).toMatchObject({ published: true, messageId: expect.any(String) });
      expect(sim.callCount('sns', 'Publish')).toBe(2);
      expect(sim.published).toHaveLength(1);
      expect(sim.published[0].subject).toBe('trailcheck: 1 FAIL of 3 accounts');
    });
  });

  test('once slower than the call timeout → retried; the invocation succeeds (SNS is at-least-once: the slow attempt may land too)', async () => {
    const s = scenario(accounts, { faults: [publishFault({ kind: 'delay', delayMs: 1500, times: 1 })] });
    await withSimulator(s, async (sim) => {
      pointAt(sim.url);
      const result = audited(await handlerFor()(event, context));
      expect(result.publish).toMatchObject({ published: true, messageId: expect.any(String) });
      expect(sim.callCount('sns', 'Publish')).toBe(2);
      expect(sim.published.length).toBeGreaterThanOrEqual(1);
    });
  });

  test.each<[string, Partial<ScenarioFault>, object]>([
    ['HTTP 500 InternalFailure', { code: 'InternalFailure', status: 500 }, { name: 'InternalFailure' }],
    ['AuthorizationError (the topic policy denies the function)', { code: 'AuthorizationError', status: 403, message: 'not authorized to perform SNS:Publish' }, { name: 'AuthorizationErrorException' }],
    ['KMS key disabled', { code: 'KMSDisabled', status: 400, message: 'key is disabled' }, { name: 'KMSDisabledException' }],
  ])('on every attempt with %s → the invocation rejects with the SNS error; nothing published', async (_name, f, error) => {
    const s = scenario(accounts, { faults: [publishFault(f)] });
    await withSimulator(s, async (sim) => {
      pointAt(sim.url);
      const started = Date.now();
      await expect(handlerFor()(event, context)).rejects.toMatchObject(error);
      expect(Date.now()).toBeLessThanOrEqual(started + REMAINING_MS);
      expect(sim.published).toHaveLength(0);
      // The audit ran in full before the publish: every account was read.
      expect(sim.calls.filter((c) => c.action === 'DescribeTrails').map((c) => c.account).sort()).toEqual(['111111111111', '200000000001', '200000000002']);
    });
  });
});
