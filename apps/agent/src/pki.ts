/**
 * node-forge (CSR signing) is loaded only when a key pair is made, at enrollment and renewal:
 * kept out of start-up, it stays out of the resident memory of an agent that just streams.
 */
export const loadPki = () => import('@tyto/pki');
