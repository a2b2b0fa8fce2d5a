/**
 * Current details for the Temporal Web UI, which renders them as Markdown in a narrow panel: a
 * bold title and one short bullet per fact stay readable where one long sentence is cut off.
 * Counts are written "9 of 9", never "9/9" (Markdown rendering turns that into a fraction glyph).
 */
export function detailsMarkdown(title: string, facts: string[]): string {
  return [`**${title}**`, '', ...facts.filter((f) => f !== '').map((f) => `- ${f}`)].join('\n');
}

/** The same details as one line (for a summary or a ledger row): "title: fact · fact". Plain text passes through. */
export function detailsOneLine(details: string): string {
  const lines = details.split('\n').filter((l) => l.trim() !== '');
  if (!/^\*\*.*\*\*$/.test(lines[0] ?? '')) return details;
  const facts = lines.slice(1).map((l) => l.replace(/^- /, ''));
  return facts.length ? `${lines[0].slice(2, -2)}: ${facts.join(' · ')}` : lines[0].slice(2, -2);
}
