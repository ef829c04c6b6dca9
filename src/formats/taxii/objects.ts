/**
 * The STIX objects a TAXII collection serves for one advisory version, and how a new advisory version becomes new
 * STIX object versions. Pure.
 *
 * - The objects are those of the STIX 2.1 codec (src/formats/stix): vulnerability, course-of-action, relationship,
 *   note, sighting, plus the reference objects (TLP 2.0 marking-definitions and identities), which are the same for
 *   every advisory and are recorded once each.
 * - A withdrawn advisory revokes every object derived from it (the codec marks the vulnerability; the others follow).
 * - STIX identifies a version by (id, modified). When an advisory changes without its `modified` moving (e.g. KEV
 *   facts added to an imported record), the changed objects get a `modified` after their last recorded version, so
 *   two different contents never share a version.
 */
import type { MarkedAdvisory } from '../../vulnerabilities/advisory.model.js';
import { encodeStixBundle } from '../stix/index.js';

export type StixObject = Record<string, unknown>;

export const PUBLISHER = { name: 'Clearinghouse' };

/** The version of a STIX object: `modified`, or `created` for objects that have no `modified` (marking-definitions). */
export function versionOf(o: StixObject): string {
  return String(o.modified ?? o.created ?? '');
}

export function isReferenceObject(o: StixObject): boolean {
  return o.type === 'marking-definition' || o.type === 'identity';
}

/** The objects of one advisory version: its own and the reference objects they point to. */
export function deriveObjects(marked: MarkedAdvisory): { own: StixObject[]; reference: StixObject[] } {
  const bundle = encodeStixBundle(marked, { publisher: PUBLISHER });
  const own: StixObject[] = [];
  const reference: StixObject[] = [];
  for (const o of bundle.objects) {
    if (isReferenceObject(o)) reference.push(o);
    else own.push(marked.doc.withdrawn && o.revoked !== true ? { ...o, revoked: true } : o);
  }
  return { own, reference };
}

function withoutModified(o: StixObject): string {
  const { modified: _m, ...rest } = o;
  return JSON.stringify(rest);
}

/** One millisecond after an ISO instant. */
function after(instant: string): string {
  return new Date(Date.parse(instant) + 1).toISOString();
}

/**
 * The next version of an object given its last recorded version (null when it has none): null when nothing changed,
 * else the object to record, its `modified` moved past the last version if the codec kept it.
 */
export function nextVersion(encoded: StixObject, last: StixObject | null, now: string): StixObject | null {
  if (!last) return encoded;
  const lastVersion = versionOf(last);
  const encodedVersion = versionOf(encoded);
  if (encodedVersion > lastVersion) return encoded;
  if (withoutModified(encoded) === withoutModified(last)) return null;
  const modified = [now, after(lastVersion)].sort().at(-1)!;
  return { ...encoded, modified };
}
