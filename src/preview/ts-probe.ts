// Imported natively by render-loader.ts to learn whether a TypeScript loader (tsx) is registered.
export const typescriptLoads: boolean = true;
