import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '../errors.js';
import type { ConfigSource } from '../ports/ConfigSource.js';

/** Reads the configuration JSON from a local file: the CLI's `--config FILE` and `config validate FILE`. */
export class FileConfigSource implements ConfigSource {
  readonly description: string;

  constructor(private readonly path: string) {
    this.description = `file ${path}`;
  }

  async read(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ConfigurationError(`${this.description} does not exist`);
      throw new ConfigurationError(`${this.description} cannot be read (${code ?? (error as Error).name})`);
    }
  }
}
