import { runCli } from './runCli.js';

// The SDK's notice that Node 20 support ends in 2027 is for maintainers, not in every operator's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
