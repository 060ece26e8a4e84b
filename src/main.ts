#!/usr/bin/env node
// CLI entry (thin): parses the command line and hands over to the daemon or a command module.
// Exit codes: 0 ok, 1 runtime failure, 2 usage error, 78 invalid configuration (sysexits EX_CONFIG,
// so a supervisor can stop restarting a daemon that will never start).
import { parseArgs } from 'node:util';
import { runClassify } from './cli/classify.js';
import { runConfig } from './cli/config.js';
import { runEvidence, runOverride, runReplay, runState } from './cli/operate.js';
import { runRules } from './cli/rules.js';
import { loadConfig } from './config/load.js';
import { startDaemon } from './daemon.js';
import { AppError } from './errors.js';
import { createLogger } from './log.js';
import { renderStateMachineDoc } from './policy/state-machine-doc.js';

const USAGE = `usage: bounce-triage <command> [options]

commands:
  serve [--config FILE]                    run the daemon (SMTP listener, webhook relay, /metrics)
  classify [--explain] [--config FILE] <file|dir|->
                                           print one JSON line per bounced recipient (.eml, maildir, mbox)
  state <address> [--config FILE]          a recipient's state, why, and its latest decisions
  evidence <address> [--json] [--config FILE]
                                           the evidence pack of its latest failure, for its admin or an ESP
  override <address> --state S --actor NAME --why TEXT [--until ISO] [--config FILE]
                                           set a state by hand (recorded with who and why, sent by webhook)
  replay <file|dir|mbox>... [--config FILE]
                                           feed stored bounces through the pipeline (progress bar on a TTY)
  rules check [--config FILE] [RULE-FILE...]
                                           validate the rule packs, replay every sample, report rules that never fire
  config --defaults | --print [--config FILE]
                                           print the documented defaults, or the effective config (secrets redacted)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': return serve(rest);
    case 'classify': return runClassify(rest);
    case 'config': return runConfig(rest);
    case 'rules': return runRules(rest);
    case 'state': return runState(rest);
    case 'evidence': return runEvidence(rest);
    case 'override': return runOverride(rest);
    case 'replay': return runReplay(rest);
    case 'docs':
      if (rest[0] === 'state-machine') { process.stdout.write(renderStateMachineDoc()); return 0; }
      process.stderr.write('bounce-triage docs: usage: docs state-machine\n');
      return 2;
    case undefined: case '-h': case '--help': case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`bounce-triage: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } }, strict: true });
  const config = loadConfig({ file: values.config, env: process.env });
  const logger = createLogger(config.log.level);
  process.on('uncaughtException', err => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  const daemon = await startDaemon({ config, logger });
  await new Promise<void>(resolve => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      logger.info({ signal }, 'signal received');
      daemon.stop().then(resolve, err => {
        logger.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  code => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof AppError && (err.code === 'CONFIG_INVALID' || err.code === 'RULES_INVALID')) {
      process.stderr.write(`bounce-triage: ${err.message}:\n${err.details.map(d => `  - ${d}`).join('\n')}\n`);
      process.exitCode = 78;
    } else if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`bounce-triage: ${(err as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (err instanceof AppError || (err as { syscall?: string }).syscall !== undefined) {
      // Known failures (unreadable input, port in use, a bad override...) get clear lines, not a stack.
      const details = err instanceof AppError ? err.details.map(d => `\n  - ${d}`).join('') : '';
      process.stderr.write(`bounce-triage: ${(err as Error).message}${details}\n`);
      process.exitCode = err instanceof AppError && err.code === 'INVALID_REQUEST' ? 2 : 1;
    } else {
      process.stderr.write(`bounce-triage: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
