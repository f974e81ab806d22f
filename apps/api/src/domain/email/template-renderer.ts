import Mustache from 'mustache';
import type { TemplateContent } from './default-templates';

type Spans = ReturnType<typeof Mustache.parse>;

/**
 * Problems with a template, as "field: what is wrong" lines (empty when it is fine): it must compile,
 * name only `allowed` variables, and use no partials (there are none to include). The HTML body must not
 * use unescaped output ({{{x}}} or {{& x}}): variables carry user input, and escaping is what keeps a
 * display name like `<a href=…>` from becoming markup in someone's mailbox.
 */
export function templateProblems(content: TemplateContent, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const field of ['subject', 'html', 'text'] as const) {
    let spans: Spans;
    try {
      spans = Mustache.parse(content[field]);
    } catch (error) {
      problems.push(`${field}: ${(error as Error).message}`);
      continue;
    }
    if (depthOf(spans) > MAX_SECTION_DEPTH) {
      problems.push(`${field}: sections ({{#…}} / {{^…}}) are nested more than ${MAX_SECTION_DEPTH} deep`);
      continue;
    }
    walk(spans, (type, name) => {
      if (type === '>') problems.push(`${field}: partials ({{> ${name}}}) are not supported`);
      if (type === '&' && field === 'html')
        problems.push(`${field}: unescaped output of '${name}' is not allowed in HTML; use {{${name}}}`);
      if (['name', '&', '#', '^'].includes(type)) {
        const root = name.split('.')[0] ?? name;
        if (name !== '.' && !allowed.includes(root))
          problems.push(`${field}: unknown variable '${name}' (known: ${allowed.join(', ')})`);
      }
    });
  }
  return [...new Set(problems)];
}

/**
 * Mustache parses any nesting without recursion, but rendering (and our walk) recurse once per section level,
 * so thousands of levels overflow the stack — at save time as a 500, or later in the outbox worker. Real
 * templates nest two or three sections.
 */
export const MAX_SECTION_DEPTH = 32;

/** The deepest section nesting of parsed spans, found without recursion (the input may be arbitrarily deep). */
function depthOf(spans: Spans): number {
  let deepest = 0;
  const pending: Array<{ spans: Spans; depth: number }> = [{ spans, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    deepest = Math.max(deepest, next.depth);
    if (deepest > MAX_SECTION_DEPTH) break;
    for (const span of next.spans) {
      const children = span[4];
      if (Array.isArray(children)) pending.push({ spans: children as Spans, depth: next.depth + 1 });
    }
  }
  return deepest;
}

function walk(spans: Spans, visit: (type: string, name: string) => void): void {
  for (const span of spans) {
    const [type, value] = span;
    if (type === 'text' || type === '!' || type === '=') continue;
    visit(type, value);
    const children = span[4];
    if (Array.isArray(children)) walk(children as Spans, visit);
  }
}

/**
 * Renders a template. HTML gets Mustache's HTML escaping; the subject and text body are plain text and
 * get none (escaping there would show "&amp;" to the reader). Line breaks are removed from the subject:
 * it is a single header line.
 */
export function renderTemplate(content: TemplateContent, variables: Record<string, unknown>): TemplateContent {
  const plain = { escape: (value: unknown): string => String(value) };
  return {
    subject: Mustache.render(content.subject, variables, {}, plain)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    html: Mustache.render(content.html, variables),
    text: Mustache.render(content.text, variables, {}, plain),
  };
}
