/** The fixed world of the demo brand: channels, products, countries. */
export interface ChannelSpec {
  channel: string;
  weight: number;
  utm?: { source: string; medium: string; campaign: string };
  referrer?: string;
}

// Channel mix of a typical DTC brand; the silver channel-grouping rule must recover these.
export const CHANNELS: readonly ChannelSpec[] = [
  { channel: 'paid_search', weight: 22, utm: { source: 'google', medium: 'cpc', campaign: 'brand_search' } },
  { channel: 'organic_search', weight: 20, referrer: 'https://www.google.com/' },
  { channel: 'paid_social', weight: 18, utm: { source: 'facebook', medium: 'paid_social', campaign: 'prospecting' } },
  { channel: 'email', weight: 10, utm: { source: 'newsletter', medium: 'email', campaign: 'weekly' } },
  { channel: 'direct', weight: 20 },
  { channel: 'referral', weight: 6, referrer: 'https://blog.example.org/best-gear' },
  { channel: 'display', weight: 4, utm: { source: 'dv360', medium: 'display', campaign: 'retargeting' } },
];

export const PAGES = [
  '/',
  '/collections/new',
  '/collections/sale',
  '/products/trail-shoe',
  '/products/rain-jacket',
  '/products/wool-socks',
  '/about',
  '/blog/care-guide',
];

export const SKUS: readonly (readonly [string, number])[] = Array.from(
  { length: 40 },
  (_, i) => [`SKU-${String(i + 1).padStart(3, '0')}`, Math.round((9.9 + ((i * 37) % 180)) * 100) / 100] as const,
);

export const COUNTRIES = ['DE', 'FR', 'NL', 'GB', 'US', 'ES', 'IT', 'SE'];
export const DEVICES = [
  ['mobile', 60],
  ['desktop', 34],
  ['tablet', 6],
] as const;

export const SITE = 'https://shop.example.com';
