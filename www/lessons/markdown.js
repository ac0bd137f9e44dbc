// @ts-check
// The little Markdown a lesson's text uses: paragraphs, `- ` lists, **bold**, *italics*, `code`
// and [links](…). Parsed to plain data (pure, unit-tested), then built as DOM nodes: a lesson file
// never becomes HTML, so a lesson cannot run script or restyle the page.

/** @typedef {{ kind: 'text' | 'strong' | 'em' | 'code', text: string } | { kind: 'link', text: string, href: string }} Span */
/** @typedef {{ kind: 'p', spans: Span[] } | { kind: 'ul', items: Span[][] }} Block */

/**
 * @param {string[]} lines
 * @returns {Block[]}
 */
export function blocks(lines) {
  /** @type {Block[]} */
  const out = [];
  /** @type {string[]} */
  let para = [];
  const flush = () => {
    if (para.length) out.push({ kind: 'p', spans: spans(para.join(' ')) });
    para = [];
  };
  for (const raw of lines) {
    const line = raw.trim();
    const item = line.match(/^[-*]\s+(.*)$/);
    if (!line) flush();
    else if (item) {
      flush();
      const last = out.at(-1);
      if (last?.kind === 'ul') last.items.push(spans(item[1]));
      else out.push({ kind: 'ul', items: [spans(item[1])] });
    } else if (out.at(-1)?.kind === 'ul' && !para.length && raw.startsWith('  ')) {
      // A list item's continuation line.
      const ul = /** @type {{ kind: 'ul', items: Span[][] }} */ (out.at(-1));
      ul.items[ul.items.length - 1].push({ kind: 'text', text: ' ' }, ...spans(line));
    } else para.push(line);
  }
  flush();
  return out;
}

/**
 * Inline Markdown, left to right; an unclosed marker is plain text.
 * @param {string} text
 * @returns {Span[]}
 */
export function spans(text) {
  /** @type {Span[]} */
  const out = [];
  const re = /`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > at) out.push({ kind: 'text', text: text.slice(at, m.index) });
    if (m[1] != null) out.push({ kind: 'code', text: m[1] });
    else if (m[2] != null) out.push({ kind: 'strong', text: m[2] });
    else if (m[3] != null) out.push({ kind: 'em', text: m[3] });
    else out.push({ kind: 'link', text: m[4], href: m[5] });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) });
  return out;
}

/**
 * Whether a link in a lesson may be followed: web addresses and the lab's own relative links
 * (never `javascript:` or `data:`).
 * @param {string} href
 */
export const safeHref = (href) => /^(https?:\/\/|[?#]|\.{0,2}\/|[\w-]+(\/|\.html?|\.md))/i.test(href);

/**
 * @param {Span[]} list
 * @param {Document} doc
 */
function spanNodes(list, doc) {
  return list.map((s) => {
    if (s.kind === 'text') return doc.createTextNode(s.text);
    if (s.kind === 'link') {
      if (!safeHref(s.href)) return doc.createTextNode(s.text);
      const a = doc.createElement('a');
      a.href = s.href;
      a.textContent = s.text;
      if (/^https?:/i.test(s.href)) a.rel = 'noopener';
      return a;
    }
    const el = doc.createElement(s.kind);
    el.textContent = s.text;
    return el;
  });
}

/**
 * Lines of a lesson as DOM nodes.
 * @param {string[]} lines
 * @param {Document} [doc]
 */
export function render(lines, doc = document) {
  return blocks(lines).map((b) => {
    if (b.kind === 'p') {
      const p = doc.createElement('p');
      p.append(...spanNodes(b.spans, doc));
      return p;
    }
    const ul = doc.createElement('ul');
    for (const item of b.items) {
      const li = doc.createElement('li');
      li.append(...spanNodes(item, doc));
      ul.append(li);
    }
    return ul;
  });
}

/**
 * A one-line form of inline Markdown (for titles and announcements): the text without markers.
 * @param {string} text
 */
export const plain = (text) =>
  spans(text)
    .map((s) => s.text)
    .join('');
