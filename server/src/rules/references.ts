/**
 * The sources rules may cite. Every entry comes from the project's notes on
 * what censors are documented to have matched in Tor's handshakes
 * (shared/notes/censorship-history.md, and censorship-2019-2026.md for ESNI/ECH); titles and addresses are given as the
 * note gives them, nothing is added from memory.
 */
export const REF = {
  /** Iran, January 2011: a Diffie-Hellman parameter (the RFC 2409 group 2 prime). */
  iranJan2011:
    "A. Filastò, 'Tor and censorship 2012' (slides), speakerdeck.com/hellais/tor-and-censorship-2012; " +
    "torspec proposal 179, 'TLS certificate and parameter normalization'",
  /** Syria, 2011: Tor's TLS renegotiation. */
  syria2011: "A. Filastò, 'Tor and censorship 2012' (slides), speakerdeck.com/hellais/tor-and-censorship-2012",
  /** Iran, 13–14 September 2011: the certificate lifetime. */
  iranSep2011: "blog.torproject.org, 'Iran blocks Tor; Tor releases same-day fix' (2011-09-14)",
  /** China, late 2011 – 2012: DPI on the ClientHello cipher list, then active probing. */
  china2011: "Winter & Lindskog, 'How the Great Firewall of China is Blocking Tor', FOCI 2012",
  /** Kazakhstan, January – March 2012: something in the ServerHello (not published). */
  kazakhstan2012: "blog.torproject.org, 'Updates on Kazakhstan Internet Censorship' (2012-03-02); trac.torproject.org ticket 6140",
  /** Ethiopia, May – October 2012: strings in ServerHello / Certificate / ServerKeyExchange / ServerHelloDone. */
  ethiopia2012:
    "blog.torproject.org, 'Ethiopia introduces deep packet inspection' (2012-05-31) and its update; " +
    'Tor censorship wiki, CensorshipByCountry/Ethiopia (trac #6045)',
  /** Tor's 2011 certificates: random names, Unix-time serials, SHA-1, 2-hour validity. */
  proposal179: "torspec proposal 179, 'TLS certificate and parameter normalization'",
  /** Tor's current link certificates. */
  torCertNames: "tor source, src/lib/tls/tortls.c and x509.c (link certificate names); torspec proposal 179, 'TLS certificate and parameter normalization'",
  /** China, 29 July 2020: the ESNI extension (shared/notes/censorship-2019-2026.md). */
  china2020Esni: 'net4people/bbs#43 (Geneva team)',
  /** Russia, 5 November 2024: SNI cloudflare-ech.com together with the ECH extension (shared/notes/censorship-2019-2026.md). */
  russia2024Ech: 'net4people/bbs#417',
} as const;
