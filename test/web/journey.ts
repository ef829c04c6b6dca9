// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators (innerText is what the user sees), not DOM nodes.
/**
 * What the browser journeys share: Debian's Chromium (and whether it is here), a page that reports its errors, waiting
 * for a page to settle, a screenshot with the axe-core violations of the page, and signing in with a demo password.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { PortalServer } from './portal-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Says loudly, once per suite file, that the suite is skipped because Chromium is missing. */
export function warnWithoutChromium(file: string, what: string): void {
  if (!HAVE_CHROMIUM)
    console.warn(
      `\n*** ${file} SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); ${what} did not run ***\n`,
    );
}

/** Headless Chromium; playwright-core gives each launch a fresh temporary profile (its own --user-data-dir). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageProblems {
  /** An uncaught error in the page's script. */
  onPageError(message: string): void;
  /** A console error about the Content-Security-Policy (a refused script, style or connection); unwatched if absent. */
  onCspError?(text: string): void;
}

/** A new context (en-US, 1280×900, the given time zone) and a page in it whose problems go to `problems`. */
export async function openPage(
  browser: Browser,
  problems: PageProblems,
  timezoneId = 'UTC',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ timezoneId, locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const csp = problems.onCspError;
  if (csp)
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) csp(m.text());
    });
  page.on('pageerror', (e) => problems.onPageError(e.message));
  return { context, page };
}

/** Waits until the page shows its heading and no loading note; on failure saves `failed-settle.png` in `shots`. */
export async function settle(page: Page, shots: string): Promise<void> {
  try {
    await page.waitForFunction(() => document.querySelector('main h1') && !document.querySelector('main .loading'));
  } catch (e) {
    await page.screenshot({ path: join(shots, 'failed-settle.png'), fullPage: true });
    throw new Error(`page did not settle at ${page.url()}: ${await page.locator('body').innerText()}`, { cause: e });
  }
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Every axe-core violation of a page, and those of serious or critical impact, each as one line naming its nodes. */
export interface AxeReport {
  violations: string[];
  serious: string[];
}

/** Settles the page, saves `<name>.png` in `shots`, and runs axe-core on it. */
export async function screenshotAndAxe(page: Page, shots: string, name: string): Promise<AxeReport> {
  await settle(page, shots);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(c: Document): Promise<{ violations: AxeViolation[] }> } };
    return (await w.axe.run(document)).violations;
  });
  const line = (v: AxeViolation) =>
    `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`;
  return {
    violations: violations.map(line),
    serious: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(line),
  };
}

/** Signs in through the sign-in page with the demo password of `email`, and waits for the dashboard. */
export async function signIn(page: Page, server: PortalServer, email: string): Promise<void> {
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(server.passwords[email]!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

/**
 * The steps of one suite's journeys, bound to its screenshot folder, its server (read when a step runs, since it starts
 * in `beforeAll`) and where it keeps the axe-core report of each page.
 */
export function journeySteps(o: {
  shots: string;
  server: () => PortalServer;
  onAxe: (name: string, axe: AxeReport) => void;
}) {
  return {
    settle: (page: Page) => settle(page, o.shots),
    /** Screenshot, then axe-core: no serious or critical violation on this page. */
    async check(page: Page, name: string): Promise<void> {
      const axe = await screenshotAndAxe(page, o.shots, name);
      o.onAxe(name, axe);
      expect(axe.serious, `axe on ${name}`).toEqual([]);
    },
    signIn: (page: Page, email: string) => signIn(page, o.server(), email),
    /** A link of the main navigation. */
    nav: (page: Page, name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }),
  };
}
