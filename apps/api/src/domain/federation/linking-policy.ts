/**
 * When a federated sign-in may attach to an existing identity with the same address. `proof` (the default): only
 * after the user proves the existing account; `trust-verified-email`: when the provider says the address is
 * verified and the connection trusts that; `never`: a federated identity is always a new one. Federation's own
 * concept (connections store it), so federation needs nothing of connections.
 */
export const LINKING_POLICIES = ['proof', 'trust-verified-email', 'never'] as const;
export type LinkingPolicy = (typeof LINKING_POLICIES)[number];
