/** Starts what every test file shares, once per run. Filled in as shared services arrive. */
export default async function globalSetup(): Promise<void> {}
