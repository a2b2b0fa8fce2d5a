/**
 * JavaScript regular expressions (what zod's `.regex()`, `.email()`, `.uuid()`, `.startsWith()`…
 * carry) rewritten into a portable subset that DuckDB (RE2) and Snowflake (POSIX ERE) read the
 * same way, so a contract's pattern means the same thing in zod and in both warehouses:
 *   - `(?:…)` becomes `(…)`; lazy quantifiers (`*?`, `+?`, `??`, `{n,m}?`) lose their `?` —
 *     neither changes whether a string matches;
 *   - `\d \w \s` (and `\D \W \S`) become bracket expressions (`[0-9]`, …), in and out of classes;
 *   - inside a class, escaped `-`, `]`, `^` are moved where POSIX reads them literally;
 *   - escaped punctuation stays escaped (`\.`), `\/` becomes `/`, `\t \n \r` become the characters.
 * What has no portable meaning is refused with a reason: lookaround, backreferences, named groups,
 * `\b`, Unicode property and code-point escapes, the `m` and `s` flags. The `i` flag is kept as a
 * separate switch (both warehouses take it as a function argument).
 */
export interface PortableRegex {
  pattern: string;
  caseInsensitive: boolean;
}

export class UnportableRegex extends Error {
  override name = 'UnportableRegex';
}

const SHORTHAND: Record<string, string> = {
  d: '0-9',
  w: 'A-Za-z0-9_',
  s: ' \t\r\n\f\v',
};
const CONTROL: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v' };
const SPECIAL = new Set(['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '\\']);

export function portableRegex(re: RegExp): PortableRegex {
  for (const f of re.flags) {
    if (f === 'm' || f === 's') throw new UnportableRegex(`the ${f} flag is not supported`);
  }
  const src = re.source;
  let out = '';
  let afterQuantifiable = false; // the previous token can take a quantifier (so a following `?` after a quantifier is lazy)
  let afterQuantifier = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') {
      const [text, next] = escapeOutside(src, i);
      out += text;
      i = next;
      afterQuantifiable = true;
      afterQuantifier = false;
      continue;
    }
    if (ch === '[') {
      const [text, next] = bracket(src, i);
      out += text;
      i = next;
      afterQuantifiable = true;
      afterQuantifier = false;
      continue;
    }
    if (ch === '(') {
      if (src[i + 1] === '?') {
        if (src[i + 2] !== ':') throw new UnportableRegex('lookaround and named groups ((?=, (?!, (?<) are not supported');
        i += 2;
      }
      out += '(';
      afterQuantifiable = false;
      afterQuantifier = false;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?' || ch === '{') {
      if (ch === '?' && afterQuantifier) {
        afterQuantifier = false; // lazy marker: same matches
        continue;
      }
      if (ch === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
        if (!m || !afterQuantifiable) throw new UnportableRegex('a literal { must be escaped (\\{)');
        out += m[0];
        i += m[0].length - 1;
      } else {
        if (!afterQuantifiable) throw new UnportableRegex(`nothing to repeat before ${ch}`);
        out += ch;
      }
      afterQuantifier = true;
      afterQuantifiable = false;
      continue;
    }
    out += ch;
    afterQuantifiable = ch !== '|' && ch !== '^' && ch !== '$';
    afterQuantifier = false;
    if (ch === ')') afterQuantifiable = true;
  }
  return { pattern: out, caseInsensitive: re.flags.includes('i') };
}

/** One escape outside a class: returns the portable text and the index of its last character. */
function escapeOutside(src: string, i: number): [string, number] {
  const c = src[i + 1];
  if (c === undefined) throw new UnportableRegex('a pattern cannot end with \\');
  const lower = c.toLowerCase();
  if (SHORTHAND[lower]) return [`[${c === lower ? '' : '^'}${SHORTHAND[lower]}]`, i + 1];
  if (CONTROL[c]) return [CONTROL[c], i + 1];
  if (c === '/' || c === '-' || c === ',' || c === ':' || c === '=' || c === '!' || c === '<' || c === '>' || c === "'" || c === '"' || c === '@' || c === '#')
    return [c, i + 1];
  if (SPECIAL.has(c)) return [`\\${c}`, i + 1];
  if (c === 'b' || c === 'B') throw new UnportableRegex('word boundaries (\\b, \\B) are not supported');
  if (/[0-9k]/.test(c)) throw new UnportableRegex('backreferences are not supported');
  throw new UnportableRegex(`the escape \\${c} is not supported`);
}

/** A character class `[…]`: returns POSIX-safe text and the index of its closing `]`. */
function bracket(src: string, start: number): [string, number] {
  let i = start + 1;
  let negated = false;
  if (src[i] === '^') {
    negated = true;
    i++;
  }
  let body = '';
  let dash = false;
  let close = false;
  let caret = false;
  let members = 0;
  for (; i < src.length && src[i] !== ']'; i++) {
    const ch = src[i];
    members++;
    if (ch !== '\\') {
      if (ch === '[' && src[i + 1] === ':') throw new UnportableRegex('POSIX classes ([:alpha:]) are not JavaScript; use ranges');
      if (ch === '-' && (i === start + 1 + (negated ? 1 : 0) || src[i + 1] === ']')) dash = true;
      else if (ch === '^') caret = true;
      else body += ch;
      continue;
    }
    const c = src[++i];
    if (c === undefined) break;
    const lower = c.toLowerCase();
    if (SHORTHAND[lower]) {
      if (c !== lower) throw new UnportableRegex(`\\${c} inside a character class is not supported`);
      body += SHORTHAND[lower];
    } else if (CONTROL[c]) body += CONTROL[c];
    else if (c === '-') dash = true;
    else if (c === ']') close = true;
    else if (c === '^') caret = true;
    else if (c === '\\') throw new UnportableRegex('a backslash inside a character class is not supported');
    else if (/[0-9a-zA-Z]/.test(c)) throw new UnportableRegex(`the escape \\${c} is not supported`);
    else body += c;
  }
  if (src[i] !== ']') throw new UnportableRegex('unterminated character class');
  if (members === 0) throw new UnportableRegex('empty character class');
  // POSIX: a literal ] comes first, ^ anywhere but first, - last.
  const inner = (close ? ']' : '') + body + (caret ? '^' : '') + (dash ? '-' : '');
  // A class of only a caret: `[^]` would be read as a negation, so write the escaped character.
  if (inner === '^' && !negated) return ['\\^', i];
  return [`[${negated ? '^' : ''}${inner}]`, i];
}
