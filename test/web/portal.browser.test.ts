// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators (innerText is what the user sees), not DOM nodes.
/**
 * The portal in a real browser: Debian's Chromium driven by playwright-core against the real server (temporary SQLite
 * file, demo data, built web app). Each journey of issue #8, axe-core on every page (no serious or critical
 * violation may remain), no Content-Security-Policy violation, and a screenshot of each page in
 * test-output/screenshots/ (ignored by git). Without /usr/bin/chromium the suite is skipped and says so.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleIncidentInput } from '../../src/enforcement/test-fixtures.js';
import { projectRoot } from '../../src/paths.js';
import { evidenceBody } from '../enforcement/world.js';
import { HAVE_CHROMIUM, journeySteps, launchChromium, openPage, warnWithoutChromium } from './journey.js';
import { type PortalServer, startPortalServer } from './portal-server.js';

warnWithoutChromium('test/web/portal.browser.test.ts', 'the browser journeys');

const SHOTS = join(projectRoot(), 'test-output', 'screenshots');
const LONG = 180_000;

const axeResults: Record<string, { violations: string[]; serious: string[] }> = {};

(HAVE_CHROMIUM ? describe : describe.skip)('portal in Chromium', () => {
  let server: PortalServer;
  let browser: Browser;
  const consoleProblems: string[] = [];

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    server = await startPortalServer();
    browser = await launchChromium();
  }, LONG);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (Object.keys(axeResults).length > 0)
      writeFileSync(join(SHOTS, 'axe-results.json'), `${JSON.stringify(axeResults, null, 2)}\n`);
  }, LONG);

  const newPage = (timezoneId = 'UTC') =>
    openPage(
      browser,
      {
        onPageError: (m) => consoleProblems.push(`page error: ${m}`),
        onCspError: (t) => consoleProblems.push(t),
      },
      timezoneId,
    );

  const { settle, check, signIn, nav } = journeySteps({
    shots: SHOTS,
    server: () => server,
    onAxe: (name, axe) => {
      axeResults[name] = axe;
    },
  });

  const coordToken = () => server.tokens.coordinator!.token;
  let amberId = '';
  const AMBER_SUMMARY = 'Demo AMBER: server-side request forgery in the demo model gateway';

  it(
    'an anonymous visitor sees only TLP:CLEAR advisories, and not the AMBER one by URL',
    async () => {
      const coord = server.tokens.coordinator!.token;
      const bank = server.tokens['infrastructure_operator:financial_services']!;
      const adv = await server.api<{ id: string }>('POST', '/api/v1/advisories', coord, {
        summary: AMBER_SUMMARY,
        details: 'Shared with the bank only.',
        marking: { tlp: 'AMBER', sharedWithOrgIds: [bank.orgId] },
      });
      amberId = adv.id;

      const { context, page } = await newPage();
      await page.goto(`${server.url}/advisories`);
      await settle(page);
      const badges = await page.locator('table.data .tlp').allInnerTexts();
      expect(badges.length).toBeGreaterThan(5);
      expect(new Set(badges)).toEqual(new Set(['TLP:CLEAR']));
      await expect(page.locator('main').innerText()).resolves.not.toContain(AMBER_SUMMARY);
      await check(page, 'advisories-anonymous');

      await page.getByRole('searchbox', { name: 'Search' }).fill('server-side request forgery demo model gateway');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('No advisory matches.').waitFor();

      await page.goto(`${server.url}/advisories/${amberId}`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toContain('Not found');
      expect(await page.locator('main').innerText()).not.toContain(AMBER_SUMMARY);

      // A public advisory opens, with its downloads.
      await page.goto(`${server.url}/advisories`);
      await settle(page);
      await page.locator('table.data tbody tr a').first().click();
      await page.getByRole('heading', { level: 2, name: 'Affected packages' }).waitFor();
      await check(page, 'advisory-detail-anonymous');
      const osv = await page.getByRole('link', { name: 'OSV JSON' }).getAttribute('href');
      expect(await page.evaluate((h) => fetch(h!).then((r) => r.status), osv)).toBe(200);
      await context.close();
    },
    LONG,
  );

  it(
    'a member of another organisation cannot reach the AMBER advisory by URL; the shared one can',
    async () => {
      const water = await newPage();
      await signIn(water.page, 'admin@water.demo');
      await check(water.page, 'dashboard-operator');
      await water.page.goto(`${server.url}/advisories/${amberId}`);
      await water.page.getByRole('alert').waitFor();
      expect(await water.page.getByRole('alert').innerText()).toContain('Not found');
      expect(await water.page.locator('main').innerText()).not.toContain(AMBER_SUMMARY);
      await check(water.page, 'advisory-amber-refused');
      await water.context.close();

      const bank = await newPage();
      await signIn(bank.page, 'admin@bank.demo');
      await bank.page.goto(`${server.url}/advisories/${amberId}`);
      await bank.page.getByRole('heading', { level: 1, name: new RegExp(AMBER_SUMMARY) }).waitFor();
      expect(await bank.page.locator('main .meta .tlp').first().innerText()).toBe('TLP:AMBER');
      await bank.context.close();
    },
    LONG,
  );

  it(
    'an AI developer submits a report, seeing a field error from the server first',
    async () => {
      const { context, page } = await newPage();
      await signIn(page, 'admin@lab.demo');
      await nav(page, 'Reports').click();
      await settle(page);
      await check(page, 'reports');
      await page.getByRole('link', { name: 'Submit a report' }).click();
      await settle(page);
      await check(page, 'report-new');
      const title = 'Demo agent runtime executes tool calls smuggled in Markdown image alt text';
      await page.getByLabel('Title').fill(title);
      await page
        .getByLabel('Description')
        .fill('A crafted image alt text in a retrieved page is parsed as a tool call and run without confirmation.');
      await page.getByLabel('Model (if AI was used)').fill('demo-frontier-model-2026-06');
      await page.getByLabel('Package URL (purl)').fill('not a package url');
      await page.getByRole('button', { name: 'Submit report' }).click();
      const purl = page.getByLabel('Package URL (purl)');
      await expect.poll(() => purl.getAttribute('aria-invalid')).toBe('true');
      const fieldError = page.locator('.field.invalid .field-error');
      expect(await fieldError.count()).toBeGreaterThan(0);
      expect(await page.getByRole('alert').innerText()).toContain('affected');
      await check(page, 'report-new-field-error');

      await purl.fill('pkg:npm/demo-agent-runtime');
      await page.getByLabel('Fixed in version (if any)').fill('1.4.2');
      await page.getByRole('button', { name: 'Submit report' }).click();
      await page
        .getByRole('heading', { level: 1, name: title })
        .waitFor()
        .catch(async (e) => {
          throw new Error(`no report page: ${await page.locator('main').innerText()}`, { cause: e });
        });
      await check(page, 'report-detail');
      expect(await page.locator('main').innerText()).toContain('pkg:npm/demo-agent-runtime');
      await context.close();
    },
    LONG,
  );

  it(
    'a coordinator opens a case from two duplicate reports, sets an embargo and publishes an advisory',
    async () => {
      const base = {
        description:
          'The demo vector store returns documents of other tenants when the namespace filter contains a wildcard; found by fuzzing the query API.',
        provenance: { discoveryMethod: 'ai_autonomous', model: 'demo-model' },
        affected: [
          {
            purl: 'pkg:pypi/demo-vector-store',
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.2.0' }] }],
          },
        ],
        cweIds: ['CWE-284'],
        marking: { tlp: 'AMBER' },
      };
      const t1 = 'Cross-tenant read in demo-vector-store via wildcard namespace (lab)';
      const t2 = 'Cross-tenant read in demo-vector-store via wildcard namespace (agency)';
      await server.api('POST', '/api/v1/reports', server.tokens.ai_developer!.token, { ...base, title: t1 });
      await server.api('POST', '/api/v1/reports', server.tokens.federal_agency!.token, { ...base, title: t2 });

      await server.api('POST', '/api/v1/advisories', coordToken(), {
        summary: 'Demo: prompt injection through retrieved web pages in the demo agent runtime',
        atlasIds: ['AML.T0051.000'],
      });
      const { context, page } = await newPage('America/Chicago');
      await signIn(page, 'admin@clearinghouse.local');
      await check(page, 'dashboard-coordinator');
      // The ATLAS chart counts by tactic from the statistics endpoint (the same numbers in its table).
      const stats = await server.api<{ byTactic: { name: string; count: number }[] }>(
        'GET',
        '/api/v1/advisories/statistics?months=12',
        coordToken(),
      );
      const tacticFigure = page.locator('figure', { hasText: 'Advisories by MITRE ATLAS tactic' });
      await tacticFigure.locator('summary').click();
      const cells = await tacticFigure.locator('tbody tr td:first-child').allInnerTexts();
      expect(cells).toEqual(stats.byTactic.map((x) => expect.stringContaining(x.name)));
      expect(cells.join(' ')).toContain('Execution (AML.TA0005)');
      await nav(page, 'Triage inbox').click();
      await settle(page);
      await check(page, 'inbox');
      // Bulk reject with a reason.
      const junk = 'Demo noise: the model says the sky is a vulnerability';
      const junkReport = await server.api<{ id: string }>(
        'POST',
        '/api/v1/reports',
        server.tokens.ai_developer!.token,
        {
          ...base,
          title: junk,
          affected: [{ purl: 'pkg:npm/demo-sky', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
        },
      );
      await page.reload();
      await settle(page);
      await page.getByLabel(`Select: ${junk}`).check();
      await page.getByLabel('Reason for rejecting').fill('not a vulnerability');
      await page.getByRole('button', { name: 'Reject with reason' }).click();
      await page.getByText('1 report(s) rejected.').waitFor();
      const rejected = await server.api<{ validationState: string }>(
        'GET',
        `/api/v1/reports/${junkReport.id}`,
        server.tokens.coordinator!.token,
      );
      expect(rejected.validationState).toBe('invalid');
      await page.getByLabel(`Select: ${t1}`).check();
      await page.getByLabel(`Select: ${t2}`).check();
      await page.getByLabel('New case title').fill('Cross-tenant read in demo-vector-store');
      await page.getByRole('button', { name: 'Open a case from the selected' }).click();
      await page.getByRole('heading', { level: 1, name: 'Cross-tenant read in demo-vector-store' }).waitFor();
      await settle(page);
      const caseId = page.url().split('/').pop()!;
      const opened = await server.api<{ reports: { reportId: string }[] }>(
        'GET',
        `/api/v1/cases/${caseId}`,
        server.tokens.coordinator!.token,
      );
      expect(opened.reports).toHaveLength(2);

      // A third report of the same flaw, attached from the inbox as a duplicate.
      const t3 = 'Cross-tenant read in demo-vector-store via wildcard namespace (vendor)';
      await server.api('POST', '/api/v1/reports', server.tokens.vendor!.token, { ...base, title: t3 });
      await page.goto(`${server.url}/inbox`);
      await settle(page);
      await page.getByLabel(`Select: ${t3}`).check();
      await page.getByLabel('Existing case').selectOption({ label: 'Cross-tenant read in demo-vector-store' });
      await page.getByRole('button', { name: 'Attach as duplicates' }).click();
      await page.getByText('1 report(s) attached as duplicates.').waitFor();
      const attached = await server.api<{ reports: { relation: string }[] }>(
        'GET',
        `/api/v1/cases/${caseId}`,
        server.tokens.coordinator!.token,
      );
      expect(attached.reports.map((r) => r.relation).sort()).toEqual(['duplicate', 'duplicate', 'primary']);
      await page.goto(`${server.url}/cases/${caseId}`);
      await settle(page);

      // The embargo end is typed and shown in the viewer's zone (Chicago), stored as UTC.
      const endLocal = new Date(Date.now() + 10 * 86_400_000);
      const ymd = endLocal.toISOString().slice(0, 10);
      await page.getByLabel(/Embargo end/).fill(`${ymd}T10:00`);
      await page.getByRole('button', { name: 'Propose embargo' }).click();
      await page.getByText('State: proposed').waitFor();
      expect(await page.locator('main').innerText()).toContain('America/Chicago');
      const after = await server.api<{ embargo: { proposal: { endsAt: string } } }>(
        'GET',
        `/api/v1/cases/${caseId}`,
        server.tokens.coordinator!.token,
      );
      const stored = new Date(after.embargo.proposal.endsAt);
      expect(stored.toISOString().slice(0, 10)).toBe(ymd);
      expect([15, 16]).toContain(stored.getUTCHours()); // 10:00 in Chicago is 15:00 or 16:00 UTC (summer or winter)
      expect(await page.locator('main').innerText()).toMatch(/10:00\s?AM (CST|CDT)/);
      await check(page, 'case-detail');

      await page.getByLabel('Summary').fill('Cross-tenant read in demo-vector-store through wildcard namespaces');
      await page.getByLabel('Marking (TLP)').selectOption('CLEAR');
      await page.getByLabel('Record an SSVC decision').check();
      await page.getByLabel('Exploitation').selectOption('public_poc');
      await page.getByLabel('Automatable').selectOption('yes');
      await page.getByLabel('Technical impact').selectOption('total');
      await page.getByLabel('Mission and well-being').selectOption('high');
      await page.getByRole('button', { name: 'Publish advisory' }).click();
      await page.getByRole('heading', { level: 2, name: 'SSVC decision' }).waitFor();
      await settle(page);
      expect(await page.locator('main h1').innerText()).toContain('Cross-tenant read in demo-vector-store');
      const ssvc = await page.locator('section:has(h2#ssvc)').innerText();
      expect(ssvc).toMatch(/Track\*?|Attend|Act/);
      expect(await page.locator('section:has(h2#ssvc) ol li').count()).toBeGreaterThan(0);
      await check(page, 'advisory-published');
      for (const name of ['OSV JSON', 'CSAF 2.0', 'STIX 2.1 bundle']) {
        const href = await page.getByRole('link', { name }).getAttribute('href');
        expect(await page.evaluate((h) => fetch(h!).then((r) => r.status), href), name).toBe(200);
      }

      for (const [path, name] of [
        ['/cases', 'cases'],
        ['/advisories', 'advisories-coordinator'],
        ['/organisation', 'organisation-coordinator'],
        ['/audit', 'audit'],
        ['/enforcement', 'enforcement'],
        ['/inventory', 'inventory-coordinator'],
      ] as const) {
        await page.goto(`${server.url}${path}`);
        await check(page, name);
      }
      await context.close();
    },
    LONG,
  );

  it(
    'an org admin invites a member by a one-time link; the member sets a password and signs in',
    async () => {
      const admin = await newPage();
      await signIn(admin.page, 'admin@bank.demo');
      await nav(admin.page, 'Organisation').click();
      await settle(admin.page);
      await admin.page.getByLabel('Email', { exact: true }).fill('analyst@bank.demo');
      await admin.page.getByLabel('Name', { exact: true }).fill('Bank analyst');
      await admin.page.getByRole('button', { name: 'Create invite link' }).click();
      const link = await admin.page.locator('.secret code').innerText();
      expect(link).toMatch(/\/invite#chi_/);
      await check(admin.page, 'organisation-admin');
      await admin.context.close();

      const invitee = await newPage();
      await invitee.page.goto(link);
      await invitee.page.getByRole('heading', { name: 'Set your password' }).waitFor();
      await settle(invitee.page);
      expect(invitee.page.url()).not.toContain('chi_');
      await invitee.page.getByLabel('New password').fill('bank analyst long password');
      await invitee.page.getByLabel('Repeat the password').fill('bank analyst long password');
      await check(invitee.page, 'invite');
      await invitee.page.getByRole('button', { name: 'Set password' }).click();
      await invitee.page.getByRole('link', { name: /Sign in as/ }).click();
      await invitee.page.getByLabel('Email').fill('analyst@bank.demo');
      await invitee.page.getByLabel('Password').fill('bank analyst long password');
      await invitee.page.getByRole('button', { name: 'Sign in' }).click();
      await invitee.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      // Used once: the same link now fails.
      await invitee.page.goto(link);
      await invitee.page.getByRole('alert').waitFor();
      await check(invitee.page, 'invite-used');
      await invitee.page.getByRole('button', { name: 'Sign out' }).click();
      await invitee.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await check(invitee.page, 'sign-in');
      await invitee.context.close();
    },
    LONG,
  );

  it(
    'an operator uploads an SBOM, sees a finding and sets it not_affected (when inventories exist)',
    async (ctx) => {
      const probe = await server.app.inject({ method: 'GET', url: '/api/v1/assets' });
      if (probe.statusCode === 404) {
        console.warn('test/web: no /api/v1/assets on this server: the SBOM journey is skipped');
        ctx.skip();
      }
      const sbom = {
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
        version: 1,
        metadata: { component: { type: 'application', name: 'bank-chat-assistant', version: '1.0.0' } },
        components: [
          {
            type: 'library',
            'bom-ref': 'aiohttp',
            name: 'aiohttp',
            version: '0.10.0',
            purl: 'pkg:pypi/aiohttp@0.10.0',
          },
        ],
      };
      const { context, page } = await newPage();
      await signIn(page, 'admin@bank.demo');
      await nav(page, 'Inventory').click();
      await settle(page);
      await page.getByLabel('Asset name').fill('bank-chat-assistant');
      await page.getByLabel(/SBOM file/).setInputFiles({
        name: 'bank-chat-assistant.cdx.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(sbom)),
      });
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.getByText(/^Stored\./).waitFor();
      await page.locator('table.data tbody tr', { hasText: 'aiohttp' }).first().waitFor();
      await settle(page);
      await check(page, 'inventory-findings');
      const row = page.locator('table.data tbody tr', { hasText: 'aiohttp' }).first();
      await row.getByLabel(/VEX status for aiohttp/).selectOption('not_affected');
      await row.getByLabel('Justification').selectOption('vulnerable_code_not_in_execute_path');
      await row.getByRole('button', { name: 'Set VEX' }).click();
      // Not affected: the finding leaves the open list; the page says what was set.
      await page
        .getByRole('status')
        .filter({ hasText: /VEX for aiohttp \S+\s*: not affected/ })
        .waitFor()
        .catch(async (e) => {
          throw new Error(`VEX not set: ${await page.locator('section:has(h2#findings)').innerText()}`, { cause: e });
        });
      await page.getByLabel('Status', { exact: true }).selectOption('all');
      await page
        .locator('table.data tbody tr', { hasText: 'aiohttp' })
        .filter({ hasText: 'VEX: not affected' })
        .first()
        .waitFor();
      const bankToken = server.tokens['infrastructure_operator:financial_services']!.token;
      const findings = await server.api<{ items: { id: string }[] }>('GET', '/api/v1/findings?status=all', bankToken);
      const current: (string | undefined)[] = [];
      for (const f of findings.items) {
        const vex = await server.api<{ items: { status: string }[] }>('GET', `/api/v1/findings/${f.id}/vex`, bankToken);
        current.push(vex.items.at(-1)?.status);
      }
      expect(current.filter((x) => x === 'not_affected')).toHaveLength(1);

      await nav(page, 'Dashboard').click();
      await page.getByRole('heading', { level: 2, name: 'What hits us now' }).waitFor();
      await settle(page);
      expect(await page.locator('section:has(h2#exposure)').innerText()).toContain('aiohttp');
      await check(page, 'dashboard-operator-findings');
      await context.close();
    },
    LONG,
  );

  it(
    'an AI developer sees its review window with the developer actions',
    async (ctx) => {
      const probe = await server.app.inject({ method: 'GET', url: '/api/v1/reviews/windows' });
      if (probe.statusCode === 404) {
        console.warn('test/web: no review windows on this server: the review page check is skipped');
        ctx.skip();
      }
      const lab = server.tokens.ai_developer!.token;
      const w = await server.api<{ id: string }>('POST', '/api/v1/reviews/windows', lab, {
        modelName: 'demo-frontier-model',
        snapshotId: 'demo-2026-12-01',
        trustedPartnerDate: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
        endpoint: {
          baseUrl: 'http://127.0.0.1:9/v1',
          apiKey: 'demo-upstream-key',
          variants: [{ variant: 'production', modelId: 'demo-frontier-prod' }],
        },
        limits: { requestsPerMinute: 60, maxBudget: { requests: 1000, tokens: 1_000_000, seconds: 3600 } },
      });
      const { context, page } = await newPage();
      await signIn(page, 'admin@lab.demo');
      await nav(page, 'Reviews').click();
      await settle(page);
      await check(page, 'reviews');
      await page.getByRole('link', { name: /demo-frontier-model/ }).click();
      await page.getByRole('heading', { level: 2, name: 'Developer actions' }).waitFor();
      await settle(page);
      expect(page.url()).toContain(w.id);
      await check(page, 'review-window');
      await context.close();

      // Another organisation's member gets no such window.
      const water = await newPage();
      await signIn(water.page, 'admin@water.demo');
      await water.page.goto(`${server.url}/reviews/${w.id}`);
      await water.page.getByRole('alert').waitFor();
      expect(await water.page.locator('main').innerText()).not.toContain('demo-frontier-model');
      await water.context.close();
    },
    LONG,
  );

  it(
    'review window: a developer offers and opens, a reviewer runs a suite and files a finding, another validates, the developer responds and withdraws',
    async () => {
      const dialogs = (p: Page) => p.on('dialog', (d) => void d.accept());
      const dev = await newPage();
      dialogs(dev.page);
      await signIn(dev.page, 'admin@lab.demo');
      await nav(dev.page, 'Reviews').click();
      await settle(dev.page);
      // Offer: model, snapshot, dates, endpoint (secret write-only), variants, budgets.
      const tpd = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
      await dev.page.getByLabel('Model name').fill('journey-model');
      await dev.page.getByLabel('Snapshot').fill('journey-2026-12');
      await dev.page.getByLabel('Trusted-partner date').fill(tpd);
      await dev.page.getByLabel('Endpoint base URL').fill(server.model.baseURL);
      await dev.page.getByLabel('Endpoint secret').fill('scripted-upstream-secret');
      await dev.page.getByLabel('Model id for the production variant').fill('oracle');
      await dev.page.getByLabel('Model id for the reduced-safeguards variant').fill('guesser');
      await check(dev.page, 'reviews-offer-form');
      await dev.page.getByRole('button', { name: 'Create the window (draft)' }).click();
      await dev.page.getByRole('heading', { level: 1, name: /journey-model/ }).waitFor();
      await settle(dev.page);
      const windowId = dev.page.url().split('/').pop()!;
      expect(await dev.page.locator('main').innerText()).not.toContain('scripted-upstream-secret');
      expect(await dev.page.locator('main').innerText()).toContain('stored (never shown)');

      // Terms: added, read with their SHA-256, signed.
      const termsText = `Journey terms ${Date.now()}: findings stay confidential until the developer has answered.`;
      await dev.page.getByLabel('Terms text').fill(termsText);
      await dev.page.getByRole('button', { name: 'Add terms' }).click();
      await dev.page.getByRole('button', { name: 'Read the text of v1' }).click();
      await dev.page.getByText(termsText).waitFor();
      const { createHash } = await import('node:crypto');
      const sha = createHash('sha256').update(termsText, 'utf8').digest('hex');
      expect(await dev.page.locator('main code.hash').first().innerText()).toBe(sha);
      await dev.page.getByRole('button', { name: 'Sign government terms v1' }).click();
      await dev.page.getByText(/signed by Demo Frontier AI Lab/).waitFor();
      await dev.page.getByRole('button', { name: 'Offer', exact: true }).click();
      await dev.page.getByRole('button', { name: 'Open', exact: true }).click();
      await dev.page.getByText(/State open/).waitFor();
      // A government reviewer grant with the raw-transcript scope.
      await dev.page.getByLabel('Grantee organisation').selectOption({ label: 'Demo Federal Cyber Agency' });
      await dev.page.getByLabel('May read raw transcripts').check();
      await dev.page.getByRole('button', { name: 'Grant', exact: true }).click();
      await dev.page.locator('table.data tbody tr', { hasText: 'Demo Federal Cyber Agency' }).waitFor();
      await settle(dev.page);
      await check(dev.page, 'review-window-developer-open');

      // A second reviewer of the agency, who signs in through an invite link.
      const agencyToken = server.tokens.federal_agency!;
      const inv = await server.api<{ token: string }>(
        'POST',
        `/api/v1/organisations/${agencyToken.orgId}/invites`,
        agencyToken.token,
        { email: 'second@agency.demo', name: 'Second reviewer', role: 'analyst' },
      );
      const accepted = await server.app.inject({
        method: 'POST',
        url: '/api/v1/invites/accept',
        headers: { 'content-type': 'application/json', host: new URL(server.url).host, origin: server.url },
        payload: JSON.stringify({ token: inv.token, password: 'second reviewer password' }),
      });
      expect(accepted.statusCode, accepted.body).toBeLessThan(300);
      server.passwords['second@agency.demo'] = 'second reviewer password';

      // The reviewer: a reference run on the reduced-safeguards variant, then the production variant.
      const rev = await newPage();
      await signIn(rev.page, 'admin@agency.demo');
      await rev.page.goto(`${server.url}/reviews/${windowId}`);
      await settle(rev.page);
      for (const [variant, reference] of [
        ['reduced-safeguards', true],
        ['production', false],
      ] as const) {
        await rev.page.getByLabel('Suite or task').fill('cyber-knowledge');
        await rev.page.getByLabel('Variant').selectOption(variant);
        await rev.page.getByLabel('Samples per task (optional)').fill('4');
        await rev.page.getByLabel(/Reference run/).setChecked(reference);
        await rev.page.getByRole('button', { name: 'Start run' }).click();
        await rev.page.locator('table.data tbody tr', { hasText: variant }).first().waitFor();
      }
      await expect
        .poll(
          async () => {
            await rev.page.getByRole('button', { name: 'Refresh runs' }).click();
            await settle(rev.page);
            return rev.page.locator('section:has(h2#runs) table.data tbody tr', { hasText: 'success' }).count();
          },
          { timeout: 90_000, interval: 1000 },
        )
        .toBe(2);
      await rev.page.getByRole('button', { name: 'Details of cyber-knowledge (production)' }).click();
      const detail = rev.page.locator('section.panel:has(h3#run-detail)');
      await detail.getByText('Compared with reference run').waitFor();
      const runs = await server.api<{ items: { id: string; variant: string; results: { scorer: string }[] }[] }>(
        'GET',
        `/api/v1/reviews/windows/${windowId}/runs`,
        agencyToken.token,
      );
      const prod = runs.items.find((r) => r.variant === 'production')!;
      const one = await server.api<{ comparison: { scores: { accuracy: number }[] } }>(
        'GET',
        `/api/v1/reviews/windows/${windowId}/runs/${prod.id}`,
        agencyToken.token,
      );
      expect(await detail.locator('table tbody tr td').nth(1).innerText()).toBe(
        one.comparison.scores[0]!.accuracy.toFixed(3),
      );
      await detail.getByRole('button', { name: 'Show samples' }).click();
      await detail.getByText(/Whole transcripts/).waitFor();
      expect(await detail.locator('ol.samples > li').count()).toBe(4);
      await check(rev.page, 'review-window-reviewer-runs');

      // A gateway key of the reviewer's own grant, shown once; and a trusted partner proposed for the developer.
      await rev.page.getByRole('button', { name: 'Create a gateway key' }).click();
      const keyBox = rev.page.locator('section:has(h2#grants) .secret');
      await keyBox.waitFor();
      const gatewayKey = (await keyBox.locator('code').nth(1).innerText()).trim();
      expect(gatewayKey.length).toBeGreaterThan(15);
      await rev.page.getByLabel('Partner organisation').selectOption({ label: 'Demo Software Vendor' });
      await rev.page.getByRole('button', { name: 'Propose (the developer accepts or declines)' }).click();
      await rev.page
        .locator('section:has(h2#grants) tbody tr', { hasText: 'Demo Software Vendor' })
        .getByText('proposed')
        .waitFor();

      // A finding on the production run.
      const findingTitle = 'journey-model answers offensive cyber questions without refusal';
      await rev.page.getByLabel('Finding title').fill(findingTitle);
      await rev.page.getByLabel('Type').selectOption('capability');
      await rev.page.getByLabel('Severity').selectOption('high');
      await rev.page.getByLabel('Finding description').fill('All four sampled questions were answered in full.');
      await rev.page.getByLabel('Evidence run').selectOption(prod.id);
      await rev.page.getByLabel('Reproduced (k)').fill('4');
      await rev.page.getByLabel('Attempts (n)').fill('4');
      await rev.page.getByRole('button', { name: 'File finding (draft)' }).click();
      const row = (p: Page) => p.locator('section:has(h2#wfindings) table.data tbody tr', { hasText: findingTitle });
      await row(rev.page).waitFor();
      expect(await row(rev.page).innerText()).toContain('draft');
      // The author may not validate their own finding: no button.
      expect(await row(rev.page).getByRole('button', { name: 'Validate' }).count()).toBe(0);
      await check(rev.page, 'review-window-finding-draft');
      await rev.context.close();

      // The developer does not see a draft; it accepts the proposed partner.
      await dev.page.reload();
      await settle(dev.page);
      expect(await dev.page.locator('main').innerText()).not.toContain(findingTitle);
      expect(await dev.page.locator('main').innerText()).not.toContain(gatewayKey);
      const proposed = dev.page.locator('section:has(h2#grants) tbody tr', { hasText: 'Demo Software Vendor' });
      await proposed.getByRole('button', { name: 'Accept' }).click();
      await proposed.getByText('active').waitFor();

      // The second reviewer validates and shares.
      const second = await newPage();
      await signIn(second.page, 'second@agency.demo');
      await second.page.goto(`${server.url}/reviews/${windowId}`);
      await settle(second.page);
      await row(second.page).getByRole('button', { name: 'Validate' }).click();
      await row(second.page).getByRole('button', { name: 'Share with the developer' }).click();
      await row(second.page).getByText('shared').waitFor();
      await second.context.close();

      // The developer sees it, responds, and withdraws.
      await dev.page.reload();
      await settle(dev.page);
      await row(dev.page).waitFor();
      await row(dev.page).getByLabel(`Response to ${findingTitle}`).selectOption('mitigated');
      await row(dev.page).getByLabel(`Note on ${findingTitle}`).fill('Refusal training extended to these topics.');
      await row(dev.page).getByRole('button', { name: 'Send response' }).click();
      await row(dev.page).getByText('mitigated: Refusal training extended to these topics.').waitFor();
      await check(dev.page, 'review-window-developer-response');
      const f = await server.api<{ items: { state: string; response: { value: string } }[] }>(
        'GET',
        `/api/v1/reviews/windows/${windowId}/findings`,
        agencyToken.token,
      );
      expect(f.items[0]).toMatchObject({ state: 'responded', response: { value: 'mitigated' } });
      await dev.page.getByRole('button', { name: 'Withdraw (no reason asked)' }).click();
      await dev.page.getByText(/State withdrawn/).waitFor();
      await dev.context.close();

      // An organisation without a part gets nothing by URL, in the page nor from the API it calls.
      const water = await newPage();
      await signIn(water.page, 'admin@water.demo');
      await water.page.goto(`${server.url}/reviews/${windowId}`);
      await water.page.getByRole('alert').waitFor();
      expect(await water.page.locator('main').innerText()).not.toContain('journey-model');
      const statuses = await water.page.evaluate(async (base) => {
        const paths = ['', '/runs', '/findings', '/grants', '/terms'];
        return Promise.all(paths.map((p) => fetch(`${base}${p}`).then((r) => r.status)));
      }, `/api/v1/reviews/windows/${windowId}`);
      expect(
        statuses.every((st) => st === 404 || st === 403),
        String(statuses),
      ).toBe(true);
      await water.context.close();
    },
    LONG,
  );

  /** A window of the demo lab on the scripted model, opened, with a government-reviewer grant for `agencyOrgId`. */
  async function openWindow(modelName: string, agencyOrgId: string): Promise<{ windowId: string; grantId: string }> {
    const lab = server.tokens.ai_developer!.token;
    const w = await server.api<{ id: string }>('POST', '/api/v1/reviews/windows', lab, {
      modelName,
      snapshotId: `${modelName}-snapshot`,
      trustedPartnerDate: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
      endpoint: {
        baseUrl: server.model.baseURL,
        apiKey: 'scripted-upstream-secret',
        variants: [{ variant: 'production', modelId: 'oracle' }],
      },
      limits: { requestsPerMinute: 600, maxBudget: { requests: 1000, tokens: 1_000_000, seconds: 3600 } },
    });
    const base = `/api/v1/reviews/windows/${w.id}`;
    const terms = await server.api<{ id: string; textSha256: string }>('POST', `${base}/terms`, lab, {
      audience: 'government',
      scope: { categories: ['cyber_knowledge'], partnersAllowed: false },
      confidentiality: 'Between the developer, the reviewers and the coordinator.',
      retentionDays: 30,
      onWithdrawal: 'keep',
      tlpDefault: 'AMBER',
      text: `Terms of ${modelName}`,
    });
    await server.api('POST', `${base}/consents`, lab, { termsId: terms.id, termsSha256: terms.textSha256 });
    await server.api('POST', `${base}/offer`, lab);
    await server.api('POST', `${base}/open`, lab);
    const grant = await server.api<{ id: string }>('POST', `${base}/grants`, lab, {
      granteeOrgId: agencyOrgId,
      role: 'government_reviewer',
      variants: ['production'],
      categories: ['cyber_knowledge'],
      rawTranscripts: false,
      budget: { requests: 200, tokens: 200_000, seconds: 600 },
    });
    return { windowId: w.id, grantId: grant.id };
  }

  it(
    'review window panels: the developer uploads a model card, moves the partner date in its own zone, reads the gateway log and the report; a coordinator records covered status; the reviewer sees its grant usage follow its runs; a reviewer of another window sees none of it',
    async () => {
      const agency = server.tokens.federal_agency!;
      const lab = server.tokens.ai_developer!.token;
      const { windowId, grantId } = await openWindow('panels-model', agency.orgId);
      const base = `/api/v1/reviews/windows/${windowId}`;
      const section = (p: Page, id: string) => p.locator(`section:has(h2#${id})`);

      // The developer, in Tokyo: a model card uploaded through the file picker, listed and downloaded.
      const dev = await newPage('Asia/Tokyo');
      await signIn(dev.page, 'admin@lab.demo');
      await dev.page.goto(`${server.url}/reviews/${windowId}`);
      await settle(dev.page);
      const docs = section(dev.page, 'attachments');
      expect(await docs.innerText()).toContain('No model cards or evaluation results you may see.');
      // An empty file: the server's issue is shown beside the file field.
      await docs
        .getByLabel('Files')
        .setInputFiles({ name: 'empty.md', mimeType: 'text/markdown', buffer: Buffer.alloc(0) });
      await docs.getByRole('button', { name: 'Upload' }).click();
      await docs.locator('.field-error', { hasText: 'the file is empty' }).waitFor();
      expect(await docs.getByLabel('Files').getAttribute('aria-invalid')).toBe('true');
      const card = `# panels-model card\n\nIntended use: evaluation only. ${Date.now()}\n`;
      await docs.getByLabel('Document kind').selectOption('model_card');
      await docs
        .getByLabel('Files')
        .setInputFiles({ name: 'model-card.md', mimeType: 'text/markdown', buffer: Buffer.from(card) });
      await docs.getByLabel('Document description (optional)').fill('Model card, first version');
      await docs.getByRole('button', { name: 'Upload' }).click();
      const link = docs.getByRole('link', { name: 'Download model-card.md' });
      await link.waitFor();
      const href = (await link.getAttribute('href'))!;
      expect(await dev.page.evaluate((h) => fetch(h).then((r) => r.text()), href)).toBe(card);
      const attachmentId = decodeURIComponent(href.split('/').pop()!);

      // Covered status: shown, not editable by the developer.
      const covered = section(dev.page, 'covered');
      expect(await covered.innerText()).toContain('Status pending');
      expect(await covered.getByRole('button', { name: 'Record covered status' }).count()).toBe(0);

      // The partner date, moved in the developer's zone; the close follows it, shown in that zone.
      const tpd = section(dev.page, 'partner-date');
      await tpd.getByLabel('New trusted-partner date and time').fill('2020-01-01T09:00');
      await tpd.getByRole('button', { name: 'Move the date' }).click();
      await tpd.locator('.field-error', { hasText: 'must be in the future' }).waitFor();
      const day = new Date(Date.now() + 10 * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Tokyo' });
      // By keyboard alone: Enter in the field submits the form.
      await tpd.getByLabel('New trusted-partner date and time').fill(`${day}T09:30`);
      await tpd.getByLabel('New trusted-partner date and time').press('Enter');
      await tpd.getByText('Date moved.').waitFor();
      const expected = new Date(`${day}T00:30:00.000Z`).toISOString(); // 09:30 in Tokyo (UTC+9)
      const moved = await server.api<{ trustedPartnerDate: string; closesAt: string }>('GET', base, lab);
      expect(new Date(moved.trustedPartnerDate).toISOString()).toBe(expected);
      expect(new Date(moved.closesAt).toISOString()).toBe(expected);
      const closes = tpd.locator(`p time[datetime="${moved.closesAt}"]`).first();
      await closes.waitFor();
      expect(await closes.innerText()).toMatch(/9:30\s?AM GMT\+9/);
      expect(await tpd.innerText()).toContain('Asia/Tokyo');
      await check(dev.page, 'review-window-developer-panels');

      // The reviewer: grant usage starts at 0, a run is started in the page, and the usage follows without a reload.
      const rev = await newPage();
      await signIn(rev.page, 'admin@agency.demo');
      await rev.page.goto(`${server.url}/reviews/${windowId}`);
      await settle(rev.page);
      // A grantee sees the window's model card (the window's marking names its organisation), never the gateway log.
      await section(rev.page, 'attachments').getByRole('link', { name: 'Download model-card.md' }).waitFor();
      expect(await rev.page.getByRole('heading', { name: 'Gateway call log' }).count()).toBe(0);
      expect(await rev.page.evaluate((u) => fetch(u).then((r) => r.status), `${base}/gateway-log`)).toBe(403);
      const usage = section(rev.page, 'usage');
      const usedRequests = async () =>
        Number(
          (await usage.locator('tbody tr', { hasText: 'Requests' }).locator('td').nth(1).innerText()).replace(/,/g, ''),
        );
      expect(await usedRequests()).toBe(0);
      await rev.page.getByLabel('Suite or task').fill('cyber-knowledge');
      await rev.page.getByLabel('Samples per task (optional)').fill('4');
      await rev.page.getByRole('button', { name: 'Start run' }).click();
      await section(rev.page, 'runs').locator('tbody tr', { hasText: 'success' }).waitFor({ timeout: 90_000 });
      const grant = async () =>
        server.api<{ used: { requests: number; tokens: number } }>('GET', `${base}/grants/${grantId}`, agency.token);
      const api = await grant();
      expect(api.used.requests).toBeGreaterThanOrEqual(4);
      expect(api.used.tokens).toBeGreaterThan(0);
      await expect.poll(usedRequests, { timeout: 15_000 }).toBe(api.used.requests);
      const tokensCell = await usage.locator('tbody tr', { hasText: 'Tokens' }).locator('td').nth(1).innerText();
      expect(Number(tokensCell.replace(/,/g, ''))).toBe(api.used.tokens);
      await check(rev.page, 'review-window-reviewer-usage');
      await rev.context.close();

      // The developer's gateway log: one metadata row per call, never content; and the report downloads.
      await dev.page.reload();
      await settle(dev.page);
      const log = await server.api<{ items: { requestSha256: string }[] }>('GET', `${base}/gateway-log?limit=200`, lab);
      expect(log.items.length).toBe(api.used.requests);
      const logRows = section(dev.page, 'gateway-log').locator('tbody tr');
      expect(await logRows.count()).toBe(log.items.length);
      expect(await logRows.first().innerText()).toContain('production');
      expect(await section(dev.page, 'gateway-log').innerText()).toContain(log.items[0]!.requestSha256.slice(0, 12));
      const report = section(dev.page, 'dev-report');
      expect(await report.innerText()).toContain('No finding has been shared yet.');
      const [json, markdown] = await dev.page.evaluate(
        async (hrefs) =>
          Promise.all(
            hrefs.map((h) => fetch(h!).then(async (r) => ({ status: r.status, type: r.headers.get('content-type') }))),
          ),
        [
          await report.getByRole('link', { name: 'Download the report (JSON)' }).getAttribute('href'),
          await report.getByRole('link', { name: 'Download the report (Markdown)' }).getAttribute('href'),
        ],
      );
      expect(json).toMatchObject({ status: 200 });
      expect(json!.type).toContain('application/json');
      expect(markdown).toMatchObject({ status: 200 });
      expect(markdown!.type).toContain('text/markdown');
      await check(dev.page, 'review-window-developer-log-report');

      // A coordinator records covered status (an opaque reference and a status only); every party then sees it.
      const coord = await newPage();
      await signIn(coord.page, 'admin@clearinghouse.local');
      await coord.page.goto(`${server.url}/reviews/${windowId}`);
      await settle(coord.page);
      const cov = section(coord.page, 'covered');
      await cov.getByLabel('Designation reference').fill('x'.repeat(201));
      await cov.getByRole('button', { name: 'Record covered status' }).click();
      await cov.locator('.field-error').waitFor();
      expect(await cov.getByLabel('Designation reference').getAttribute('aria-invalid')).toBe('true');
      await cov.getByLabel('Covered status').selectOption('covered');
      await cov.getByLabel('Designation reference').fill('DESIG-2026-0042');
      await cov.getByRole('button', { name: 'Record covered status' }).click();
      await cov.getByText('Status covered').waitFor();
      await check(coord.page, 'review-window-coordinator-covered');
      await coord.context.close();
      await dev.page.reload();
      await settle(dev.page);
      expect(await section(dev.page, 'covered').innerText()).toContain('DESIG-2026-0042');
      await dev.context.close();

      // A reviewer of another organisation (a second agency, reviewing another window) sees none of this window.
      const s = server.runtime.services;
      const other = await s.participants.createOrg(await s.participants.consolePrincipal(), {
        name: 'Second Federal Agency',
        kind: 'federal_agency',
        sector: 'government_facilities',
        admin: { email: 'admin@agency2.demo', name: 'Second agency admin' },
      });
      await s.portal.setPasswordDirect(other.admin!.id, 'second agency password', 'browser test');
      server.passwords['admin@agency2.demo'] = 'second agency password';
      const theirs = await openWindow('other-window-model', other.org.id);
      const outsider = await newPage();
      await signIn(outsider.page, 'admin@agency2.demo');
      await outsider.page.goto(`${server.url}/reviews`);
      await settle(outsider.page);
      const listed = await outsider.page.locator('main').innerText();
      expect(listed).toContain('other-window-model');
      expect(listed).not.toContain('panels-model');
      await outsider.page.goto(`${server.url}/reviews/${theirs.windowId}`);
      await settle(outsider.page);
      expect(await outsider.page.getByRole('heading', { name: 'Gateway call log' }).count()).toBe(0);
      await outsider.page.goto(`${server.url}/reviews/${windowId}`);
      await outsider.page.getByRole('alert').waitFor();
      const seen = await outsider.page.locator('main').innerText();
      expect(seen).not.toContain('model-card.md');
      expect(seen).not.toContain('panels-model');
      const statuses = await outsider.page.evaluate(
        async (paths) => Promise.all(paths.map((p) => fetch(p).then((r) => r.status))),
        [`/api/v1/attachments/${encodeURIComponent(attachmentId)}`, `${base}/gateway-log`, base, `${base}/report`],
      );
      expect(statuses).toEqual([404, 404, 404, 404]);
      await check(outsider.page, 'review-window-other-reviewer-refused');
      await outsider.context.close();
    },
    LONG,
  );

  it(
    'an org admin creates a token and a webhook (each secret shown once), a sharing group and sees the delivery log; a coordinator checks the audit chain and a score breakdown',
    async () => {
      const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
      const { createServer } = await import('node:http');
      const receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
      const bank = server.tokens['infrastructure_operator:financial_services']!;
      try {
        const { context, page } = await newPage();
        await signIn(page, 'admin@bank.demo');
        await nav(page, 'Organisation').click();
        await settle(page);

        // An API token: the secret once, and it works; after a reload only its prefix remains.
        await page.getByLabel('New token name').fill('portal-journey-token');
        await page.getByRole('button', { name: 'Create token' }).click();
        const tokenBox = page.locator('section:has(h2#tokens) .secret');
        await tokenBox.getByText('Token secret, shown once.').waitFor();
        const tokenSecret = (await tokenBox.locator('code').innerText()).trim();
        const probe = await server.app.inject({
          method: 'GET',
          url: '/api/v1/webhooks',
          headers: { authorization: `Bearer ${tokenSecret}` },
        });
        expect(probe.statusCode, probe.body).toBe(200);
        const tokenRow = page.locator('section:has(h2#tokens) tbody tr', { hasText: 'portal-journey-token' });
        await tokenRow.waitFor();
        const prefix = (await tokenRow.locator('code').innerText()).replace('…', '');
        expect(tokenSecret.startsWith(prefix)).toBe(true);

        // A sharing group of two other organisations.
        await page.getByLabel('New group name').fill('Bank peer group');
        await page
          .getByLabel('Member organisations')
          .selectOption([{ label: 'Demo Rural Water Utility' }, { label: 'Demo Software Vendor' }]);
        await page.getByRole('button', { name: 'Create group' }).click();
        await page.locator('section:has(h2#groups) li', { hasText: 'Bank peer group' }).waitFor();
        const groups = await server.api<{ items: { name: string; memberOrgIds: string[] }[] }>(
          'GET',
          '/api/v1/sharing-groups',
          bank.token,
        );
        const group = groups.items.find((g) => g.name === 'Bank peer group');
        expect(group?.memberOrgIds).toEqual(
          expect.arrayContaining([server.tokens['infrastructure_operator:water_and_wastewater_systems']!.orgId]),
        );

        // A webhook: the signing secret once, a test event, the delivery log.
        await page.getByLabel('Webhook URL').fill(hookUrl);
        await page.getByLabel('Event types').fill('exposure.*');
        await page.getByRole('button', { name: 'Add webhook' }).click();
        const hookBox = page.locator('section:has(h2#webhooks) .secret');
        await hookBox.getByText(/shown once/).waitFor();
        const hookSecret = (await hookBox.locator('code').innerText()).trim();
        expect(hookSecret.length).toBeGreaterThan(15);
        const hooks = await server.api<{ items: { id: string; url: string }[] }>('GET', '/api/v1/webhooks', bank.token);
        const hook = hooks.items.find((h) => h.url === hookUrl)!;
        expect(JSON.stringify(await server.api('GET', `/api/v1/webhooks/${hook.id}`, bank.token))).not.toContain(
          hookSecret,
        );
        await page.getByRole('button', { name: `Send a test event to ${hookUrl}` }).click();
        const log = page.locator('section:has(h2#webhooks) table.data');
        await log
          .locator('tbody tr', { hasText: 'ping' })
          .waitFor()
          .catch(async (e) => {
            throw new Error(`no ping delivery: ${await page.locator('section:has(h2#webhooks)').innerText()}`, {
              cause: e,
            });
          });
        expect(await log.locator('tbody tr', { hasText: 'ping' }).first().innerText()).toMatch(/delivered\s+1\s+200/);
        expect(received).toHaveLength(1);
        expect(received[0]!.body).toContain('ping');
        await check(page, 'organisation-token-group-webhook');
        await page.reload();
        await settle(page);
        const after = await page.locator('main').innerText();
        expect(after).not.toContain(tokenSecret);
        expect(after).not.toContain(hookSecret);
        await context.close();

        // The coordinator: the audit chain check, and an enforcement case with its score breakdown.
        const incident = sampleIncidentInput();
        const filed = await server.api<{ id: string }>('POST', '/api/v1/incidents', bank.token, {
          incident,
          evidence: evidenceBody(),
        });
        const coord = await newPage();
        await signIn(coord.page, 'admin@clearinghouse.local');
        await nav(coord.page, 'Audit').click();
        await settle(coord.page);
        await coord.page.getByRole('button', { name: 'Verify the chain' }).click();
        await coord.page.getByRole('status').filter({ hasText: 'The chain is intact.' }).waitFor();
        await check(coord.page, 'audit-verified');
        await coord.page.goto(`${server.url}/enforcement`);
        await settle(coord.page);
        const caseRow = coord.page.locator('table.data tbody tr', { hasText: String(incident.title) }).first();
        await caseRow.getByRole('button', { name: 'Show score' }).click();
        const breakdown = coord.page.getByRole('region', { name: 'Score breakdown' });
        await breakdown.locator('table tbody tr').first().waitFor();
        const view = await server.api<{ score: { effective: number; computed: { factors: unknown[] } } }>(
          'GET',
          `/api/v1/incidents/${filed.id}`,
          coordToken(),
        );
        expect(await breakdown.locator('table tbody tr').count()).toBe(view.score.computed.factors.length);
        expect(await breakdown.locator('caption').innerText()).toContain(`Score ${view.score.effective}`);
        await check(coord.page, 'enforcement-breakdown');
        await coord.context.close();

        // Another operator, not the reporter, does not see the case.
        const water = await newPage();
        await signIn(water.page, 'admin@water.demo');
        await water.page.goto(`${server.url}/enforcement`);
        await settle(water.page);
        expect(await water.page.locator('main').innerText()).not.toContain(String(incident.title));
        await water.context.close();
      } finally {
        await new Promise((r) => receiver.close(r));
      }
    },
    LONG,
  );

  it('no page broke the Content-Security-Policy or threw', () => {
    expect(consoleProblems).toEqual([]);
  });
});
