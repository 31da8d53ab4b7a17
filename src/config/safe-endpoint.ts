/**
 * An endpoint as it may be printed: credentials in the URL (`scheme://user:password@host`) replaced by
 * `***`, the rest as written. The user info ends at the last `@` of the authority (as URL parsers
 * read it), so a password containing `@` is hidden whole.
 */
export function safeEndpoint(endpoint: string): string {
  const schemeEnd = endpoint.indexOf('//');
  if (schemeEnd < 0) return endpoint;
  const authorityStart = schemeEnd + 2;
  let authorityEnd = endpoint.length;
  for (const delimiter of ['/', '?', '#']) {
    const at = endpoint.indexOf(delimiter, authorityStart);
    if (at >= 0 && at < authorityEnd) authorityEnd = at;
  }
  const userInfoEnd = endpoint.lastIndexOf('@', authorityEnd - 1);
  if (userInfoEnd < authorityStart) return endpoint;
  return `${endpoint.slice(0, authorityStart)}***${endpoint.slice(userInfoEnd)}`;
}
