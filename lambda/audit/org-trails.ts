/**
 * Organization trails are checked once per run, from the account that owns them, and the
 * result is shared with every member that sees the same ARN. Members' own calls on the trail
 * (which peers have seen fail with TrailNotFound, ARN-invalid or AccessDenied) are only a fallback.
 */
import type { CallError, TrailDetails, TrailFacts } from '../rule/types';

/** Status and selectors of a trail, read as `accountId` in the trail's home region. */
export type FetchDetails = (accountId: string, trail: TrailFacts) => Promise<TrailDetails>;

export class OrgTrailCache {
  private readonly fromOwner = new Map<string, Promise<TrailDetails>>();
  /** The latest member reading per ARN: shared when it succeeds, replaced by the next member's when it fails. */
  private readonly fromMember = new Map<string, Promise<TrailDetails>>();

  constructor(
    private readonly fetch: FetchDetails,
    /**
     * Whether the owner account is audited in this run (so reading the trail as the owner is in
     * scope): an account of the organization, not filtered out. May wait for the listing to say.
     */
    private readonly ownerAudited: (accountId: string) => boolean | Promise<boolean>,
  ) {}

  async details(trail: TrailFacts, viewerAccountId: string): Promise<TrailDetails> {
    const owner = trail.ownerAccountId;
    if (viewerAccountId === owner) {
      const own = await this.ownerDetails(trail);
      return own.ok ? { ...own, source: 'self' } : own;
    }

    let ownerError: CallError | undefined;
    if (await this.ownerAudited(owner)) {
      const fromOwner = await this.ownerDetails(trail);
      if (fromOwner.ok) return fromOwner;
      // The owner's answers contradict what the member sees (e.g. not an organization trail in
      // the owner's own listing): no member reading can settle that.
      if (fromOwner.error.code === 'MalformedResponse') return fromOwner;
      ownerError = fromOwner.error;
    }

    const shared = this.fromMember.get(trail.arn);
    if (shared) {
      const earlier = await shared;
      if (earlier.ok) return earlier;
    }
    const reading = this.fetch(viewerAccountId, trail).then((d): TrailDetails => (d.ok ? { ...d, source: 'member' } : d));
    // Members running at the same time wait for this reading instead of each making their own.
    if (this.fromMember.get(trail.arn) === shared) this.fromMember.set(trail.arn, reading);
    const own = await reading;
    if (own.ok) return own;
    const ownerPart = ownerError
      ? `from the owner account ${owner}: ${ownerError.call} failed: ${ownerError.code}: ${ownerError.message}`
      : `the owner account ${owner} is not audited in this run`;
    return { ok: false, error: { ...own.error, message: `${own.error.message}; ${ownerPart}` } };
  }

  private ownerDetails(trail: TrailFacts): Promise<TrailDetails> {
    let pending = this.fromOwner.get(trail.arn);
    if (!pending) {
      pending = this.fetch(trail.ownerAccountId, trail).then((d) => (d.ok ? { ...d, source: 'owner' as const } : d));
      this.fromOwner.set(trail.arn, pending);
    }
    return pending;
  }
}
