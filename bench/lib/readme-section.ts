/** The README with its spans section replaced (or appended). */
export function replaceSpansSection(readme: string, section: string): string {
  const begin = readme.indexOf('<!-- spans:begin');
  const end = readme.indexOf('<!-- spans:end -->');
  if (begin >= 0 && end > begin) return `${readme.slice(0, begin)}${section}${readme.slice(end + '<!-- spans:end -->'.length)}`;
  return `${readme.trimEnd()}\n\n${section}\n`;
}
