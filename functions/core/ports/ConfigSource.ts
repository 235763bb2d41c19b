/** Where the JSON service configuration comes from (SSM in AWS, a file or object in tests and the CLI). */
export interface ConfigSource {
  /** A human-readable name for error messages, e.g. `ssm:/dcr/config`. */
  readonly description: string;
  read(): Promise<string>;
}
