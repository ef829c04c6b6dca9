// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright locators (innerText is what the user sees), not DOM nodes.
/**
 * The triage pages in a real browser (Debian's Chromium through playwright-core, the real server on a temporary SQLite
 * file with the demo data): a coordinator reads the inbox signals, opens the cluster of two duplicate reports with its
 * evidence, splits one out and merges it back (the API's field errors shown beside the controls first), and records a
 * reproduction; a member of another organisation gets no cluster page and no report of another organisation. axe-core
 * runs on every new page (no serious or critical violation). Without /usr/bin/chromium the suite is skipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { reportBody } from '../harness.js';
import { HAVE_CHROMIUM, journeySteps, launchChromium, openPage, warnWithoutChromium } from './journey.js';
import { type PortalServer, startPortalServer } from './portal-server.js';

warnWithoutChromium('test/web/triage.browser.test.ts', 'the triage journeys');

const SHOTS = join(projectRoot(), 'test-output', 'screenshots', 'triage');
const LONG = 240_000;

const FLAW =
  'The sort parameter of ReportTable.render() in ledgerkit/tables/render.py is pasted into the SQL ORDER BY clause ' +
  'without quoting. A value such as "amount; DROP TABLE audit" runs a second statement through GET /api/v2/ledger?sort=' +
  ' because the driver accepts several statements per call. Steps to reproduce: 1. start the sample app 2. call the ' +
  'endpoint with the payload 3. list the tables and see the audit table gone. Versions before 3.4.1 are affected.';
const TITLE_A = 'SQL injection through the ledger table sort parameter';
const TITLE_B = 'Ledger table sort parameter allows SQL injection (second finder)';
const TITLE_C = 'Markup in ledger HTML export column headers is not escaped';
const NEAR =
  'ReportTable.render() in ledgerkit/tables/render.py writes the names given in its columns argument into the HTML ' +
  'export as they are. A header name holding markup is kept unescaped, so whoever opens the exported sheet in a ' +
  'browser runs the script of the person who named the column.';
const ADV_TEXT =
  'The thumbnail worker of tinythumbs passes the uploaded file name to ImageMagick through shell=True in ' +
  'tinythumbs/worker.py, so a name such as "a.png;id" runs a command as the worker user. Upload any image whose ' +
  'name ends in a shell command and read the command output in the worker log. Fixed in 1.9.3 by passing a list.';
const TITLE_D = 'Command injection through upload names in the tinythumbs worker';
const TITLE_RED = 'Private note: ledger sort injection seen at the bank';

/** A literal inside a regular expression. */
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every axe violation of any impact, by page (written to the screenshots folder). */
const axeResults: Record<string, string[]> = {};

(HAVE_CHROMIUM ? describe : describe.skip)('triage pages in Chromium', () => {
  let server: PortalServer;
  let browser: Browser;
  const ids: Record<string, string> = {};
  let clusterId = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startPortalServer();
    browser = await launchChromium();
    const t = server.tokens;
    const submit = async (name: string, token: string, over: Record<string, unknown>) => {
      const r = await server.api<{ id: string }>('POST', '/api/v1/reports', token, reportBody(over));
      ids[name] = r.id;
    };
    const ledger = {
      affected: [
        {
          purl: 'pkg:pypi/ledgerkit',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.4.1' }] }],
        },
      ],
    };
    await submit('a', t.ai_developer!.token, { ...ledger, title: TITLE_A, description: FLAW });
    await submit('b', t.vendor!.token, {
      ...ledger,
      title: TITLE_B,
      description: `${FLAW} Found again by our scanner.`,
    });
    // Near but not the same flaw (same package, function and file): a suggestion, not an attachment.
    await submit('c', t.federal_agency!.token, { ...ledger, title: TITLE_C, description: NEAR });
    // RED, named to nobody else: the coordinator may not see it, in a cluster or anywhere.
    await submit('red', t['infrastructure_operator:financial_services']!.token, {
      ...ledger,
      title: TITLE_RED,
      description: `${FLAW} Seen on our own ledger service.`,
      marking: { tlp: 'RED' },
    });
    // A published advisory, and a report describing it: its cluster stands for the advisory.
    const adv = await server.api<{ id: string }>('POST', '/api/v1/advisories', t.coordinator!.token, {
      summary: 'Shell command injection in tinythumbs thumbnail worker',
      details: ADV_TEXT,
      aliases: ['CVE-2099-7771'],
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'tinythumbs' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.9.3' }] }],
        },
      ],
      marking: { tlp: 'CLEAR' },
    });
    ids.advisory = adv.id;
    await submit('d', t['infrastructure_operator:financial_services']!.token, {
      title: TITLE_D,
      description: `${ADV_TEXT} Seen in our document portal.`,
      aliases: ['CVE-2099-7771'],
      affected: [{ purl: 'pkg:pypi/tinythumbs@1.9.2' }],
      cweIds: ['CWE-78'],
    });
    await server.api('POST', '/api/v1/triage/run', t.coordinator!.token, {});
    const list = await server.api<{ items: { id: string; reportIds: string[] }[] }>(
      'GET',
      '/api/v1/triage/clusters?minSize=2&limit=1000',
      t.coordinator!.token,
    );
    const found = list.items.find((c) => c.reportIds.includes(ids.a!));
    // The precondition of the journey: the two visible duplicates share one cluster.
    expect(found?.reportIds.sort()).toEqual([ids.a, ids.b].sort());
    clusterId = found!.id;
    // The RED copy joined the same cluster: the pages must leave it out for the coordinator.
    const red = await server.runtime.services.db.kysely
      .selectFrom('triage_members')
      .select('cluster_id')
      .where('report_id', '=', ids.red!)
      .executeTakeFirst();
    expect(red?.cluster_id).toBe(clusterId);
  }, LONG);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    writeFileSync(join(SHOTS, 'axe-results.json'), `${JSON.stringify(axeResults, null, 2)}\n`);
  }, LONG);

  async function newPage(): Promise<Page> {
    return (await openPage(browser, { onPageError: (m) => pageErrors.push(m) })).page;
  }

  const { settle, check, signIn, nav } = journeySteps({
    shots: SHOTS,
    server: () => server,
    onAxe: (name, axe) => {
      axeResults[name] = axe.violations;
    },
  });

  const main = (page: Page) => page.locator('main');

  it(
    'a coordinator reads the signals, sees the duplicates with evidence, splits one out and merges it back',
    async () => {
      const page = await newPage();
      await signIn(page, 'admin@clearinghouse.local');
      await nav(page, 'Triage inbox').click();
      await settle(page);
      const row = page.locator('table.data tbody tr', { hasText: TITLE_A });
      await row.waitFor();
      // The signals are behind a disclosure, opened from the keyboard.
      const summary = row.locator('details.signals summary');
      expect(await summary.innerText()).toMatch(/\d+ signals/);
      await expect(row.getByText('1 other report(s) in its cluster').isVisible()).resolves.toBe(false);
      await summary.focus();
      await page.keyboard.press('Enter');
      await row.getByText('1 other report(s) in its cluster').waitFor();
      expect(await row.locator('details.signals').innerText()).toMatch(/severity \+[\d.]+: CVSS/);
      expect(await main(page).innerText()).not.toContain(TITLE_RED);
      await check(page, 'inbox-signals');

      await row.getByRole('link', { name: /\+1 duplicate in the cluster of/ }).click();
      await page.getByRole('heading', { level: 1, name: /^Cluster: / }).waitFor();
      await settle(page);
      expect(page.url()).toContain(`/triage/clusters/${clusterId}`);
      const text = await main(page).innerText();
      expect(text).toContain(TITLE_A);
      expect(text).toContain(TITLE_B);
      expect(text).not.toContain(TITLE_RED);
      expect(text).not.toContain(ids.red);
      // The attached report lists the evidence that put it here: kind, detail and weight.
      const evidence = page.getByRole('table', { name: /Evidence for “.*”/ });
      const rows = await evidence.locator('tbody tr').allInnerTexts();
      expect(rows.some((r) => /^text\t.+\t0\.\d\d$/.test(r))).toBe(true);
      expect(text).toMatch(/attached automatically · score 0\.\d\d/);
      await check(page, 'cluster');

      // Splitting every report out is refused by the API; its issue shows beside the report choice.
      await page.getByRole('checkbox', { name: TITLE_A, exact: true }).check();
      await page.getByRole('checkbox', { name: TITLE_B, exact: true }).check();
      await page.getByRole('button', { name: 'Split the selected out…' }).click();
      await page.getByRole('button', { name: 'Confirm split' }).click();
      await page.locator('#split-reports-err').waitFor();
      expect(await page.locator('#split-reports-err').innerText()).toContain(
        'leave at least one report in the cluster',
      );
      expect(await page.locator('#split-reports').getAttribute('aria-invalid')).toBe('true');
      await check(page, 'cluster-split-refused');

      // Split the second report out, by keyboard: Space to uncheck, Enter to ask, Enter on the focused confirmation.
      await page.getByRole('checkbox', { name: TITLE_A, exact: true }).focus();
      await page.keyboard.press('Space');
      expect(await page.getByRole('checkbox', { name: TITLE_A, exact: true }).isChecked()).toBe(false);
      await page
        .getByRole('form', { name: 'Split reports out' })
        .getByLabel('Reason (kept with the correction)')
        .fill('different finders, separate fix');
      await page.getByRole('button', { name: 'Split the selected out…' }).focus();
      await page.keyboard.press('Enter');
      const confirm = page.getByRole('button', { name: 'Confirm split' });
      await confirm.waitFor();
      expect(await confirm.evaluate((b) => b === document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Moved 1 report(s) into a new cluster.' }).waitFor();
      await page
        .getByRole('table', { name: /Coordinator corrections/ })
        .getByText('different finders')
        .waitFor();
      const after = await page.locator('main section.member h3').allInnerTexts();
      expect(after).toEqual([TITLE_A]);

      // The new cluster holds the report split out; merging with no cluster chosen shows the API's field error.
      await page.getByRole('link', { name: 'Open it' }).click();
      await page.getByRole('heading', { level: 1, name: `Cluster: ${TITLE_B}` }).waitFor();
      await settle(page);
      const newId = page.url().split('/').pop()!;
      expect(newId).not.toBe(clusterId);
      await page.getByRole('button', { name: 'Merge into the chosen cluster' }).click();
      const mergeSelect = page.getByLabel('Cluster to merge into');
      await page.locator('#merge-into-err').waitFor();
      expect(await mergeSelect.getAttribute('aria-invalid')).toBe('true');
      expect(await mergeSelect.getAttribute('aria-describedby')).toContain('merge-into-err');
      await check(page, 'cluster-merge-refused');
      await mergeSelect.selectOption({ label: `split from: ${TITLE_A} (1 report(s))` });
      await page
        .getByRole('form', { name: 'Merge with another cluster' })
        .getByLabel('Reason (kept with the correction)')
        .fill('same flaw after all');
      await page.getByRole('button', { name: 'Merge into the chosen cluster' }).click();
      // The emptied cluster is left for the one merged into, which says what happened.
      await page.getByRole('heading', { level: 1, name: `Cluster: ${TITLE_A}` }).waitFor();
      await settle(page);
      expect(page.url()).toContain(clusterId);
      await page
        .getByRole('status')
        .filter({ hasText: 'Merged 1 report(s) into this cluster; it now holds 2' })
        .waitFor();
      expect((await page.locator('main section.member h3').allInnerTexts()).sort()).toEqual([TITLE_A, TITLE_B].sort());
      const corrections = await page
        .getByRole('table', { name: /Coordinator corrections/ })
        .locator('tbody tr')
        .allInnerTexts();
      expect(corrections.map((r) => r.split('\t')[1])).toEqual(['split', 'merge']);
      expect(await main(page).innerText()).not.toContain(TITLE_RED);

      // The API agrees: both in one cluster again, the RED copy never listed to the coordinator.
      const api = await server.api<{ reports: { id: string }[] }>(
        'GET',
        `/api/v1/triage/clusters/${clusterId}`,
        server.tokens.coordinator!.token,
      );
      expect(api.reports.map((r) => r.id).sort()).toEqual([ids.a, ids.b].sort());
      await page.context().close();
    },
    LONG,
  );

  it(
    'a coordinator sees a suggested candidate with its evidence and merges the suggested cluster',
    async () => {
      const page = await newPage();
      await signIn(page, 'admin@clearinghouse.local');
      await page.goto(`${server.url}/inbox`);
      await settle(page);
      const row = page.locator('table.data tbody tr', { hasText: TITLE_C });
      await row.getByRole('link', { name: /alone in the cluster of/ }).click();
      await page.getByRole('heading', { level: 1, name: `Cluster: ${TITLE_C}` }).waitFor();
      await settle(page);
      const suggestion = page.getByRole('table', { name: /Evidence for the suggestion/ });
      await suggestion.waitFor();
      const lines = await suggestion.locator('tbody tr').allInnerTexts();
      expect(lines).toContain('code\tshared code/path/function: reporttable.render, ledgerkit/tables/render.py\t0.25');
      expect(lines).toContain('package\tpypi/ledgerkit\t0.15');
      // The candidate is named by its title (the reader may see it), with the score.
      await page
        .locator('#sugg-h ~ div p')
        .filter({
          hasText: new RegExp(
            `^(${esc(TITLE_A)}|${esc(TITLE_B)}) may duplicate ${esc(TITLE_C)} \\(score 0\\.\\d\\d\\)$`,
          ),
        })
        .waitFor();
      await check(page, 'cluster-suggestion');
      const select = page.getByLabel('Cluster to merge into');
      const option = await select.locator('option', { hasText: /^suggested: / }).innerText();
      expect(option).toMatch(/^suggested: .+ \(score 0\.\d\d, 2 report\(s\)\)$/);
      await select.focus();
      await select.selectOption({ label: option });
      await page.getByRole('button', { name: 'Merge into the chosen cluster' }).focus();
      await page.keyboard.press('Enter');
      await page
        .getByRole('status')
        .filter({ hasText: 'Merged 1 report(s) into this cluster; it now holds 3' })
        .waitFor();
      expect(page.url()).toContain(clusterId);
      expect((await page.locator('main section.member h3').allInnerTexts()).sort()).toEqual(
        [TITLE_A, TITLE_B, TITLE_C].sort(),
      );
      expect(await main(page).innerText()).not.toContain(TITLE_RED);
      await page.context().close();
    },
    LONG,
  );

  it(
    'a coordinator lists the clusters and follows a cluster to the published advisory it stands for',
    async () => {
      const page = await newPage();
      await signIn(page, 'admin@clearinghouse.local');
      await nav(page, 'Clusters').click();
      await settle(page);
      const list = page.getByRole('table', { name: 'Clusters with two or more reports' });
      await list.getByRole('link', { name: TITLE_A }).waitFor();
      expect(await main(page).innerText()).not.toContain(TITLE_RED);
      await check(page, 'clusters');
      await page.goto(`${server.url}/inbox`);
      await settle(page);
      await page
        .locator('table.data tbody tr', { hasText: TITLE_D })
        .getByRole('link', { name: /in the cluster of/ })
        .click();
      await page.getByRole('heading', { level: 1, name: `Cluster: ${TITLE_D}` }).waitFor();
      await settle(page);
      const meta = page.locator('main .meta');
      expect(await meta.innerText()).toContain(`matches the published advisory ${ids.advisory}`);
      await page.getByText(`matched advisory ${ids.advisory}`).waitFor();
      await check(page, 'cluster-advisory');
      await meta.getByRole('link', { name: ids.advisory }).click();
      await page.getByRole('heading', { level: 1, name: /tinythumbs/ }).waitFor();
      await page.context().close();
    },
    LONG,
  );

  it(
    'a coordinator records a reproduction on the report, after the field error for a missing script or steps',
    async () => {
      const page = await newPage();
      await signIn(page, 'admin@clearinghouse.local');
      await page.goto(`${server.url}/reports/${ids.a}`);
      await page.getByRole('heading', { level: 2, name: 'Validation' }).waitFor();
      await settle(page);
      await page.getByText('No validation recorded yet.').waitFor();
      await check(page, 'report-validation');
      await page.getByLabel('Outcome').selectOption('reproduced');
      await page.getByRole('button', { name: 'Record validation' }).click();
      await page.locator('#val-steps-err').waitFor();
      expect(await page.locator('#val-steps-err').innerText()).toContain(
        'a reproduction attempt needs a script or steps',
      );
      expect(await page.getByLabel('Steps').getAttribute('aria-invalid')).toBe('true');
      await check(page, 'report-validation-refused');

      await page
        .getByLabel('Reproduction script')
        .fill('curl "http://localhost:8000/api/v2/ledger?sort=amount;DROP%20TABLE%20audit"');
      await page.getByLabel('Output').fill('tables: ledger, users (audit gone)');
      await page.getByLabel('Notes').fill('reproduced on 3.4.0');
      await page.getByRole('button', { name: 'Record validation' }).click();
      await page.getByRole('status').filter({ hasText: 'Recorded: reproduced.' }).waitFor();
      const history = page.getByRole('list', { name: 'Validation history, oldest first' });
      await history.waitFor();
      expect(await history.innerText()).toContain('reproduced · reproduced on 3.4.0');
      await history.getByText('Reproduction script').click();
      await history.getByText('DROP%20TABLE%20audit').waitFor();
      await page.getByText('State: reproduced').waitFor();
      // The report's own heading line follows the new state.
      await page.locator('main .meta', { hasText: 'validation: reproduced' }).waitFor();
      await check(page, 'report-validation-recorded');
      const v = await server.api<{ state: string; validations: { script: string; output: string }[] }>(
        'GET',
        `/api/v1/triage/reports/${ids.a}/validations`,
        server.tokens.coordinator!.token,
      );
      expect(v.state).toBe('reproduced');
      expect(v.validations.at(-1)?.output).toBe('tables: ledger, users (audit gone)');
      await page.context().close();
    },
    LONG,
  );

  it(
    "a member of another organisation gets no cluster page and never another organisation's report in it",
    async () => {
      const page = await newPage();
      await signIn(page, 'admin@lab.demo');
      const navLinks = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
      expect(navLinks).not.toContain('Clusters');
      expect(navLinks).not.toContain('Triage inbox');
      await page.goto(`${server.url}/triage/clusters/${clusterId}`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toContain('You may not see or do this');
      expect(await alert.innerText()).toContain('only coordinators may do this');
      const text = await main(page).innerText();
      expect(text).not.toContain(TITLE_B);
      expect(text).not.toContain(TITLE_RED);
      await check(page, 'cluster-refused');
      await page.goto(`${server.url}/triage/clusters`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toContain('only coordinators may do this');
      // Its own report: no validation panel, no cluster, nothing of the vendor's duplicate.
      await page.goto(`${server.url}/reports/${ids.a}`);
      await page.getByRole('heading', { level: 1, name: TITLE_A }).waitFor();
      await settle(page);
      expect(await page.getByRole('heading', { level: 2, name: 'Validation' }).count()).toBe(0);
      expect(await main(page).innerText()).not.toContain(TITLE_B);
      await page.context().close();
      expect(pageErrors).toEqual([]);
    },
    LONG,
  );
});
