/**
 * The capability modules, in dependency order (a module's init may use the services of those before it).
 * Each folder's module.ts is the only place that wires that capability.
 */
import enforcement from './enforcement/module.js';
import exposure from './exposure/module.js';
import formats from './formats/module.js';
import type { CapabilityModule } from './module.js';
import notify from './notify/module.js';
import portal from './portal/module.js';
import reviews from './reviews/module.js';
import triage from './vulnerabilities/triage/module.js';

export const MODULES: readonly CapabilityModule[] = [formats, notify, exposure, triage, reviews, enforcement, portal];
