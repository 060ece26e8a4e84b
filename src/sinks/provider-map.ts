// Which provider a recipient domain belongs to, for labelling deliveries (which carry no verdict):
// the domains the rule packs list (outlook.com, gmail.com...), else what the latest bounce from
// that domain revealed (a tenant behind *.mail.protection.outlook.com is Microsoft 365), else
// `other`. Bounded: past `max` learned domains the oldest is forgotten.
export class ProviderMap {
  private readonly learned = new Map<string, string>();
  constructor(private readonly listed: ReadonlyMap<string, string>, private readonly max = 50_000) {}

  learn(domain: string, provider: string): void {
    const d = domain.toLowerCase();
    if (this.learned.get(d) === provider) return;
    this.learned.delete(d);
    this.learned.set(d, provider);
    if (this.learned.size > this.max) this.learned.delete(this.learned.keys().next().value as string);
  }

  of(domain: string): string {
    const d = domain.toLowerCase();
    return this.listed.get(d) ?? this.learned.get(d) ?? 'other';
  }
}
