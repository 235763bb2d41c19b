import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ImportFileError, parseImportFile } from '../../cli/importFile.js';
import { sendToLane } from '../../cli/laneQueue.js';
import { progress } from '../../cli/progress.js';

const TARGETS = new Set(['default', 'okta']);
const resolveTarget = (requested: string | undefined) => {
  const name = requested ?? 'default';
  return TARGETS.has(name) ? name : undefined;
};

function problems(text: string): readonly string[] {
  try {
    parseImportFile(text, { resolveTarget });
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
    return (error as ImportFileError).problems;
  }
  throw new Error('the file was accepted');
}

describe('parseImportFile', () => {
  it('reads JSON Lines, skipping blank lines, with line numbers and the default target resolved', () => {
    // Act
    const lines = parseImportFile('{"tenantId":"acme"}\n\n{"tenantId":"globex","target":"okta"}\r\n', { resolveTarget });

    // Assess
    expect(lines).toEqual([
      { line: 1, tenantId: 'acme', target: 'default' },
      { line: 3, tenantId: 'globex', target: 'okta' },
    ]);
  });

  it('reads CSV with or without a header, quoted cells and a byte-order mark', () => {
    expect(parseImportFile('\uFEFFtenantId,target\nacme,okta\n"globex"\ninitech,\n', { resolveTarget })).toEqual([
      { line: 2, tenantId: 'acme', target: 'okta' },
      { line: 3, tenantId: 'globex', target: 'default' },
      { line: 4, tenantId: 'initech', target: 'default' },
    ]);
    expect(parseImportFile('acme\nglobex,okta')).toEqual([
      { line: 1, tenantId: 'acme' },
      { line: 2, tenantId: 'globex', target: 'okta' },
    ]);
  });

  it('names every bad JSON line by its number', () => {
    const found = problems(
      [
        '{"tenantId":"ok-1"}',
        '{"tenantId":"bad id"}',
        'not json',
        '["acme"]',
        '{"tenantId":"ok-2","client_secret":"x"}',
        '{"tenantId":"ok-3","target":"Nope!"}',
        '{"tenantId":"ok-4","target":"missing"}',
        '{"target":"okta"}',
        '{"tenantId":"ok-1"}',
        '{"tenantId":"ok-5","target":7}',
      ].join('\n'),
    );
    expect(found.map((problem) => problem.split(':')[0])).toEqual([
      'line 2',
      'line 3',
      'line 4',
      'line 5',
      'line 6',
      'line 7',
      'line 8',
      'line 9',
      'line 10',
    ]);
    expect(found[3]).toContain('unknown field "client_secret"');
    expect(found[5]).toContain('unknown target "missing"');
    expect(found[7]).toContain('repeats line 1');
  });

  it('names every bad CSV line by its number', () => {
    const found = problems(`acme\na,b,c\n-starts-with-dash\nglobex,UPPER\n${'x'.repeat(65)}\n,okta\nacme,default\n`);
    expect(found).toHaveLength(6);
    expect(found.map((problem) => problem.split(':')[0])).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(found[0]).toContain('3 columns');
    expect(found[4]).toContain('tenantId is missing');
    expect(found[5]).toContain('repeats line 1');
  });

  it('refuses an empty file, and lists at most 20 problems in the message', () => {
    expect(problems('\n\n')).toEqual(['the file lists no tenant']);
    const many = Array.from({ length: 25 }, (_, i) => `{"tenantId":"t${i}","x":1}`).join('\n');
    let message = '';
    try {
      parseImportFile(many);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^25 bad lines, nothing sent:/);
    expect(message).toContain('line 20:');
    expect(message).not.toContain('line 21:');
    expect(message).toContain('… and 5 more');
  });
});

describe('sendToLane', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  it('sends 10 per call and sends entries SQS failed on its side again', async () => {
    // Prepare: the first call fails two entries (server side), every later call succeeds
    let calls = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      calls++;
      return calls === 1
        ? { Successful: [], Failed: input.Entries.slice(0, 2).map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError' })) }
        : { Successful: [], Failed: [] };
    });
    const bodies = Array.from({ length: 25 }, (_, i) => JSON.stringify({ action: 'register', tenantId: `t${i}` }));
    const seen: number[] = [];

    // Act
    const sent = await sendToLane(new SQSClient({ region: 'us-east-1' }), 'http://127.0.0.1:1/q', bodies, {
      backoffMs: () => 1,
      onProgress: (n) => seen.push(n),
    });

    // Assess
    expect(sent).toBe(25);
    const entries = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.length).sort()).toEqual([10, 10, 2, 5].sort());
    expect(
      entries
        .flat()
        .map((e) => e.MessageBody)
        .filter((b, i, all) => all.indexOf(b) !== i),
    ).toHaveLength(2);
    expect(new Set(entries.flat().map((e) => e.MessageBody))).toEqual(new Set(bodies));
    expect(Math.max(...seen)).toBe(25);
  });

  it('fails, after sending the rest, when SQS refuses an entry as the sender fault', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: [],
      Failed: input.Entries.filter((e) => e.Id === '3').map((e) => ({ Id: e.Id, SenderFault: true, Code: 'InvalidMessageContents' })),
    }));
    const bodies = Array.from({ length: 12 }, (_, i) => `{"i":${i}}`);

    await expect(
      sendToLane(new SQSClient({ region: 'us-east-1' }), 'http://127.0.0.1:1/q', bodies, { backoffMs: () => 1 }),
    ).rejects.toThrow(/1 of 12 messages not sent \(entry 3: InvalidMessageContents\).*run the import again/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });
});

describe('progress', () => {
  function stream(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, stream: Object.assign(new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), { isTTY }) };
  }

  it('redraws a bar in place on a terminal, and prints a line per 10 % otherwise', () => {
    const tty = stream(true);
    const plain = stream(false);
    for (const target of [tty, plain]) {
      const bar = progress(target.stream, 'sent', 200);
      for (let done = 0; done <= 200; done += 10) bar.update(done);
      bar.finish();
    }
    expect(tty.chunks.at(-2)).toBe(`\rsent [${'#'.repeat(30)}] 200/200 100%`);
    expect(tty.chunks.at(-1)).toBe('\n');
    expect(plain.chunks).toEqual(Array.from({ length: 11 }, (_, i) => `sent: ${i * 20}/200\n`));
  });
});
