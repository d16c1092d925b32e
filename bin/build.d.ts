/** The compiled CLI entry (dist/cli/daybreak.mjs), as a file URL. */
export declare const CLI_ENTRY: URL;
/** True when dist/cli/ was built from the sources as they are now. */
export declare function isFresh(): boolean;
/** Builds dist/cli/ unless it is current (safe from several processes at once). */
export declare function ensureBuild(): Promise<void>;
