/**
 * Each account's DescribeTrails, read once per run and shared: by the account's own audit, and by
 * the organization-trail check, which confirms in the owner's own listing that a trail members see
 * as an organization trail is one (a member's listing alone could be contradicted by the owner's).
 */
import type { TrailFacts } from '../rule/types';

export class TrailListings {
  private readonly byAccount = new Map<string, Promise<TrailFacts[]>>();

  constructor(private readonly list: (accountId: string) => Promise<TrailFacts[]>) {}

  forAccount(accountId: string): Promise<TrailFacts[]> {
    let pending = this.byAccount.get(accountId);
    if (!pending) {
      pending = this.list(accountId);
      // A failure is the caller's to report; the shared promise must not be an unhandled rejection.
      pending.catch(() => undefined);
      this.byAccount.set(accountId, pending);
    }
    return pending;
  }
}
