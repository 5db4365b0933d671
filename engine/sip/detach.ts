// Strings a long-lived object keeps from a parsed message. A header value is a view into the
// whole message text (V8 keeps substrings of 13 characters or more as slices of their parent),
// so a call-id or tag kept by a dialog or a map key would keep that message's entire text (0.5-1
// KB) alive for the call, and through every garbage collection of it (bench/RESULTS.md, ninth
// session). Concatenating forces a flat copy, which the slice then cuts from: the result keeps
// only a copy of its own characters.

/** `s` as a string that does not keep alive the text it was cut from. */
export function detach(s: string): string {
  return (s + ' ').slice(0, -1);
}
