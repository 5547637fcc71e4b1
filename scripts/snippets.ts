// Every code example in the docs is a program: this module finds them and turns each into a module that
// checks what its comments claim. scripts/docs-snippets.test.ts runs them all.
//
// Where examples come from
//   - ```ts / ```js blocks (also typescript, javascript) of README.md, packages/*/README.md and docs/**/*.md;
//   - every `@example` of a TSDoc comment in packages/*/src (test files excluded), fenced or not.
// Markers (in markdown an HTML comment on the lines just above the fence; in TSDoc a first line of the example):
//   <!-- snippet: continue -->        // snippet: continue          the block runs after the previous one, in one module
//   <!-- snippet: skip <reason> -->   // snippet: skip <reason>     not run; a reason is required
// Output comments: a statement line ending in `// <something>` is checked when <something> reads as a value:
//   - a literal (numbers, 'strings', true/false/null/undefined, NaN, Infinity, arrays, objects): exact, except
//     that numbers match to float32 precision (relative 1e-6) and `...` inside a string stands for any text; a tensor or array shows its values (toArray()),
//     a typed array may be named (`// Float32Array [1, 2]`), `console.log(x); // v` checks x;
//   - `name = <literal>` (several, comma-separated): the variable or property after the line runs;
//   - approximate: `≈ v`, `~ v`, `name ≈ v`, or digits ending in `...` (`0.6931...`): within one unit of the last
//     decimal shown; `close to v`: within 1e-2 (absolute, or relative for large values);
//   - `throws` or `throws: <text>`: the line must throw, with <text> in its message (`...` stands for any text);
//   - anything else is prose and is not checked (`// e.g. [3, 1]`, `// random`, `// the first step`).
//   A literal may be followed by prose after `:`, ` (`, ` —` or ` -` (`// ≈ 0.9: the first step`).
// TSDoc examples see the exports of their own file, then of their package, then of the other @tsgrad packages,
// without importing
// them; markdown blocks are what a reader copies, so they import what they use.

/** One block of code found in a file, before it is turned into a module. */
export interface Snippet {
  /** Path of the file it was found in, relative to the repository root. */
  file: string;
  /** 1-based line in `file` of the first code line. */
  line: number;
  code: string;
  kind: 'markdown' | 'tsdoc';
  /** `continue`: runs after the previous snippet of the same file; `skip`: not run (see `reason`). */
  marker?: 'continue' | 'skip';
  reason?: string;
}

const RUNNABLE = new Set(['ts', 'js', 'typescript', 'javascript', 'mjs', 'mts']);
const MARKER = /^snippet:\s*(continue|skip)\b\s*(.*)$/;

/** The runnable fenced blocks of a markdown file, with the marker comment above each. */
export function extractMarkdown(file: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    if (RUNNABLE.has(lang.toLowerCase())) {
      const code = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n');
      const snippet: Snippet = { file, line: i + 2, code, kind: 'markdown' };
      let j = i - 1;
      while (j >= 0 && lines[j].trim() === '') j--;
      const comment = j >= 0 ? /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[j]) : null;
      const marker = comment ? MARKER.exec(comment[1]) : null;
      if (marker) setMarker(snippet, marker);
      out.push(snippet);
    }
    i = end;
  }
  return out;
}

/** The `@example` sections of every TSDoc comment in a TypeScript source file. */
export function extractTsdoc(file: string, text: string): Snippet[] {
  const out: Snippet[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, m.index).split('\n').length;
    const lines = m[0].split('\n').map((l) => l.replace(/^\s*\/?\*\*?\/?( |$)/, '').replace(/\s*\*\/$/, ''));
    for (let i = 0; i < lines.length; i++) {
      const tag = /^@example\b\s*(.*)$/.exec(lines[i]);
      if (!tag) continue;
      let j = i + 1;
      const body: string[] = [];
      const at: number[] = []; // the comment line of each body line (fences are dropped)
      let inFence = false;
      for (; j < lines.length; j++) {
        if (!inFence && /^@\w/.test(lines[j])) break;
        if (/^```/.test(lines[j])) {
          inFence = !inFence;
          continue;
        }
        body.push(lines[j]);
        at.push(j);
      }
      while (body.length && body[body.length - 1].trim() === '') body.pop();
      let first = 0;
      while (first < body.length && body[first].trim() === '') first++;
      const snippet: Snippet = { file, line: startLine + (at[first] ?? i), code: body.slice(first).join('\n'), kind: 'tsdoc' };
      const marker = /^\s*\/\/\s*(.*)$/.exec(body[first] ?? '');
      const parsed = marker ? MARKER.exec(marker[1]) : null;
      if (parsed) setMarker(snippet, parsed);
      if (snippet.code.trim() !== '') out.push(snippet);
      i = j - 1;
    }
  }
  return out;
}

function setMarker(snippet: Snippet, m: RegExpExecArray): void {
  snippet.marker = m[1] === 'continue' ? 'continue' : 'skip';
  if (m[1] === 'skip') {
    snippet.reason = m[2].trim();
    if (snippet.reason === '') throw new Error(`${snippet.file}:${snippet.line}: "snippet: skip" needs a reason`);
  }
}

/** Groups snippets into programs: a `continue` snippet joins the program of the one before it. */
export function programs(snippets: readonly Snippet[]): Snippet[][] {
  const out: Snippet[][] = [];
  for (const s of snippets) {
    if (s.marker === 'continue') {
      const last = out[out.length - 1];
      if (!last || last[0].file !== s.file) throw new Error(`${s.file}:${s.line}: "snippet: continue" has no block before it`);
      last.push(s);
    } else out.push([s]);
  }
  return out;
}

/** What an output comment claims. */
export type Claim =
  | { kind: 'exact'; value: unknown; type?: string }
  | { kind: 'approx'; value: unknown; tolerance: number; relative: boolean };

/** Reads an output comment; undefined when it is prose. */
export function parseClaim(comment: string): { target?: string; claim: Claim }[] | undefined {
  let text = comment.trim();
  if (/^(e\.g\.|for example|random|something like)/i.test(text)) return undefined;
  const named = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*)\s*(=|≈)\s*(?!=)/.exec(text);
  if (named) {
    const claims: { target?: string; claim: Claim }[] = [];
    let rest = text;
    for (;;) {
      const head = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*)\s*(=|≈)\s*(?!=)/.exec(rest);
      if (!head) return undefined;
      const parsed = parseLiteral(rest.slice(head[0].length));
      if (!parsed) return undefined;
      const approx = head[2] === '≈' || parsed.dots;
      claims.push({ target: head[1], claim: approx ? approxClaim(parsed.value, parsed.source, false) : { kind: 'exact', value: parsed.value } });
      rest = parsed.rest.trim();
      if (rest.startsWith(',')) rest = rest.slice(1).trim();
      else if (rest === '' || isProse(parsed.rest)) return claims;
      else return undefined;
    }
  }
  let mode: 'exact' | 'approx' | 'close' = 'exact';
  const approx = /^(≈|~)\s*/.exec(text);
  const close = /^close to\s+/i.exec(text);
  if (approx) {
    mode = 'approx';
    text = text.slice(approx[0].length);
  } else if (close) {
    mode = 'close';
    text = text.slice(close[0].length);
  }
  const typed = /^(Float32Array|Float64Array|Int32Array|Uint8Array|Int8Array|Uint32Array)\s+(?=\[)/.exec(text);
  if (typed) text = text.slice(typed[0].length);
  const parsed = parseLiteral(text);
  if (!parsed || !(parsed.rest.trim() === '' || isProse(parsed.rest))) return undefined;
  if (mode === 'close') return [{ claim: { kind: 'approx', value: parsed.value, tolerance: 1e-2, relative: true } }];
  if (mode === 'approx' || parsed.dots) return [{ claim: approxClaim(parsed.value, parsed.source, false) }];
  return [{ claim: typed ? { kind: 'exact', value: parsed.value, type: typed[1] } : { kind: 'exact', value: parsed.value } }];
}

function isProse(rest: string): boolean {
  return /^(\s*:|\s+\(|\s+—|\s+-\s)/.test(rest);
}

function approxClaim(value: unknown, source: string, relative: boolean): Claim {
  // One unit in the last decimal shown, over every number of the literal.
  let decimals = 0;
  for (const n of source.matchAll(/\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?/g)) {
    const d = (n[1]?.length ?? 0) - Number(n[2] ?? 0);
    decimals = Math.max(decimals, d);
  }
  return { kind: 'approx', value, tolerance: 10 ** -decimals, relative };
}

interface Parsed {
  value: unknown;
  source: string;
  rest: string;
  /** Some number ended in `...`: its digits are a prefix. */
  dots: boolean;
}

/** Parses a JavaScript literal at the start of `text` (no expressions, no identifiers except object keys). */
export function parseLiteral(text: string): Parsed | undefined {
  let i = 0;
  let dots = false;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === ']') {
            i++;
            return arr;
          }
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        throw new Error('bad array');
      }
    }
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        const key = /^(?:([A-Za-z_$][\w$]*)|'([^']*)'|"([^"]*)"|(\d+))/.exec(text.slice(i));
        if (!key) throw new Error('bad key');
        i += key[0].length;
        ws();
        if (text[i] !== ':') throw new Error('bad object');
        i++;
        obj[key[1] ?? key[2] ?? key[3] ?? key[4]] = value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === '}') {
            i++;
            return obj;
          }
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        throw new Error('bad object');
      }
    }
    if (c === "'" || c === '"') {
      let s = '';
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\') {
          i++;
          const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
          s += escapes[text[i]] ?? text[i];
        } else s += text[i];
      }
      if (text[i] !== c) throw new Error('bad string');
      i++;
      return s;
    }
    const num = /^-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)(\.\.\.)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      if (num[1]) dots = true;
      return Number(num[0].replace('...', ''));
    }
    const word = /^(-?Infinity|NaN|true|false|null|undefined)(?![\w$])/.exec(text.slice(i));
    if (word) {
      i += word[0].length;
      const table: Record<string, unknown> = { true: true, false: false, null: null, undefined, NaN, Infinity, '-Infinity': -Infinity };
      return table[word[1]];
    }
    throw new Error('not a literal');
  };
  try {
    const v = value();
    return { value: v, source: text.slice(0, i), rest: text.slice(i), dots };
  } catch {
    return undefined;
  }
}

/** Splits a line into code and its trailing `//` comment, ignoring `//` inside strings. */
export function splitComment(line: string): { code: string; comment?: string } {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '/' && line[i + 1] === '/') return { code: line.slice(0, i), comment: line.slice(i + 2) };
    else if (c === '/' && line[i + 1] === '*') return { code: line };
  }
  return { code: line };
}

function depthChange(code: string): number {
  let d = 0;
  let quote = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) d++;
    else if (')]}'.includes(c)) d--;
  }
  return d;
}

const STATEMENT_KEYWORDS = /^(import|export|if|for|while|do|return|throw|function|class|try|switch|else|case|default|type|interface|async\s+function)\b/;

/**
 * Rewrites the checked output comments of a program into calls of `check` (imported from `checkModule`), each
 * naming its file and line. Returns the module text and how many claims it checks.
 */
export function instrument(program: readonly Snippet[], checkModule: string): { code: string; checks: number } {
  const out: string[] = [`import { check as __check, throws as __throws } from ${JSON.stringify(checkModule)};`];
  let checks = 0;
  const imported = new Set<string>();
  for (const snippet of program) {
    let depth = 0;
    const lines = snippet.code.split('\n');
    lines.forEach((line, k) => {
      const where = `${snippet.file}:${snippet.line + k}`;
      // A continued block may import again what an earlier block imported (a reader copies blocks one by one).
      const named = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+(['"][^'"]+['"]);?\s*$/.exec(line);
      if (named) {
        const fresh = named[2].split(',').map((n) => n.trim()).filter((n) => n !== '' && !imported.has(n));
        fresh.forEach((n) => imported.add(n));
        out.push(fresh.length ? `import ${named[1] ?? ''}{ ${fresh.join(', ')} } from ${named[3]};` : '');
        return;
      }
      const { code, comment } = splitComment(line);
      const startDepth = depth;
      depth += depthChange(code);
      const stmt = code.trim().replace(/;$/, '');
      const throws = comment === undefined ? null : /^\s*throws\b:?\s*(.*?)\s*$/.exec(comment);
      if (throws && startDepth === 0 && depth === 0 && stmt !== '') {
        checks++;
        out.push(`await __throws(async () => { ${stmt}; }, ${JSON.stringify(throws[1])}, ${JSON.stringify(where)});`);
        return;
      }
      const claims = comment === undefined ? undefined : parseClaim(comment);
      const prev = k > 0 ? splitComment(lines[k - 1]).code.trim() : '';
      const continues = /[,(\[{=+\-*/?:.&|]$/.test(prev) && !/^\/\//.test(lines[k - 1].trim());
      if (!claims || startDepth !== 0 || depth !== 0 || stmt === '' || continues || stmt.includes(';')) {
        out.push(line);
        return;
      }
      const decl = /^(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*([\s\S]+)$/.exec(stmt);
      if (!decl && STATEMENT_KEYWORDS.test(stmt)) {
        out.push(line);
        return;
      }
      const call = (value: string, claim: Claim): string =>
        `__check(${value}, ${JSON.stringify(claim, (_k, v: unknown) => encodeSpecial(v))}, ${JSON.stringify(where)});`;
      checks += claims.length;
      if (decl || claims.some((x) => x.target)) {
        // The line runs as written; then the declared variable (or each named target) is checked.
        out.push(`${code} ${claims.map(({ target, claim }) => call(`() => (${target ?? decl?.[2]})`, claim)).join(' ')}`);
        return;
      }
      const log = /^console\.log\(([\s\S]*)\)$/.exec(stmt);
      const expr = log && depthChange(log[1]) === 0 && !/^[^(]*,/.test(log[1]) ? log[1] : stmt;
      out.push(`{ const __v = ${expr}; ${claims.map(({ claim }) => call('() => __v', claim)).join(' ')} }`);
    });
  }
  return { code: out.join('\n'), checks };
}

// JSON has no NaN, Infinity or undefined: encode them so that `check` can decode them.
function encodeSpecial(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return { $special: String(v) };
  if (typeof v === 'number' && Object.is(v, -0)) return { $special: '-0' };
  if (v === undefined) return { $special: 'undefined' };
  return v;
}

/** Inverse of the encoding `instrument` applies to a claim's value. */
export function decodeSpecial(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeSpecial);
  if (v !== null && typeof v === 'object') {
    const rec = v as Record<string, unknown>;
    if (typeof rec.$special === 'string' && Object.keys(rec).length === 1) {
      const table: Record<string, unknown> = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0, undefined };
      return table[rec.$special];
    }
    return Object.fromEntries(Object.entries(rec).map(([k, x]) => [k, decodeSpecial(x)]));
  }
  return v;
}

/** Identifiers a snippet declares or imports itself (so that no implicit import shadows them). */
export function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/\bimport\s+(?:type\s+)?(?:([A-Za-z_$][\w$]*)\s*,?\s*)?(?:\{([^}]*)\}|\*\s+as\s+([A-Za-z_$][\w$]*))?\s*from/g)) {
    if (m[1]) names.add(m[1]);
    if (m[3]) names.add(m[3]);
    for (const part of (m[2] ?? '').split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.replace(/^type\s+/, '');
      if (name) names.add(name);
    }
  }
  for (const m of code.matchAll(/\b(?:const|let|var|function|class)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  for (const m of code.matchAll(/\b(?:const|let|var)\s+([[{][^=]*)=/g)) {
    for (const id of m[1].matchAll(/[A-Za-z_$][\w$]*/g)) names.add(id[0]);
  }
  return names;
}

/** Identifiers a snippet uses (roughly: every word not after a dot, outside strings and comments). */
export function usedNames(code: string): Set<string> {
  const bare = code
    .replace(/\/\/.*$/gm, '')
    .replace(/\.\.\./g, ' ')
    .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, "''")
    .replace(/`(?:\\.|[^`\\])*`/g, "''");
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![.\w$])([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  return names;
}
