/**
 * A batch of events, coalesced: one audit per account however many events name it (an `apply`
 * that touches a trail five times is one audit), every trigger kept for the alert, newest first,
 * up to MAX_TRIGGERS (the rest counted). Pure.
 */
import type { AccountEvent } from './trail-event';

/** Triggers one alert lists; the rest are counted. */
export const MAX_TRIGGERS = 10;

export interface AccountBatch {
  accountId: string;
  /** Newest first, at most MAX_TRIGGERS. */
  events: AccountEvent[];
  omittedEvents: number;
  /** The earliest event saying the account was created or joined: the start of its grace period. */
  newAccountSince?: string;
  /** The SQS messages these events came in (to retry them together). */
  messageIds: string[];
}

export function coalesceByAccount(items: ReadonlyArray<{ messageId: string; event: AccountEvent }>): AccountBatch[] {
  const groups = new Map<string, Array<{ messageId: string; event: AccountEvent }>>();
  for (const item of items) {
    const group = groups.get(item.event.accountId) ?? [];
    group.push(item);
    groups.set(item.event.accountId, group);
  }
  return [...groups].map(([accountId, group]) => {
    const events = group.map((g) => g.event).sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime) || b.eventId.localeCompare(a.eventId));
    const created = events.filter((e) => e.kind === 'new-account').map((e) => e.eventTime).sort((a, b) => Date.parse(a) - Date.parse(b));
    return {
      accountId,
      events: events.slice(0, MAX_TRIGGERS),
      omittedEvents: Math.max(0, events.length - MAX_TRIGGERS),
      ...(created.length ? { newAccountSince: created[0] } : {}),
      messageIds: [...new Set(group.map((g) => g.messageId))],
    };
  });
}
