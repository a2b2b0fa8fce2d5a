/**
 * Current details for the Temporal Web UI, which renders them as Markdown in a narrow panel: a
 * bold title and one short bullet per fact stay readable where one long sentence is cut off.
 * Counts are written "9 of 9", never "9/9" (Markdown rendering turns that into a fraction glyph).
 */
export function detailsMarkdown(title: string, facts: string[]): string {
  return [`**${title}**`, '', ...facts.filter((f) => f !== '').map((f) => `- ${f}`)].join('\n');
}
