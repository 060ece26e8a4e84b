// Caps the `recipient_domain` label (observability.md §2: every value is a series held in memory).
// Slots go first to the allow-list, then to the top-N domains by volume that the store reports at
// start-up (so the same domains keep their series across restarts), then — while slots remain —
// to domains in order of first appearance. Everything else is `other`, and each fold is counted.

export class DomainCap {
  private readonly kept = new Set<string>();

  constructor(private readonly topN: number, private readonly allow: ReadonlySet<string>, private readonly onFold: () => void, seed: readonly string[] = []) {
    for (const d of seed) if (this.kept.size < topN) this.kept.add(d.toLowerCase());
  }

  label(domain: string): string {
    const d = domain.toLowerCase();
    if (this.allow.has(d) || this.kept.has(d)) return d;
    if (this.kept.size < this.topN) {
      this.kept.add(d);
      return d;
    }
    this.onFold();
    return 'other';
  }
}
