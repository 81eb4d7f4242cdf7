/**
 * Registers the `autoload` CloudEvent function with the Functions Framework, behind the door
 * (src/door/: bad requests are answered before the framework parses them). Everything it
 * runs is built in src/pipeline/wire.ts; only this entry point may stop the process.
 */
import { cloudEvent } from '@google-cloud/functions-framework';
import { installDoor } from './door/guard';
import { log } from './log';
import { createAutoloader } from './pipeline/wire';

function start() {
  try {
    return createAutoloader();
  } catch (error) {
    // An unreadable setting (AUTOLOADER_RETRY_BUDGET_MS=abc…) must stop the instance, loudly.
    log('CRITICAL', error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

const autoloader = start();
// Installed before the framework's server takes its first request (it starts listening
// once this module has run).
installDoor({ inFlightBytes: autoloader.settings.doorInFlightBytes });
// A broken rules file stops the instance: serving with no rules would acknowledge (and so
// lose) every event. The reason was logged at CRITICAL.
autoloader.rules.catch(() => process.exit(1));
cloudEvent('autoload', autoloader.handle);
