/**
 * Settings: where the config, the data folder and the database are, and everything read from the
 * environment, decided in one place (flags, then the environment, then the config, then defaults).
 */
export {
  ENVIRONMENT,
  smtpUrlFrom,
  secretFrom,
  portFrom,
  insecureLinksAllowedFrom,
  spamCheckOffFrom,
  DB_OPTION_HELP,
  DATA_OPTION_HELP,
  DEFAULT_DATA_DIR,
  DEFAULT_DB_FILE,
  DEFAULT_VAR_DIR,
  dbFileIn,
  searchPathFrom,
  describeDatabase,
  resolveConfigFile,
  resolveDataDir,
  resolveDatabase,
  resolveLockWaitMs,
  type GlobalOptions,
} from './settings.ts';
