// What the page benchmarks share: a new tab of the built site, at the Trainer once its module
// has loaded and it is ready for a file.

/**
 * @param {import('playwright-core').Browser} browser
 * @param {string} url  the site's address (startServer's `url`)
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function openTrainer(browser, url) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e}`));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 120_000 });
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
    timeout: 300_000,
  });
  return page;
}
