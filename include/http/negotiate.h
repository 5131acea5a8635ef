/* negotiate.h: proactive content negotiation (RFC 9110 section 12.5.1): which of the
 * media types a resource can take the Accept header of a request prefers. */
#ifndef KHABAR_NEGOTIATE_H
#define KHABAR_NEGOTIATE_H

/*
 * The member of produces (NULL-terminated, the server's preference first) that accept
 * gives the highest weight. Each type is weighed by the most specific media range that
 * matches it (type/subtype over type/x over x/x, where x is a star), case-insensitively;
 * a type no range matches, or one whose range has q=0, is not acceptable; among equal
 * weights the earlier member wins. A NULL or empty accept takes the first. NULL when
 * nothing is acceptable (a 406).
 */
const char *negotiate_media_type(const char *accept, const char *const *produces);

#endif
