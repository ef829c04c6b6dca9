import { ErrorBox, Loading, PageTitle, useApi } from '../ui';

/** Inventories and findings (the exposure capability); says so plainly when this server does not offer them. */
export function InventoryPage() {
  const probe = useApi<unknown>('/api/v1/findings');
  return (
    <>
      <PageTitle>Inventory and findings</PageTitle>
      {probe.loading ? (
        <Loading what="Loading findings" />
      ) : probe.error?.status === 404 ? (
        <p>This server does not offer inventories (SBOM upload and findings) yet.</p>
      ) : probe.error ? (
        <ErrorBox error={probe.error} retry={probe.reload} />
      ) : (
        <p>Findings are available through the API at /api/v1/findings.</p>
      )}
    </>
  );
}
