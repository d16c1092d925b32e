/**
 * Bytes reserved in front of each copy in the DKIM threads' shared buffers for its DKIM-Signature
 * fields: an RSA-4096 and an Ed25519 signature with a long h= list take under 2 KB.
 */
export const HEAD_ROOM = 4096;
