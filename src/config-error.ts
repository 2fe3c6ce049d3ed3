/** Bad configuration: the CLI prints one line per problem and exits 2 before any network call. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}
