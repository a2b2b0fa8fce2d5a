/** A configuration problem, as one line naming the setting (its own file so config blocks can throw it without an import cycle). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
