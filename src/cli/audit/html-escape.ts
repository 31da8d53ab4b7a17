/**
 * Text from telemetry into HTML (element content and quoted attribute values): the five markup
 * characters become entities, and control characters are shown escaped (`\n`, `\u001b`) as in the
 * table form, so a crafted attribute can neither inject markup nor hide itself.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
      switch (c) {
        case '\n': return '\\n';
        case '\r': return '\\r';
        case '\t': return '\\t';
        default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
      }
    })
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
