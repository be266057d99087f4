/** SNS (query protocol): Publish, with the real limits on Subject, size and JSON message structure. */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors';
import { readQueryMap, type QueryParams } from '../protocol-query';
import type { PublishedMessage } from '../world';
import type { CallContext, QueryService } from './types';

/** Maximum payload of one message: the message plus its attributes' names, types and values. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
const TOPIC_ARN = /^arn:([a-z-]+):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;

const invalid = (what: string) => new AwsError('InvalidParameter', `Invalid parameter: ${what}`);

function publish(ctx: CallContext, p: QueryParams): unknown {
  const topicArn = p.TopicArn ?? p.TargetArn;
  if (topicArn === undefined) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
  const m = TOPIC_ARN.exec(topicArn);
  if (!m || m[1] !== ctx.world.partition || m[2] !== ctx.region) throw invalid('TopicArn');
  if (!(ctx.world.scenario.topics ?? []).includes(topicArn)) throw new AwsError('NotFound', 'Topic does not exist', 404);

  const message = p.Message;
  if (message === undefined) {
    throw new AwsError('ValidationError', "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
  }
  if (message === '') throw invalid('Empty message');

  const subject = p.Subject;
  if (subject !== undefined) {
    // ASCII, starting with a letter, number or punctuation mark, no line breaks or control characters, under 100 characters.
    if (subject.length === 0 || subject.length >= 100 || !/^[\x21-\x7e][\x20-\x7e]*$/.test(subject)) throw invalid('Subject');
  }

  const attributes: PublishedMessage['messageAttributes'] = {};
  let size = Buffer.byteLength(message, 'utf8');
  for (const [name, v] of Object.entries(readQueryMap(p, 'MessageAttributes'))) {
    const type = v.DataType;
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw invalid(`MessageAttributes: Invalid attribute name ${name}`);
    }
    if (type === undefined || !/^(String|Number|Binary)(\..+)?$/.test(type)) {
      throw invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const attr: PublishedMessage['messageAttributes'][string] = { DataType: type };
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(type, 'utf8');
    if (type.startsWith('Binary')) {
      if (v.BinaryValue === undefined) throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      attr.BinaryValue = v.BinaryValue;
      size += Buffer.from(v.BinaryValue, 'base64').length;
    } else {
      if (v.StringValue === undefined || v.StringValue === '') {
        throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      }
      if (type.startsWith('Number') && !Number.isFinite(Number(v.StringValue))) {
        throw invalid(`Could not cast message attribute '${name}' value to number.`);
      }
      attr.StringValue = v.StringValue;
      size += Buffer.byteLength(v.StringValue, 'utf8');
    }
    attributes[name] = attr;
  }
  if (size > SNS_MAX_MESSAGE_BYTES) throw invalid('Message too long');

  const structure = p.MessageStructure;
  if (structure !== undefined) {
    if (structure !== 'json') throw invalid('MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalid('Message Structure - JSON message body failed to parse');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('Message Structure - JSON message body failed to parse');
    const obj = parsed as Record<string, unknown>;
    if (typeof obj.default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
    if (Object.values(obj).some((x) => typeof x !== 'string')) throw invalid('Message Structure - JSON message body must contain only string values');
  }

  const messageId = randomUUID();
  ctx.world.published.push({
    messageId,
    topicArn,
    subject,
    message,
    messageStructure: structure,
    messageAttributes: attributes,
    account: ctx.identity.accountId,
    region: ctx.region,
    time: ctx.now,
  });
  return { MessageId: messageId };
}

export const sns: QueryService = {
  service: 'sns',
  protocol: 'query',
  regional: true,
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  version: '2010-03-31',
  actions: { Publish: publish },
  describe(action, p) {
    if (action === 'Publish') return { topicArn: p.TopicArn ?? p.TargetArn, subject: p.Subject, messageStructure: p.MessageStructure };
    return {};
  },
};
