import { PublishCommand } from '@aws-sdk/client-sns';
import { startSimulator, type Simulator } from '../../simulator/server';
import { Clients, MGMT, TOPIC, baseScenario, errorOf } from './helpers';

let sim: Simulator;
const clients = new Clients(() => sim);

beforeAll(async () => {
  sim = await startSimulator(baseScenario());
});
afterEach(() => sim.reset());
afterAll(async () => {
  clients.destroy();
  await sim.stop();
});

describe('SNS Publish', () => {
  test('records the message with subject, structure and decoded attributes', async () => {
    const out = await clients.sns().send(
      new PublishCommand({
        TopicArn: TOPIC,
        Subject: 'trailcheck: 3 accounts FAIL',
        Message: JSON.stringify({ default: 'summary & <details>', email: 'long text' }),
        MessageStructure: 'json',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'HIGH' },
          failures: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.published).toHaveLength(1);
    expect(sim.published[0]).toMatchObject({
      messageId: out.MessageId,
      topicArn: TOPIC,
      subject: 'trailcheck: 3 accounts FAIL',
      message: JSON.stringify({ default: 'summary & <details>', email: 'long text' }),
      messageStructure: 'json',
      messageAttributes: {
        severity: { DataType: 'String', StringValue: 'HIGH' },
        failures: { DataType: 'Number', StringValue: '3' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
      },
      account: MGMT,
      region: 'us-east-1',
    });
    expect(sim.published[0].time).toBeInstanceOf(Date);
  });

  test('unknown topic is NotFound (404); the SDK names it NotFoundException', async () => {
    const e = await errorOf(clients.sns().send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${MGMT}:other`, Message: 'x' })));
    expect(e.name).toBe('NotFoundException');
    expect((e as unknown as { Code: string }).Code).toBe('NotFound'); // the wire code
    expect(e.$metadata?.httpStatusCode).toBe(404);
    // A topic of another region, published from us-east-1, is an invalid parameter.
    const e2 = await errorOf(clients.sns(undefined, 'us-west-2').send(new PublishCommand({ TopicArn: TOPIC, Message: 'x' })));
    expect(e2.name).toBe('InvalidParameterException');
    expect(sim.published).toHaveLength(0);
  });

  test('Subject must be ASCII, without line breaks, under 100 characters', async () => {
    const sns = clients.sns();
    await expect(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'm', Subject: 'x'.repeat(99) }))).resolves.toBeDefined();
    for (const Subject of ['x'.repeat(100), 'line\nbreak', 'caf\u00e9', '']) {
      const e = await errorOf(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'm', Subject })));
      expect(e.name).toBe('InvalidParameterException');
      expect((e as unknown as { Code: string }).Code).toBe('InvalidParameter');
      expect(e.message).toBe('Invalid parameter: Subject');
    }
    expect(sim.published).toHaveLength(1);
  });

  test('messages over 256 KiB (message + attributes) are rejected', async () => {
    const sns = clients.sns();
    await expect(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'a'.repeat(262_144) }))).resolves.toBeDefined();
    const e = await errorOf(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'a'.repeat(262_145) })));
    expect(e.name).toBe('InvalidParameterException');
    expect(e.message).toBe('Invalid parameter: Message too long');
    // Multi-byte characters count in bytes; attributes count too.
    expect((await errorOf(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: '\u00e9'.repeat(131_073) })))).message).toContain('too long');
    const withAttr = new PublishCommand({
      TopicArn: TOPIC,
      Message: 'a'.repeat(262_140),
      MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
    });
    expect((await errorOf(sns.send(withAttr))).message).toContain('too long');
  });

  test('MessageStructure json needs a JSON object with a string default', async () => {
    const sns = clients.sns();
    const bad = async (Message: string) => errorOf(sns.send(new PublishCommand({ TopicArn: TOPIC, Message, MessageStructure: 'json' })));
    expect((await bad('{"email":"x"}')).message).toContain('No default entry');
    expect((await bad('not json')).message).toContain('failed to parse');
    expect((await bad('["default"]')).name).toBe('InvalidParameterException');
    expect((await bad('{"default":{"nested":1}}')).name).toBe('InvalidParameterException');
    expect(sim.published).toHaveLength(0);
  });
});
