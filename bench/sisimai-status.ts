// Sisimai's labels carry an internal pseudo-code (x.0.9NN, one per reason) where the message has
// no enhanced status at all. We never emit those (they are not RFC 3463 codes and would leak into
// webhooks): where the message gives no code we synthesise the class (x.0.0) from the reply code.
// To compare like with like, the harness maps such a synthesised status plus our reason through
// Sisimai's table (go-sisimai smtp/status Code()); a 5.0.0 the message itself wrote stays 5.0.0.
const PERMANENT: Record<string, string> = {
  authfailure: '926', badreputation: '975', blocked: '971', contenterror: '960', exceedlimit: '923',
  expired: '947', failedstarttls: '976', filtered: '910', hasmoved: '916', hostunknown: '912',
  mailboxfull: '922', mailererror: '939', mesgtoobig: '934', networkerror: '944', norelaying: '909',
  notaccept: '932', notcompliantrfc: '974', onhold: '901', policyviolation: '972', rejected: '918',
  requireptr: '973', securityerror: '970', spamdetected: '980', speeding: '946', suspend: '921',
  systemerror: '930', systemfull: '931', syntaxerror: '902', toomanyconn: '945', userunknown: '911',
  undefined: '900', virusdetected: '981',
};
/** Sisimai has no temporary pseudo-code for these; filtered differs in class 4. */
const TEMPORARY_EXCEPTIONS: Record<string, string | undefined> = { hasmoved: undefined, hostunknown: undefined, userunknown: undefined, filtered: '924' };

export function sisimaiStatus(status: string, reason: string, explicit: boolean): string {
  if (explicit || (status !== '' && !/^[45]\.0\.0$/.test(status))) return status;
  const temporary = status.startsWith('4');
  const detail = temporary && reason in TEMPORARY_EXCEPTIONS ? TEMPORARY_EXCEPTIONS[reason] : PERMANENT[reason];
  if (!detail) return status;
  return `${temporary ? '4' : '5'}.0.${detail}`;
}
