/** The review-window API's shapes the portal reads (a subset of /api/v1/openapi.json), and their vocabularies. */

export const VARIANTS = ['production', 'reduced-safeguards', 'reasoning-visible'] as const;
export const SUITES = ['cyber-knowledge', 'purplellama', 'ctf'] as const;
export const FINDING_TYPES = [
  'capability',
  'safeguard_bypass',
  'prompt_injection',
  'agent_vulnerability',
  'other',
] as const;
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const RESPONSES = ['acknowledged', 'disputed', 'mitigated', 'wont_fix'] as const;
export const COVERED_STATUSES = ['pending', 'covered', 'not_covered', 'unknown'] as const;
export const ATTACHMENT_KINDS = ['model_card', 'developer_evaluation'] as const;

/** Words for the screen: `not_covered` → "not covered". */
export const words = (s: string) => s.replace(/_/g, ' ');

export interface Terms {
  id: string;
  audience: string;
  version: number;
  text: string;
  textSha256: string;
  onWithdrawal: string;
  retentionDays: number;
  tlpDefault: string;
  scope: { categories: string[]; partnersAllowed: boolean };
}
export interface Consent {
  termsId: string;
  party: string;
  signerOrgId: string;
  signedAt: string;
}
export interface WindowAttachment {
  id: string;
  kind: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  description: string;
  createdAt: string;
}
export interface ReviewWindow {
  id: string;
  developerOrgId: string;
  modelName: string;
  snapshotId: string;
  state: string;
  trustedPartnerDate: string;
  maxWindowDays: number;
  offeredAt: string | null;
  openedAt: string | null;
  closesAt: string | null;
  withdrawnAt: string | null;
  variants: string[];
  endpoint?: { baseUrl: string; models: { variant: string; modelId: string }[]; secretStored: boolean };
  limits: { requestsPerMinute: number; maxBudget: { requests: number; tokens: number; seconds: number } };
  covered: { designationRef: string | null; status: string };
  gateway: { baseURL: string };
  myRole: string;
  attachments: WindowAttachment[];
  terms: Terms[];
  consents: Consent[];
}
export interface Budget {
  requests: number;
  tokens: number;
  seconds: number;
}
export interface Grant {
  id: string;
  granteeOrgId: string;
  role: string;
  variants: string[];
  rawTranscripts: boolean;
  status: string;
  validUntil: string | null;
  budget: Budget;
  used: Budget;
}
export interface Key {
  id: string;
  prefix: string;
  label: string;
  revokedAt: string | null;
}
export interface Run {
  id: string;
  suite: string;
  task: string;
  variant: string;
  reference: boolean;
  status: string;
  createdAt: string;
  error: string | null;
  results: { scorer: string; metrics: { accuracy?: { value: number }; stderr?: { value: number } } }[];
}
export interface RunDetail extends Run {
  progress: { samples: number; done: number; errored: number };
  comparison?: {
    referenceRunId: string;
    scores: {
      scorer: string;
      accuracy: number;
      referenceAccuracy: number;
      difference: number;
      ci95: [number, number];
    }[];
  };
}
export interface Sample {
  transcript: boolean;
  sampleId: string | number;
  epoch: number;
  scores: Record<string, unknown>;
  messages?: { role: string; content: unknown }[];
  errored?: boolean;
}
export interface Finding {
  id: string;
  title: string;
  type: string;
  severity: string;
  state: string;
  tlp: string;
  description?: string;
  authorMemberId?: string;
  reproducibility: { k: number; n: number };
  response: { value: string; note: string } | null;
}
export interface GatewayCall {
  id: string;
  grantId: string;
  keyId: string;
  variant: string;
  at: string;
  status: number;
  outcome: string;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  requestSha256: string;
  responseSha256: string | null;
}
export interface DeveloperReport {
  windowId: string;
  generatedAt: string;
  tlp: string;
  summary: { findings: number; bySeverity: Record<string, number>; byType: Record<string, number> };
}

/** Runs still to finish: the page keeps asking while any is queued or running. */
export const unfinished = (runs: Run[]) => runs.some((r) => r.status === 'queued' || r.status === 'running');
