/** Organisation names for ids (members only; anonymous visitors see ids). */
import { useSession } from './session';
import type { Organisation, Page } from './types';
import { useApi } from './ui';

export function useOrgs(): Map<string, Organisation> {
  const { me } = useSession();
  const orgs = useApi<Page<Organisation>>(me ? '/api/v1/organisations' : null);
  return new Map((orgs.data?.items ?? []).map((o) => [o.id, o]));
}

export function OrgName({ id, orgs }: { id: string; orgs: Map<string, Organisation> }) {
  const o = orgs.get(id);
  return <span title={id}>{o ? o.name : `${id.slice(0, 8)}…`}</span>;
}
