/**
 * The semantic token legend. Only standard LSP token types, so every colour
 * theme already has a colour for each: the dump is coloured by layer and
 * field without a TextMate grammar or theme-specific rules.
 */
export enum TokenType {
  comment = 0,   // packet header lines ("12:00:00.1 IP a > b: Flags …")
  namespace,     // link-layer header bytes (Ethernet, Linux cooked …)
  class,         // IP header bytes
  parameter,     // TCP header bytes
  keyword,       // TLS record headers
  type,          // handshake message headers
  number,        // length fields
  enumMember,    // cipher suites, groups, signature schemes
  enum,          // protocol versions
  string,        // server names, ALPN protocols
  function,      // extension types
  regexp,        // opaque bytes: randoms, session ids, key shares
  property,      // other decoded handshake fields
  label,         // the hex offset column ("0x0010:")
}

export const TOKEN_LEGEND = {
  tokenTypes: ['comment', 'namespace', 'class', 'parameter', 'keyword', 'type', 'number', 'enumMember', 'enum', 'string', 'function', 'regexp', 'property', 'label'],
  tokenModifiers: [] as string[],
};
