/**
 * Where to go after signing in: a path on this site only. "//evil.example" and "/\evil.example"
 * are read by browsers as other hosts, so anything but a plain "/path" falls back to "/".
 */
export function safeNextPath(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  // Control characters (a tab or newline inside "/\t/evil") are stripped by URL parsers: refuse them.
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return "/";
  // Back to the sign-in page would be a loop.
  if (value === "/login" || value.startsWith("/login?") || value.startsWith("/login/")) return "/";
  return value;
}
