/**
 * The Chromium the browser tests drive, found in this order:
 *   1. `ETHERSIM_CHROMIUM=/path/to/chromium` — any Chromium or Chrome the user points at;
 *   2. `/usr/bin/chromium` — Debian's package, when installed;
 *   3. the headless Chromium that ships inside the `@sparticuz/chromium` devDependency
 *      (brotli-compressed in node_modules), unpacked once into node_modules/.cache/, so that
 *      `npm ci && npm test` needs no system browser and no apt-get.
 * The package's own `executablePath()` unpacks into a fixed /tmp path that concurrent test
 * processes race on (it checks only that the file exists); this unpacks to a private
 * directory and renames it into place, so a half-written binary is never launched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for every browser: headless without a sandbox (containers run tests as root) or a GPU,
 * and none of Chromium's own network traffic (update checks, sync, QUIC probes): the tests run
 * on machines whose network is closed, and only talk to their own 127.0.0.1 server.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface ChosenChromium {
  executablePath: string;
  /** Where it came from, for the test log. */
  source: 'ETHERSIM_CHROMIUM' | 'system' | '@sparticuz/chromium';
  /** Extra environment (the packaged browser's fonts and, if needed, libraries). */
  env: Record<string, string>;
}

/** Which Chromium the tests use (see the module comment for the order); unpacks the packaged one if needed. */
export function chooseChromium(): ChosenChromium {
  const fromEnv = process.env.ETHERSIM_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`ETHERSIM_CHROMIUM=${fromEnv}: no such file`);
    return { executablePath: fromEnv, source: 'ETHERSIM_CHROMIUM', env: {} };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, source: 'system', env: {} };
  return packagedChromium();
}

/** Launch the chosen Chromium through playwright-core. */
export async function launchChromium(): Promise<{ browser: Browser; chosen: ChosenChromium }> {
  const chosen = chooseChromium();
  const browser = await chromium.launch({
    executablePath: chosen.executablePath,
    args: ARGS,
    env: { ...process.env, ...chosen.env } as Record<string, string>,
  });
  return { browser, chosen };
}

/** The @sparticuz/chromium browser, unpacked into node_modules/.cache/ethersim-chromium/<version>/. */
function packagedChromium(): ChosenChromium {
  // The package exports only its entry (build/index.js); its root is one level up.
  const pkgDir = resolve(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..');
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(ROOT, 'node_modules', '.cache', 'ethersim-chromium', version);
  if (!existsSync(join(dir, 'chromium'))) unpack(join(pkgDir, 'bin'), dir);
  const executablePath = join(dir, 'chromium');
  const env: Record<string, string> = { FONTCONFIG_FILE: join(dir, 'fonts.conf') };
  // The binary needs NSS, NSPR and expat; the package carries them (built for Amazon Linux 2023)
  // for systems that lack them. Use them only then: the system's own are preferred.
  if (missingLibraries(executablePath)) {
    env.LD_LIBRARY_PATH = [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return { executablePath, source: '@sparticuz/chromium', env };
}

function unpack(binDir: string, dir: string): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'chromium'), brotliDecompressSync(readFileSync(join(binDir, 'chromium.br'))), {
    mode: 0o755,
  });
  untar(brotliDecompressSync(readFileSync(join(binDir, 'fonts.tar.br'))), join(tmp, 'fontfiles'));
  untar(brotliDecompressSync(readFileSync(join(binDir, 'al2023.tar.br'))), tmp); // lib/*.so
  // Open Sans from the package, after the system's fonts when the system has any; so text
  // renders on a machine without a single font installed.
  writeFileSync(
    join(tmp, 'fonts.conf'),
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      '<fontconfig>',
      '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
      `  <dir>${join(dir, 'fontfiles', 'fonts')}</dir>`,
      `  <cachedir>${join(dir, 'fontconfig-cache')}</cachedir>`,
      '</fontconfig>',
      '',
    ].join('\n'),
  );
  try {
    renameSync(tmp, dir); // atomic: another process either sees all of it or none
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'chromium'))) throw e; // not a lost race: a real failure
  }
}

/**
 * Extract a ustar archive's regular files and directories (all the package's archives hold);
 * anything else is an error rather than a silently missing file.
 */
function untar(tar: Buffer, into: string): void {
  const field = (o: number, n: number) => tar.toString('utf8', o, o + n).replace(/\0.*$/s, '');
  for (let o = 0; o + 512 <= tar.length; ) {
    const name = field(o, 100);
    if (name === '') break; // the two zero blocks that end the archive
    const prefix = field(o + 345, 155);
    const path = join(into, prefix ? `${prefix}/${name}` : name);
    if (!path.startsWith(into)) throw new Error(`tar entry outside its directory: ${name}`);
    const size = Number.parseInt(field(o + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[o + 156]!);
    if (type === '5') mkdirSync(path, { recursive: true });
    else if (type === '0' || type === '\0') {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, tar.subarray(o + 512, o + 512 + size));
    } else throw new Error(`tar entry ${name}: type '${type}' is not supported`);
    o += 512 + Math.ceil(size / 512) * 512;
  }
}

/** Whether the dynamic linker finds every library the binary needs (false when `ldd` is absent). */
function missingLibraries(executable: string): boolean {
  const r = spawnSync('ldd', [executable], { encoding: 'utf8' });
  return r.status === 0 && /not found/.test(r.stdout);
}
